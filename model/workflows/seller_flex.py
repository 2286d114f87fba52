"""Seller-flex (seed 003, F003-*): the inventory pusher with per-SKU-and-location sequence numbers, and the
forward-order flow from ACCEPTED to handover: confirm, pack (with the listing's recommended package or dimensions
captured at packing), update a package, invoice and label, hand over."""
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

    def hand_over(self, location: str, latest: dict[str, int]) -> None:
        """Seed 003's migration FAQ: the client shares the latest sequence number of every SKU at a location
        (from the system that pushed before); the next number sent for each is one above it."""
        for sku, number in latest.items():
            self.catch_up(sku, location, number)


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


def packages_for(shipment: dict, dimensions: dict[str, dict]) -> list[dict]:
    """One package per unit, with the four dimensions of its SKU (cm and kg) from `dimensions`."""
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
    return packages


def recommended_dimensions(shipment: dict) -> dict[str, dict]:
    """The package Amazon recommends per SKU (from the listing's dimensions, seed 003's FAQ), as `ship` takes
    them: {merchant SKU: {length, width, height, weight}}. A dimension the listing lacks comes as 0."""
    sku_of = {item["shipmentLineItemId"]: item["merchantSku"] for item in shipment["lineItems"]}
    found = {}
    for package in shipment.get("shippingInfo", {}).get("recommendedPackages", []):
        size = {k: float(package["dimensions"][k]["value"]) for k in ("length", "width", "height")}
        size["weight"] = float(package["weight"]["value"])
        for line in package["lineItems"]:
            found[sku_of[line["lineItemId"]]] = size
    return found


def pack(shipment: dict, dimensions: dict[str, dict]) -> Workflow[dict]:
    """F003-7, first call of the shipment sequence: createPackages, one package per unit. Returns {"ok",
    "packages"} or {"ok": False, "step", "response"}."""
    packages = packages_for(shipment, dimensions)
    response = yield Request(f"{SHIPMENTS}.createPackages", path={"shipmentId": shipment["id"]},
                             body={"packages": packages})
    if not response.ok:
        return {"ok": False, "step": "createPackages", "response": response}
    return {"ok": True, "packages": packages}


def update_package(shipment_id: str, package: dict, size: dict) -> Workflow[Response]:
    """Seed 003's forward order update: a packed package measured again (before its label) goes to Amazon with
    its new dimensions and weight."""
    body = {**package, "dimensions": {k: {"value": f"{size[k]:g}", "dimensionUnit": "CM"}
                                      for k in ("length", "width", "height")},
            "weight": {"value": f"{size['weight']:g}", "weightUnit": "KG"}}
    return (yield Request(f"{SHIPMENTS}.updatePackage", path={"shipmentId": shipment_id, "packageId": package["id"]},
                          body=body))


def label(shipment_id: str, packages: list[dict]) -> Workflow[dict]:
    """F003-7 after packing: a pickup slot per package, the invoice, then the ship labels. Returns {"ok",
    "tracking"} or the step and response that stopped it."""
    path = {"shipmentId": shipment_id}
    steps = [Request(f"{SHIPMENTS}.retrieveShippingOptions", path=path, query={"packageId": p["id"]})
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
    return {"ok": True, "tracking": tracking}


def hand_over(shipment_id: str, package_ids: list[str]) -> Workflow[dict]:
    """F003-9: each package handed to the carrier (SHIPPED); the order is shipped once all are."""
    for package_id in package_ids:
        response = yield Request(f"{SHIPMENTS}.updatePackageStatus", path={"shipmentId": shipment_id,
                                                                            "packageId": package_id},
                                 query={"status": "SHIPPED"})
        if not response.ok:
            return {"ok": False, "step": "updatePackageStatus", "response": response}
    return {"ok": True}


def ship(shipment: dict, dimensions: dict[str, dict]) -> Workflow[dict]:
    """F003-7/9: pack (one package per unit, with the four dimensions of each SKU), take a pickup slot, have the
    invoice and the label made, hand over. Returns the labels' tracking IDs, or the response that stopped it."""
    packed = yield from pack(shipment, dimensions)
    if not packed["ok"]:
        return packed
    labelled = yield from label(shipment["id"], packed["packages"])
    if not labelled["ok"]:
        return labelled
    handed = yield from hand_over(shipment["id"], [p["id"] for p in packed["packages"]])
    return {"ok": True, "tracking": labelled["tracking"]} if handed["ok"] else handed


def shipment_status(shipment_id: str) -> Workflow[dict]:
    """F003-10: the order's current status (one call, polled on a cadence)."""
    response = yield Request(f"{SHIPMENTS}.getShipment", path={"shipmentId": shipment_id})
    if not response.ok:
        raise WorkflowError(f"getShipment answered {response.status}", response)
    return response.body
