"""A 3PL's Amazon integration (seed 001, eFulfillment Service; F001-1..8).

The 3PL connects one or more Amazon stores (each with a nickname and its own settings), checks each store for
orders ready to ship on a schedule, injects them into its warehouse and acknowledges them, posts tracking back
as the warehouse ships, and, optionally, sends warehouse quantities (with the handling time) for the SKUs a
person activated, only when they had activity since the last sync and at most every 12 hours.

The warehouse (`ThreePlWarehouse`) is the 3PL's own system, kept in memory: the seller's `Warehouse` (stock per
warehouse SKU, the time of each SKU's last activity) and the orders injected into it. Every order status change
goes through the store_order lifecycle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from model.clock import Clock, to_datetime
from model.lifecycles import Lifecycles, Stateful
from model.seller import Warehouse
from model.workflows import listings, orders
from model.workflows.protocol import Request, Wait, Workflow, WorkflowError

#: Selling regions: the SP-API endpoint and the marketplace a new store starts with.
REGIONS = {"NA": ("https://sellingpartnerapi-na.amazon.com", "ATVPDKIKX0DER"),
           "EU": ("https://sellingpartnerapi-eu.amazon.com", "A1F83G8C2ARO7P"),
           "FE": ("https://sellingpartnerapi-fe.amazon.com", "A1VC38T7YXB528")}
MIN_SYNC_HOURS = 12.0          # Amazon lets the integration update quantities at most this often
ORDER_LOOKBACK_DAYS = 7        # each check lists every order still waiting to ship in this window


@dataclass
class CartItem:
    """A "custom item" entry: the Amazon SKU, the warehouse SKU it maps to (the same name unless mapped), and
    whether it is activated for inventory sync."""
    amazon_sku: str
    warehouse_sku: str
    active: bool = True


@dataclass(eq=False)
class WarehouseOrder(Stateful):
    """An Amazon order as the 3PL holds it, injected into its warehouse; its status follows the store_order table."""
    id: str                     # the 3PL's own order number, sent to Amazon in the acknowledgement
    store: str                  # the store's nickname
    amazon_order_id: str
    method: str                 # Amazon's shipping method (ShipmentServiceLevelCategory)
    service: str | None = None  # the warehouse service it maps to
    lines: list[tuple[str, str, int, str]] = field(default_factory=list)  # Amazon SKU, warehouse SKU, units, item ID
    notes: list[str] = field(default_factory=list)
    tracking: str | None = None


@dataclass
class AmazonStore:
    """One connected store and its settings, with the seed's defaults."""
    nickname: str
    region: str
    seller_id: str
    marketplace_id: str
    client_id: str
    client_secret: str
    refresh_token: str
    fulfillment_latency_days: int = 2             # handling days promised to Amazon (2 is the minimum advised)
    order_check_minutes: float = 30.0
    inventory_sync: bool = False                  # optional: send warehouse quantities to Amazon
    inventory_sync_hours: float = MIN_SYNC_HOURS
    remote_fulfillment_enrolled: bool = False     # the seller is in Amazon's Remote Fulfillment with FBA
    remote_fulfillment_with_fba: bool = False     # ... and the integration's option for it
    cart_items: dict[str, CartItem] = field(default_factory=dict)
    shipping_map: dict[str, str] = field(default_factory=dict)     # Amazon method -> warehouse service
    last_sync: float | None = None
    log: list[tuple[float, str, str]] = field(default_factory=list)   # (time, job, what happened)

    def __post_init__(self) -> None:
        if self.fulfillment_latency_days < 1:
            raise ValueError("fulfillment latency is a number of days, at least 1")
        if self.inventory_sync_hours < MIN_SYNC_HOURS:
            raise ValueError(f"inventory can be synced at most every {MIN_SYNC_HOURS:.0f} hours")
        if self.order_check_minutes <= 0:
            raise ValueError("the order check interval must be positive")

    @property
    def endpoint(self) -> str:
        """The SP-API endpoint of the store's region."""
        return REGIONS[self.region][0]

    def activate(self, amazon_sku: str, warehouse_sku: str | None = None, active: bool = True) -> None:
        self.cart_items[amazon_sku] = CartItem(amazon_sku, warehouse_sku or amazon_sku, active)


class InjectionError(Exception):
    """The warehouse refused an order."""


@dataclass
class ThreePlWarehouse(Warehouse):
    """The 3PL's warehouse system: the seller's stock, and the orders injected into it and shipped."""
    injected: dict[str, WarehouseOrder] = field(default_factory=dict)   # by Amazon order ID
    shipped: dict[str, tuple[str, str, float]] = field(default_factory=dict)   # Amazon order ID -> carrier, tracking
    refusing: str | None = None                                  # a reason while the warehouse refuses orders
    other_carts: dict[str, list[tuple[str, int]]] = field(default_factory=dict)   # "cart/number" -> lines

    def inject(self, order: WarehouseOrder) -> None:
        """Take an order once; the units are sold (activity) at once."""
        if order.amazon_order_id in self.injected:
            return
        if self.refusing:
            raise InjectionError(self.refusing)
        unknown = [wsku for _, wsku, _, _ in order.lines if wsku not in self.stock]
        if unknown:
            raise InjectionError(f"the warehouse has no SKU {', '.join(unknown)}")
        for _, wsku, units, _ in order.lines:
            self.adjust(wsku, -units)
        self.injected[order.amazon_order_id] = order

    def take_cart_order(self, cart: str, order_number: str, lines: list[tuple[str, int]]) -> None:
        """An order from another cart the seller sells through (seed 001: the same stock, several carts): its
        units leave the shared stock at once, which is activity, so the next Amazon sync sends the rest."""
        short = [sku for sku, units in lines if self.stock.get(sku, 0) < units]
        if short:
            raise InjectionError(f"{cart} order {order_number}: too few units of {', '.join(short)}")
        for sku, units in lines:
            self.adjust(sku, -units)
        self.other_carts[f"{cart}/{order_number}"] = list(lines)

    def ship_order(self, amazon_order_id: str, carrier: str, tracking: str) -> None:
        if amazon_order_id not in self.injected:
            raise KeyError(f"order {amazon_order_id} is not in the warehouse")
        self.shipped[amazon_order_id] = (carrier, tracking, self.clock.seconds())


@dataclass
class Integration:
    """The 3PL's integration platform: its connected stores, by nickname, and their orders."""
    clock: Clock
    warehouse: ThreePlWarehouse
    stores: dict[str, AmazonStore] = field(default_factory=dict)
    orders: dict[str, WarehouseOrder] = field(default_factory=dict)   # by Amazon order ID
    lifecycles: Lifecycles = None  # type: ignore[assignment]  # None: __post_init__ makes one on `clock`

    def __post_init__(self) -> None:
        self.lifecycles = self.lifecycles or Lifecycles(self.clock)

    def orders_of(self, nickname: str) -> list[WarehouseOrder]:
        return [o for o in self.orders.values() if o.store == nickname]


def connect(integration: Integration, nickname: str, region: str, client_id: str, client_secret: str,
            oauth_code: str, selling_partner_id: str, **settings: Any) -> Workflow[AmazonStore]:
    """F001-1: the seller chose a region, signed in and authorized; the code Amazon's redirect carried buys the
    refresh token, stored with the store's settings under its nickname."""
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; choose one of {', '.join(REGIONS)}")
    if not nickname or nickname in integration.stores:
        raise ValueError(f"a store needs a nickname of its own; {nickname!r} is taken or empty")
    response = yield Request("lwa.token", body={"grant_type": "authorization_code", "code": oauth_code,
                                                "client_id": client_id, "client_secret": client_secret})
    if response.status != 200:
        raise WorkflowError(f"Login with Amazon refused the authorization: {response.body}", response)
    store = AmazonStore(nickname, region, selling_partner_id, REGIONS[region][1], client_id, client_secret,
                        response.body["refresh_token"], **settings)
    integration.stores[nickname] = store
    return store


def check_orders(integration: Integration, nickname: str) -> Workflow[list[WarehouseOrder]]:
    """F001-6/8, one order check: list the orders ready to ship, read each new one, hold it when its shipping
    method is not mapped, inject it into the warehouse, and acknowledge what the warehouse took (one feed).
    An order the warehouse refused is not acknowledged and is tried again on the next check."""
    store = integration.stores[nickname]
    lifecycle = integration.lifecycles.store_order
    since = integration.clock.now() - timedelta(days=ORDER_LOOKBACK_DAYS)
    taken = []
    for summary in (yield from orders.ready_to_ship(since, store.marketplace_id)):
        order = integration.orders.get(summary["AmazonOrderId"])
        if order is None:
            order = WarehouseOrder(f"EFS{len(integration.orders) + 1:06d}", nickname, summary["AmazonOrderId"],
                               summary.get("ShipmentServiceLevelCategory", "Standard"))
            integration.orders[order.amazon_order_id] = order
            lifecycle.restore(order)
            lifecycle.fire(order, "import_order")
        if order.status not in ("imported", "on_hold"):
            continue
        order.service = store.shipping_map.get(order.method)
        if order.service is None:
            if order.status == "imported":
                lifecycle.fire(order, "hold")
                order.notes.append(f"held: shipping method {order.method!r} has no mapping")
            continue
        if order.status == "on_hold":
            lifecycle.fire(order, "release")
            order.notes.append(f"released: {order.method!r} ships as {order.service!r}")
        if not order.lines:
            items = yield from orders.order_items(order.amazon_order_id)
            order.lines = [(i["SellerSKU"], _warehouse_sku(store, i["SellerSKU"]), i["QuantityOrdered"],
                            i["OrderItemId"]) for i in items]
        try:
            integration.warehouse.inject(order)
        except InjectionError as error:
            order.notes.append(f"not injected, not acknowledged: {error}")
            continue
        taken.append(order)
    if taken:
        results = yield from orders.acknowledge([(o.amazon_order_id, o.id, True) for o in taken], store.marketplace_id)
        for order in taken:
            acknowledged, message = results[order.amazon_order_id]
            if acknowledged:
                lifecycle.fire(order, "acknowledge")
            else:
                order.notes.append(f"acknowledgement refused: {message}")
    store.log.append((integration.clock.seconds(), "orders", f"{len(taken)} injected and acknowledged"))
    return taken


def _warehouse_sku(store: AmazonStore, amazon_sku: str) -> str:
    item = store.cart_items.get(amazon_sku)
    return item.warehouse_sku if item else amazon_sku


def post_tracking(integration: Integration, nickname: str) -> Workflow[list[WarehouseOrder]]:
    """F001-7: tracking of every order the warehouse shipped goes to Amazon; the order is then shipped."""
    lifecycle = integration.lifecycles.store_order
    posted = []
    for order in integration.orders_of(nickname):
        if order.status != "acknowledged" or order.amazon_order_id not in integration.warehouse.shipped:
            continue
        carrier, tracking, shipped_at = integration.warehouse.shipped[order.amazon_order_id]
        items = [{"OrderItemId": item_id, "QuantityOrdered": units} for _, _, units, item_id in order.lines]
        yield from orders.post_tracking(order.amazon_order_id, items, carrier, tracking, to_datetime(shipped_at),
                                        integration.stores[nickname].marketplace_id)
        order.tracking = tracking
        lifecycle.fire(order, "ship_fully")
        posted.append(order)
    return posted


def sync_inventory(integration: Integration, nickname: str) -> Workflow[dict[str, int]]:
    """F001-2/4/5: warehouse quantities, with the handling time, for activated entries that exactly match a
    warehouse SKU and had activity since the last sync; at most every 12 hours; not at all for a store in
    Remote Fulfillment with FBA whose option is off. Returns {Amazon SKU: quantity sent}."""
    store = integration.stores[nickname]
    now = integration.clock.seconds()
    if not store.inventory_sync:
        return _skip(store, now, "inventory sync is off")
    if store.remote_fulfillment_enrolled and not store.remote_fulfillment_with_fba:
        return _skip(store, now, "enrolled in Remote Fulfillment with FBA but the option is No: nothing synced")
    if store.last_sync is not None and now - store.last_sync < store.inventory_sync_hours * 3600:
        return _skip(store, now, "synced less than 12 hours ago")
    stock, activity = integration.warehouse.stock, integration.warehouse.activity
    sent = {}
    for item in store.cart_items.values():
        if not item.active or item.warehouse_sku not in stock:
            continue   # only activated entries that exactly match a warehouse SKU
        if store.last_sync is not None and activity.get(item.warehouse_sku, float("-inf")) <= store.last_sync:
            continue   # no activity since the last sync
        yield from listings.set_availability(store.seller_id, item.amazon_sku, stock[item.warehouse_sku],
                                             store.fulfillment_latency_days, store.marketplace_id)
        sent[item.amazon_sku] = stock[item.warehouse_sku]
    store.last_sync = now
    store.log.append((now, "inventory", f"{len(sent)} SKUs synced"))
    return sent


def _skip(store: AmazonStore, now: float, reason: str) -> dict[str, int]:
    store.log.append((now, "inventory", reason))
    return {}


def order_check(integration: Integration,
                nickname: str) -> Workflow[tuple[list[WarehouseOrder], list[WarehouseOrder]]]:
    """What runs every order_check_minutes: take new orders, then post the tracking of what shipped."""
    taken = yield from check_orders(integration, nickname)
    posted = yield from post_tracking(integration, nickname)
    return taken, posted


def run_schedule(integration: Integration, nickname: str, hours: float) -> Workflow[list[tuple[float, str, str]]]:
    """F001-3: for `hours`, check orders (and post tracking) every order_check_minutes, and sync inventory when
    it may. Time passes only through Wait, so a test or the simulator decides what an hour is."""
    store = integration.stores[nickname]
    clock = integration.clock
    start = clock.seconds()   # read once: a live mock's clock moves between reads
    end = start + hours * 3600
    next_check = next_sync = start
    while True:
        due = min(next_check, next_sync) if store.inventory_sync else next_check
        if due > end:
            return store.log
        if due > clock.seconds():
            yield Wait(due - clock.seconds())
        if due == next_check:
            yield from order_check(integration, nickname)
            next_check += store.order_check_minutes * 60
        if store.inventory_sync and due == next_sync:
            yield from sync_inventory(integration, nickname)
            next_sync += store.inventory_sync_hours * 3600
