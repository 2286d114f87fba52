"""Reports as the integration reads them: request, wait (within the rate limits), download, parse. Then the
FBA inventory job (F002-2..5) and the shipments import (F002-10) built on them."""
from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from model.workflows.fulfillment import parse_tsv
from model.workflows.protocol import Request, Wait, Workflow, WorkflowError, expect_ok

REPORTS = "reports_2021-06-30"
SUMMARIES = "fbaInventory.getInventorySummaries"
SUMMARY_BATCH = 50


def fetch_report(report_type: str, start: datetime | None = None, poll_seconds: float = 60.0,
                 give_up_after: float = 3600.0,
                 marketplace_id: str = "ATVPDKIKX0DER") -> Workflow[tuple[bytes, list[dict]]]:
    """Request a report and wait for it; returns (raw bytes, rows). A report that never finishes, or ends
    CANCELLED or FATAL, raises WorkflowError (the run fails loudly rather than using stale data)."""
    body: dict[str, Any] = {"reportType": report_type, "marketplaceIds": [marketplace_id]}
    if start is not None:
        body["dataStartTime"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    created = yield Request(f"{REPORTS}.createReport", body=body)
    if created.status != 202:
        raise WorkflowError(f"createReport answered {created.status}: {created.error_message}", created)
    report_id = created.body["reportId"]
    waited = 0.0
    while True:
        yield Wait(poll_seconds)
        waited += poll_seconds
        report = expect_ok((yield Request(f"{REPORTS}.getReport", path={"reportId": report_id})), "getReport")
        status = report.body["processingStatus"]
        if status == "DONE":
            break
        if status in ("CANCELLED", "FATAL"):
            raise WorkflowError(f"report {report_id} ended {status}", report)
        if waited >= give_up_after:
            raise WorkflowError(f"report {report_id} did not finish in {give_up_after:.0f} s", report)
    described = expect_ok((yield Request(f"{REPORTS}.getReportDocument",
                                         path={"reportDocumentId": report.body["reportDocumentId"]})),
                          "getReportDocument")
    document = yield Request("document.get", url=described.body["url"])
    raw = document.body
    if described.body.get("compressionAlgorithm") == "GZIP":
        raw = gzip.decompress(raw)
    return raw, parse_tsv(raw)


@dataclass
class InventoryRun:
    """One run of the inventory job: the raw and parsed reports (F002-5) and the resulting pool."""
    quantities: dict[str, int]
    sources: dict[str, str]                    # sku -> "afn_report", "listings_report", "fba_api" or "default"
    raw: dict[str, bytes] = field(default_factory=dict)
    parsed: dict[str, list[dict]] = field(default_factory=dict)


def fba_inventory_job(skus: list[str], include_fbm: bool = False, fetch_missing_from_api: bool = False,
                      poll_seconds: float = 60.0, marketplace_id: str = "ATVPDKIKX0DER") -> Workflow[InventoryRun]:
    """F002-2..5: only SELLABLE counts, several SELLABLE rows of a SKU are summed; with include_fbm the
    merchant-fulfilled quantity is added; a SKU missing from the AFN report comes from the listings report,
    else (with the fallback flag) from the FBA Inventory API in batches of 50, else 0. A full feed every run."""
    listings_raw, listings = yield from fetch_report("GET_MERCHANT_LISTINGS_ALL_DATA", poll_seconds=poll_seconds,
                                                     marketplace_id=marketplace_id)
    afn_raw, afn = yield from fetch_report("GET_AFN_INVENTORY_DATA", poll_seconds=poll_seconds,
                                           marketplace_id=marketplace_id)
    sellable: dict[str, int] = {}
    for row in afn:
        if row["Warehouse-Condition-code"] == "SELLABLE":
            sellable[row["seller-sku"]] = sellable.get(row["seller-sku"], 0) + int(row["Quantity Available"] or 0)
    merchant = {row["seller-sku"]: int(row["quantity"]) for row in listings if row.get("quantity")}
    quantities, sources = {}, {}
    missing = []
    for sku in skus:
        if sku in sellable:
            quantities[sku], sources[sku] = sellable[sku], "afn_report"
        elif sku in merchant:
            quantities[sku], sources[sku] = 0, "listings_report"
        else:
            missing.append(sku)
        if include_fbm and sku in merchant:
            quantities[sku] = quantities.get(sku, 0) + merchant[sku]
    if fetch_missing_from_api:
        for start in range(0, len(missing), SUMMARY_BATCH):
            batch = missing[start:start + SUMMARY_BATCH]
            response = yield Request(SUMMARIES, query={"granularityType": "Marketplace",
                                                       "granularityId": marketplace_id,
                                                       "marketplaceIds": marketplace_id, "details": "true",
                                                       "sellerSkus": batch})
            expect_ok(response, "getInventorySummaries")
            for summary in response.body["payload"]["inventorySummaries"]:
                quantities[summary["sellerSku"]] = summary["inventoryDetails"]["fulfillableQuantity"]
                sources[summary["sellerSku"]] = "fba_api"
    for sku in skus:
        if sku not in sources:
            quantities[sku], sources[sku] = 0, "default"
    return InventoryRun(quantities, sources, {"listings": listings_raw, "afn": afn_raw},
                        {"listings": listings, "afn": afn})


@dataclass(frozen=True)
class ShippedLine:
    order_id: str                 # merchant-order-id (the fulfillment request number) or amazon-order-id
    sku: str
    quantity: int
    carrier: str
    tracking: str
    service_level: str
    ship_date: str


def import_shipments(now: datetime, lookback_days: float = 15,
                     poll_seconds: float = 60.0) -> Workflow[list[ShippedLine]]:
    """F002-10: the fulfilled-shipments report over a look-back window; one line per shipped item (partial
    shipments are several lines), matched by order and SKU by the caller."""
    _, rows = yield from fetch_report("GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
                                      start=now - timedelta(days=lookback_days), poll_seconds=poll_seconds)
    return [ShippedLine(row["merchant-order-id"] or row["amazon-order-id"], row["sku"], int(row["quantity-shipped"]),
                        row["carrier"], row["tracking-number"], row["ship-service-level"], row["shipment-date"])
            for row in rows]
