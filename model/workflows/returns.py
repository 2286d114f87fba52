"""Seller-flex returns as the integration keeps them (seed 003, F003-13): return orders sync in from Amazon, and
their processed and cancelled updates, which Amazon announces as events, are applied.

Each return is a store return on the store_return lifecycle, moved only through that table: to follow Amazon's
status the integration fires the table's triggers along the shortest path from where its return stands. A
processed return's units go back on the warehouse's shelf, once.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from model.lifecycles import Lifecycle, Stateful
from model.seller import Warehouse
from model.workflows.protocol import Request, Workflow, expect_ok

RETURNS = "externalFulfillmentReturns_2024-09-11"
RETURN_EVENT = "EXTERNAL_FULFILLMENT_RETURN_STATUS_CHANGE"
#: Amazon's return status -> the store return's state that follows it
STORE_STATE = {
    "CREATED": "expected", "CARRIER_NOTIFIED_TO_PICK_UP_FROM_CUSTOMER": "expected",
    "CARRIER_OUT_FOR_PICK_UP_FROM_CUSTOMER": "expected", "CUSTOMER_CANCELLED_PICK_UP": "expected",
    "CUSTOMER_RESCHEDULED_PICK_UP": "expected", "PICKED_FROM_CUSTOMER": "in_transit",
    "CUSTOMER_DROPPED_OFF": "in_transit", "IN_TRANSIT": "in_transit", "REPLANNED": "in_transit",
    "OUT_FOR_DELIVERY": "in_transit", "DELIVERED": "received", "PARTIALLY_PROCESSED": "received",
    "PROCESSED": "processed", "REJECTED": "rejected", "CANCELLED": "cancelled",
}


@dataclass(eq=False)
class StoreReturn(Stateful):
    """A return as the integration holds it: Amazon's return ID, the forward order, what comes back."""
    id: str
    shipment_id: str
    merchant_sku: str
    units: int
    rma_id: str
    amazon_status: str
    restocked: bool = False


@dataclass
class ReturnBook:
    """The integration's returns: each moved only by the store_return lifecycle; `client_sku` maps Amazon's
    merchant SKU to the warehouse's (the listing mapping; the same SKU unless mapped)."""
    lifecycle: Lifecycle
    warehouse: Warehouse
    client_sku: Callable[[str], str] = lambda sku: sku
    returns: dict[str, StoreReturn] = field(default_factory=dict)
    synced_until: datetime | None = None

    def apply(self, item: dict) -> StoreReturn:
        """Amazon's return (as listReturns or getReturn answer it) onto the integration's."""
        kept = self.returns.get(item["id"])
        if kept is None:
            kept = StoreReturn(item["id"], item["marketplaceChannelDetails"]["shipmentId"], item["merchantSku"],
                               item["numberOfUnits"], item["returnMetadata"]["rmaId"], item["status"])
            self.lifecycle.restore(kept)
            self.returns[kept.id] = kept
        kept.amazon_status = item["status"]
        for trigger in self.path(kept.status, STORE_STATE[item["status"]]):
            self.lifecycle.fire(kept, trigger)
        if kept.status == "processed" and not kept.restocked:
            self.warehouse.receive(self.client_sku(kept.merchant_sku), kept.units)
            kept.restocked = True
        return kept

    def path(self, source: str, target: str) -> list[str]:
        """The triggers from `source` to `target` through the table, fewest first (none if already there)."""
        table, seen = self.lifecycle.table, {source}
        frontier: deque[tuple[str, list[str]]] = deque([(source, [])])
        while frontier:
            state, triggers = frontier.popleft()
            if state == target:
                return triggers
            for row in table.transitions:
                if state in row.sources and row.dest not in seen:
                    seen.add(row.dest)
                    frontier.append((row.dest, triggers + [row.trigger]))
        raise ValueError(f"{table.name}: no way from {source} to {target}")


def sync_returns(book: ReturnBook, until: datetime) -> Workflow[list[StoreReturn]]:
    """Return order sync: every return updated since the last sync (all of them the first time), all pages."""
    found, token = [], None
    while True:
        query: dict = {"maxResults": 100, **({"nextToken": token} if token else {})}
        if book.synced_until is not None and not token:
            query["lastUpdatedSince"] = book.synced_until.strftime("%Y-%m-%dT%H:%M:%SZ")
        response = expect_ok((yield Request(f"{RETURNS}.listReturns", query=query)), "listReturns")
        found += [book.apply(item) for item in response.body["returns"]]
        token = response.body.get("nextToken")
        if not token:
            book.synced_until = until
            return found


def apply_event(book: ReturnBook, payload: dict) -> Workflow[StoreReturn]:
    """A return status event (processed, rejected, cancelled): the return is read again and applied."""
    response = expect_ok((yield Request(f"{RETURNS}.getReturn", path={"returnId": payload["returnId"]})),
                         "getReturn")
    return book.apply(response.body)
