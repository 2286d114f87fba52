"""Reports as the integration reads them: request, wait (within the rate limits), download, parse. Then the
FBA inventory job and the pool it keeps (F002-2..5), the catalogue import with its price and filter rules, and the
shipments import (F002-10), built on them."""
from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
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


@dataclass
class InventoryPool:
    """The inventory pool the job keeps (seed 002's Global Inventory Pool, F002-5): a quantity and its source per
    SKU, and every run's raw and parsed reports. Each run is a full feed, not a delta: it writes every SKU it
    reported, changed or not, and the pool becomes exactly that run's."""
    quantities: dict[str, int] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    runs: list[InventoryRun] = field(default_factory=list)
    written: list[list[str]] = field(default_factory=list)   # the SKUs each run wrote, in order

    def update(self, run: InventoryRun) -> list[str]:
        self.quantities, self.sources = dict(run.quantities), dict(run.sources)
        self.runs.append(run)
        self.written.append(sorted(run.quantities))
        return self.written[-1]


def fba_inventory_job(skus: list[str], include_fbm: bool = False, fetch_missing_from_api: bool = False,
                      poll_seconds: float = 60.0, marketplace_id: str = "ATVPDKIKX0DER",
                      pool: InventoryPool | None = None) -> Workflow[InventoryRun]:
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
    run = InventoryRun(quantities, sources, {"listings": listings_raw, "afn": afn_raw},
                       {"listings": listings, "afn": afn})
    if pool is not None:
        pool.update(run)
    return run


@dataclass(frozen=True)
class CatalogRules:
    """What the catalogue import keeps (seed 002's mapping templates and post-mapping workflows)."""
    markup_percent: float = 0.0        # generic pricing: the price from the report, plus this much
    leave_out_inactive: bool = False   # a filter: only listings Amazon shows as Active
    skip_deleted: bool = True          # "Do Not Import Deleted SKUs": a SKU Amazon no longer lists is dropped


@dataclass
class Product:
    """A catalogue record as the listings report gives it: no image URL (Amazon's reports have none)."""
    sku: str
    title: str
    description: str
    asin: str
    price: str                         # two decimals, after the price rule
    status: str
    image_url: str | None = None
    deleted: bool = False              # Amazon no longer lists it (kept only when skip_deleted is off)


def import_catalog(catalog: dict[str, Product], rules: CatalogRules = CatalogRules(), poll_seconds: float = 60.0,
                   marketplace_id: str = "ATVPDKIKX0DER") -> Workflow[dict[str, Product]]:
    """Get Inventory's catalogue side (seed 002): SKU, title, description, ASIN and price from the all-listings
    report, priced and filtered by `rules`; a full import each run. Returns the catalogue, updated in place."""
    _, rows = yield from fetch_report("GET_MERCHANT_LISTINGS_ALL_DATA", poll_seconds=poll_seconds,
                                      marketplace_id=marketplace_id)
    seen = set()
    for row in rows:
        if rules.leave_out_inactive and row["status"] != "Active":
            continue
        price = (Decimal(row["price"] or "0") * (1 + Decimal(str(rules.markup_percent)) / 100)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        catalog[row["seller-sku"]] = Product(row["seller-sku"], row["item-name"], row.get("item-description", ""),
                                             row["asin1"], str(price), row["status"])
        seen.add(row["seller-sku"])
    for sku in [sku for sku in catalog if sku not in seen]:
        if rules.skip_deleted:
            del catalog[sku]
        else:
            catalog[sku].deleted = True
    return catalog


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
