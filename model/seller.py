"""The seller's own systems, as the reference integration and the simulated world both see them: the orders in
the seller's store (each moved only by the store_order lifecycle) and the stock in the seller's warehouse."""
from __future__ import annotations

from dataclasses import dataclass, field

from model.clock import Clock
from model.lifecycles import Stateful


@dataclass(eq=False)
class StoreOrder(Stateful):
    """An order in the seller's store; its status belongs to the store_order machine."""
    id: str
    source: str                   # where the customer ordered: amazon, webstore, seller_flex
    external_id: str              # its ID there (Amazon's order ID for an Amazon order)
    lines: list[tuple[str, int]]  # (SKU, units)
    created: float = 0.0
    promised: float = float("inf")  # when it must have shipped
    item_ids: list[str] = field(default_factory=list)  # the channel's ID of each line (Amazon's OrderItemId)
    total: str | None = None
    customer: str | None = None   # the customer's e-mail; None for a guest order
    shipped_at: float | None = None
    tracking: list[str] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    address: dict | None = None   # where it ships, when someone else ships it (a webstore order sent to FBA)
    method: str = "Standard"      # the shipping method the customer chose
    cancel_requested: float | None = None   # when the customer asked the shop to cancel it


@dataclass
class Warehouse:
    """The seller's stock per SKU: on hand, allocated to open orders, and when each SKU last moved."""
    clock: Clock
    stock: dict[str, int] = field(default_factory=dict)        # on hand
    allocated: dict[str, int] = field(default_factory=dict)
    activity: dict[str, float] = field(default_factory=dict)   # SKU -> time of its last movement

    def free(self, sku: str) -> int:
        return self.stock.get(sku, 0) - self.allocated.get(sku, 0)

    def receive(self, sku: str, units: int) -> None:
        self.stock[sku] = self.stock.get(sku, 0) + units
        self._moved(sku)

    def adjust(self, sku: str, units: int) -> None:
        """A count correction: never below zero."""
        if sku not in self.stock:
            raise KeyError(f"the warehouse has no SKU {sku!r}")
        self.stock[sku] = max(0, self.stock[sku] + units)
        self._moved(sku)

    def allocate(self, sku: str, units: int) -> bool:
        """Promise free units to an order; False when too few are free."""
        if self.free(sku) < units:
            return False
        self.allocated[sku] = self.allocated.get(sku, 0) + units
        self._moved(sku)
        return True

    def release(self, sku: str, units: int) -> None:
        self.allocated[sku] -= units
        self._moved(sku)

    def ship(self, sku: str, units: int) -> None:
        """Allocated units leave the building."""
        self.allocated[sku] -= units
        self.stock[sku] -= units
        self._moved(sku)

    def _moved(self, sku: str) -> None:
        self.activity[sku] = self.clock.seconds()
