"""Seller-flex (seed 003, F003-*): the inventory pusher with per-SKU-and-location sequence numbers, and the
forward-order flow from ACCEPTED to handover."""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

from model.workflows.protocol import Request, Response, Workflow, WorkflowError

INVENTORY = "externalFulfillmentInventory_2024-09-11.batchInventory"
SHIPMENTS = "externalFulfillmentShipments_2024-09-11"


class SequenceBook:
    """The last clientSequenceNumber sent per (SKU, location). Kept in any mutable mapping, so a persistent one
    makes the numbers survive a restart of the integration. A number is taken (and stored) before it is sent:
    a crash after sending can only skip a number, never repeat one."""

    def __init__(self, numbers: MutableMapping[str, int] | None = None):
        self.numbers = {} if numbers is None else numbers

    @staticmethod
    def key(sku: str, location: str) -> str:
        return f"{location}/{sku}"

    def take(self, sku: str, location: str) -> int:
        number = self.numbers.get(self.key(sku, location), 0) + 1
        self.numbers[self.key(sku, location)] = number
        return number

    def catch_up(self, sku: str, location: str, accepted: int) -> None:
        """Amazon says it accepted `accepted` already: continue above it."""
        if accepted > self.numbers.get(self.key(sku, location), 0):
            self.numbers[self.key(sku, location)] = accepted


@dataclass
class PushResult:
    sku: str
    location: str
    quantity: int
    sequence: int
    accepted: bool
    stale_recovered: bool = False
    error: str | None = None


def _inventory_call(uri: str, body: dict | None = None) -> Request:
    return Request(INVENTORY, body={"requests": [{"uri": uri, "method": "POST", "body": body or {}}]})


def push_inventory(sku: str, location: str, quantity: int, book: SequenceBook,
                   marketplace_id: str) -> Workflow[PushResult]:
    """F003-2/3: one SKU per call, an absolute quantity with the next sequence number. If Amazon holds a
    newer number (another integrator, or a lost book), fetch it, catch up and send once more."""
    stale_recovered = False
    for _ in range(2):
        sequence = book.take(sku, location)
        response = yield _inventory_call(f"/inventory/update?locationId={location}&skuId={sku}", {
            "quantity": quantity, "clientSequenceNumber": sequence,
            "marketplaceAttributes": {"marketplaceId": marketplace_id, "channelName": "MFN"}})
        result = _sub_response(response)
        if result["status"]["statusCode"] == 200:
            return PushResult(sku, location, quantity, sequence, True, stale_recovered)
        kind = result["body"]["actionableErrors"][0]["errorType"]
        if kind != "STALE_SEQUENCE_NUMBER" or stale_recovered:
            return PushResult(sku, location, quantity, sequence, False, stale_recovered,
                              result["body"]["actionableErrors"][0].get("errorSubType"))
        current = _sub_response((yield _inventory_call(f"/inventory/fetch?locationId={location}&skuId={sku}")))
        book.catch_up(sku, location, current["body"].get("clientSequenceNumber", 0))
        stale_recovered = True
    raise AssertionError("unreachable")


def _sub_response(response: Response) -> dict:
    if response.status != 207:
        raise WorkflowError(f"batchInventory answered {response.status}: {response.error_message}", response)
    return response.body["responses"][0]


def accepted_orders(location: str | None = None, status: str = "ACCEPTED") -> Workflow[list[dict]]:
    """F003-4: every shipment in `status` (new orders are taken at ACCEPTED), all pages."""
    found, token = [], None
    while True:
        query = {"paginationToken": token} if token else {"status": status, "maxResults": 100,
                                                          **({"locationId": location} if location else {})}
        response = yield Request(f"{SHIPMENTS}.getShipments", query={"status": status, **query})
        if not response.ok:
            raise WorkflowError(f"getShipments answered {response.status}: {response.error_message}", response)
        found += response.body["shipments"]
        token = (response.body.get("pagination") or {}).get("nextToken")
        if not token:
            return found


def confirm(shipment_id: str) -> Workflow[str]:
    """F003-5: acknowledge an order. A 409 means someone (another integrator) confirmed it already."""
    response = yield Request(f"{SHIPMENTS}.processShipment", path={"shipmentId": shipment_id},
                             query={"operation": "CONFIRM"})
    if response.status == 409:
        return "already_confirmed" if "CONFIRMED" in response.error_message else "not_confirmable"
    if not response.ok:
        raise WorkflowError(f"CONFIRM of {shipment_id} answered {response.status}: {response.error_message}", response)
    return "confirmed"


def reject(shipment_id: str, line_items: list[dict], reason: str = "OUT_OF_STOCK") -> Workflow[Response]:
    """F003-11: the seller cancels (rejects) an order it cannot fill."""
    response = yield Request(f"{SHIPMENTS}.processShipment", path={"shipmentId": shipment_id},
                             query={"operation": "REJECT"},
                             body={"lineItems": [{"lineItem": {"id": i["shipmentLineItemId"],
                                                               "quantity": i["numberOfUnits"]}, "reason": reason}
                                                 for i in line_items]})
    return response


def ship(shipment: dict, dimensions: dict[str, dict]) -> Workflow[dict]:
    """F003-7/9: pack (one package per unit, with the four dimensions of each SKU), take a pickup slot, have the
    invoice and the label made, hand over. Returns the labels' tracking IDs, or the response that stopped it."""
    shipment_id = shipment["id"]
    packages: list[dict] = []
    for item in shipment["lineItems"]:
        size = dimensions[item["merchantSku"]]
        for _ in range(item["numberOfUnits"]):
            packages.append({
                "id": f"P{len(packages) + 1}",
                "dimensions": {k: {"value": f"{size[k]:g}", "dimensionUnit": "CM"}
                               for k in ("length", "width", "height")},
                "weight": {"value": f"{size['weight']:g}", "weightUnit": "KG"},
                "packageLineItems": [{"packageLineItemId": item["shipmentLineItemId"], "quantity": 1}]})
    path = {"shipmentId": shipment_id}
    steps = [Request(f"{SHIPMENTS}.createPackages", path=path, body={"packages": packages})]
    steps += [Request(f"{SHIPMENTS}.retrieveShippingOptions", path=path, query={"packageId": p["id"]})
              for p in packages]
    steps += [Request(f"{SHIPMENTS}.generateInvoice", path=path),
              Request(f"{SHIPMENTS}.generateShipLabels", path=path, query={"operation": "GENERATE"},
                      body={"packageIds": [p["id"] for p in packages]})]
    tracking = []
    for step in steps:
        response = yield step
        if not response.ok:
            return {"ok": False, "step": step.operation.rsplit(".", 1)[-1], "response": response}
        if step.operation.endswith("generateShipLabels"):
            tracking = [label["shipLabelMetadata"]["trackingId"] for label in response.body["packageShipLabelList"]]
    for package in packages:
        response = yield Request(f"{SHIPMENTS}.updatePackageStatus", path={**path, "packageId": package["id"]},
                                 query={"status": "SHIPPED"})
        if not response.ok:
            return {"ok": False, "step": "updatePackageStatus", "response": response}
    return {"ok": True, "tracking": tracking}


def shipment_status(shipment_id: str) -> Workflow[dict]:
    """F003-10: the order's current status (one call, polled on a cadence)."""
    response = yield Request(f"{SHIPMENTS}.getShipment", path={"shipmentId": shipment_id})
    if not response.ok:
        raise WorkflowError(f"getShipment answered {response.status}", response)
    return response.body
