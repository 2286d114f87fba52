"""An OMS/WMS integrated with Amazon SmartConnect (seed 003, Increff; F003-1..14), the parts that make one
integration of the seller-flex calls in `seller_flex.py`.

Onboarding: the consent URL asks for SmartConnect's two scopes, and the code Amazon's redirect carries buys the
refresh token, kept with the merchant ID and the location code. Listing mapping ties the client's SKU (the
warehouse's), the ASIN and the merchant SKU per channel; inventory goes to Amazon under the merchant SKU, orders
come back to the warehouse under the client's. Amazon pushes notifications; the integration saves them and pulls
the orders asynchronously, taking new ones at ACCEPTED (and confirming them, unless auto-confirm is off) and
following customers' cancellations. Order status is polled on a cadence at Amazon's rate. Orders of every program
are routed: FBA needs nothing, seller-flex goes through the shipment sequence at its own site, self-ship is split
across the warehouse's locations, Easy Ship is packed for Amazon to collect. Manifests are made locally, at most
100 orders each, and handed over. Every store order moves only through the store_order lifecycle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from model.clock import Clock
from model.lifecycles import Lifecycles
from model.seller import StoreOrder, Warehouse
from model.workflows import orders, returns, routing, seller_flex
from model.workflows.pacing import Pacer
from model.workflows.protocol import Request, Wait, Workflow, WorkflowError, expect_ok
from model.workflows.session import Session

SCOPES = ("smartconnect::inventories", "smartconnect::orders")
CONSENT_URL = "https://www.amazon.com/ap/oa"
CHANNEL = "Amazon SF SmartConnect"
SHIPMENT_EVENT = "EXTERNAL_FULFILLMENT_SHIPMENT_STATUS_CHANGE"
RATE = 6.0                 # calls per second per merchant (seed 003)
POLL_SECONDS = 5.0         # order status, every 5 seconds (seed 003)
MANIFEST_LIMIT = 100
#: every External Fulfillment call the integration makes, each kept to Amazon's rate per merchant
PACED = ("batchInventory", "getShipments", "getShipment", "processShipment", "createPackages", "updatePackage",
         "retrieveShippingOptions", "generateInvoice", "generateShipLabels", "updatePackageStatus", "listReturns",
         "getReturn")


def consent_url(client_id: str, redirect_uri: str, state: str = "") -> str:
    """Onboarding step 1: where the seller authorizes the integrator, asking for SmartConnect's scopes."""
    return CONSENT_URL + "?" + urlencode({"client_id": client_id, "scope": " ".join(SCOPES), "response_type": "code",
                                          "redirect_uri": redirect_uri, **({"state": state} if state else {})})


@dataclass
class Channel:
    """What the channel onboarding holds: the merchant ID (merchant token), the node's location code, the
    seller's KMS key ARN, and the refresh token the authorization code bought."""
    merchant_id: str
    location: str
    client_id: str
    client_secret: str
    refresh_token: str
    kms_key_arn: str = ""


def connect(merchant_id: str, location: str, client_id: str, client_secret: str, code: str,
            kms_key_arn: str = "") -> Workflow[Channel]:
    """The code from Amazon's redirect exchanged once for the refresh token (authorization_code grant)."""
    response = yield Request("lwa.token", body={"grant_type": "authorization_code", "code": code,
                                                "client_id": client_id, "client_secret": client_secret})
    if response.status != 200:
        raise WorkflowError(f"Login with Amazon refused the authorization: {response.body}", response)
    return Channel(merchant_id, location, client_id, client_secret, response.body["refresh_token"], kms_key_arn)


def pace(session: Session, clock: Clock) -> Session:
    """The integration keeps Amazon's rate (6 calls a second per merchant) for each call it makes."""
    for operation in PACED:
        session.pacers.setdefault(operation, Pacer(RATE, 1, clock.seconds()))
    return session


@dataclass(frozen=True)
class ListingMapping:
    """A row of the listing mapping (seed 003, step 2): clientSkuId, channelSerialNo, channelSkuId, Marketplace."""
    client_sku: str          # the EAN code, the warehouse's SKU
    channel_serial_no: str   # the ASIN
    channel_sku: str         # the merchant SKU at Amazon
    marketplace: str = CHANNEL


@dataclass
class Integration:
    """The integration for one seller-flex site (`location`): its warehouse (stock by client SKU), the listing
    mapping, the sequence numbers sent, its orders and returns, the notifications it saved, and its settings."""
    clock: Clock
    location: str
    warehouse: Warehouse
    marketplace_id: str = "ATVPDKIKX0DER"
    book: seller_flex.SequenceBook = field(default_factory=seller_flex.SequenceBook)
    mappings: dict[str, ListingMapping] = field(default_factory=dict)     # by channel (merchant) SKU
    orders: dict[str, StoreOrder] = field(default_factory=dict)           # by shipment or Amazon order ID
    packages: dict[str, list[dict]] = field(default_factory=dict)         # shipment ID -> packages packed
    inbox: list[dict] = field(default_factory=list)                       # saved notifications, oldest first
    routed: dict[str, str] = field(default_factory=dict)                  # order ID -> its program
    locations: dict[str, dict[str, int]] = field(default_factory=dict)    # self-ship stock per location
    auto_confirm: bool = True            # confirm new orders on taking them (only one integrator may)
    capture_dimensions: bool = False     # "Capture Packet Dimensions": pack with what the packer enters
    captured: dict[str, dict] = field(default_factory=dict)               # client SKU -> dimensions entered
    lifecycles: Lifecycles = None  # type: ignore[assignment]  # None: __post_init__ makes one on `clock`
    return_book: returns.ReturnBook = None  # type: ignore[assignment]  # made in __post_init__

    def __post_init__(self) -> None:
        self.lifecycles = self.lifecycles or Lifecycles(self.clock)
        self.return_book = self.return_book or returns.ReturnBook(self.lifecycles.store_return, self.warehouse,
                                                                  self.client_sku)

    def map_listing(self, mapping: ListingMapping) -> None:
        self.mappings[mapping.channel_sku] = mapping

    def client_sku(self, merchant_sku: str) -> str:
        mapping = self.mappings.get(merchant_sku)
        return mapping.client_sku if mapping else merchant_sku

    def merchant_sku(self, client_sku: str) -> str:
        return next((m.channel_sku for m in self.mappings.values() if m.client_sku == client_sku), client_sku)


# inventory (F003-2/3/14)
def push(integration: Integration, client_sku: str) -> Workflow[seller_flex.PushResult]:
    """The warehouse's free quantity of a client SKU goes to Amazon under its merchant SKU, at the site."""
    return (yield from seller_flex.push_inventory(integration.merchant_sku(client_sku), integration.location,
                                                  max(0, integration.warehouse.free(client_sku)), integration.book,
                                                  integration.marketplace_id))


# forward orders (F003-4/5/11)
def save(integration: Integration, messages: list[dict]) -> int:
    """Amazon's notifications as they arrive (SQS messages' bodies): the shipment and return events are saved,
    to be processed asynchronously. Returns how many were saved."""
    kept = [m for m in messages if m["type"] in (SHIPMENT_EVENT, returns.RETURN_EVENT)]
    integration.inbox.extend(kept)
    return len(kept)


def process_inbox(integration: Integration) -> Workflow[list[str]]:
    """Each saved notification in turn: the order (or return) it names is pulled and followed. Returns what was
    handled, as "shipment ID: status" or "return ID: status"."""
    handled = []
    while integration.inbox:
        message = integration.inbox.pop(0)
        payload = message["body"]["payload"]
        if message["type"] == returns.RETURN_EVENT:
            kept = yield from returns.apply_event(integration.return_book, payload)
            handled.append(f"{kept.id}: {kept.amazon_status}")
            continue
        shipment = yield from seller_flex.shipment_status(payload["shipmentId"])
        yield from follow(integration, shipment)
        handled.append(f"{shipment['id']}: {shipment['status']}")
    return handled


def follow(integration: Integration, shipment: dict) -> Workflow[StoreOrder | None]:
    """A shipment as Amazon now holds it: a new one at ACCEPTED is taken; a known one Amazon cancelled (the
    customer did) is cancelled in the store and its units released."""
    order = integration.orders.get(shipment["id"])
    if order is None and shipment["status"] == "ACCEPTED":
        return (yield from take(integration, shipment))
    if order is not None and shipment["status"] == "CANCELLED" and order.status != "canceled":
        integration.lifecycles.store_order.fire(order, "cancel")
        for sku, units in order.lines:
            integration.warehouse.release(sku, units)
        order.note.append(f"cancelled at Amazon: {shipment.get('reason', '')}")
    return order


def take(integration: Integration, shipment: dict) -> Workflow[StoreOrder]:
    """A new order, taken at ACCEPTED: a store order of the client's SKUs with their units allocated, confirmed
    at Amazon when auto-confirm is on."""
    lines = [(integration.client_sku(i["merchantSku"]), i["numberOfUnits"]) for i in shipment["lineItems"]]
    order = StoreOrder(shipment["id"], "seller_flex", shipment["id"], lines, created=integration.clock.seconds(),
                       item_ids=[i["shipmentLineItemId"] for i in shipment["lineItems"]])
    store_orders = integration.lifecycles.store_order
    store_orders.restore(order)
    store_orders.fire(order, "import_order")
    integration.orders[order.id] = order
    for sku, units in lines:
        if not integration.warehouse.allocate(sku, units):
            order.note.append(f"short of {sku}")
    if integration.auto_confirm:
        answer = yield from seller_flex.confirm(shipment["id"])
        order.note.append(f"confirm: {answer}")
        if answer == "confirmed":
            store_orders.fire(order, "acknowledge")
    return order


def take_new_orders(integration: Integration) -> Workflow[list[StoreOrder]]:
    """New orders are fetched at ACCEPTED, not CONFIRMED (seed 003's migration FAQ), and each taken once."""
    taken = []
    for shipment in (yield from seller_flex.accepted_orders(integration.location)):
        if shipment["id"] not in integration.orders:
            taken.append((yield from take(integration, shipment)))
    return taken


def poll_statuses(integration: Integration, shipment_ids: list[str], rounds: int,
                  every_seconds: float = POLL_SECONDS, rate: float = RATE) -> Workflow[dict[str, str]]:
    """F003-10: every `every_seconds`, each order's status once, never faster than `rate` calls a second; the
    integration keeps the pace itself. Returns the last status of each."""
    statuses: dict[str, str] = {}
    clock = integration.clock
    start = clock.seconds()
    for number in range(rounds):
        due = start + number * every_seconds
        if due > clock.seconds():
            yield Wait(due - clock.seconds())
        for index, shipment_id in enumerate(shipment_ids):
            if index:
                yield Wait(1.0 / rate)
            statuses[shipment_id] = (yield from seller_flex.shipment_status(shipment_id))["status"]
    return statuses


# shipping (F003-7/8/9)
def dimensions_for(integration: Integration, shipment: dict) -> dict[str, dict]:
    """What to pack each merchant SKU with: Amazon's recommended package, or with "Capture Packet Dimensions" on,
    the dimensions the packer entered for the client SKU (where entered)."""
    dimensions = seller_flex.recommended_dimensions(shipment)
    if integration.capture_dimensions:
        for item in shipment["lineItems"]:
            captured = integration.captured.get(integration.client_sku(item["merchantSku"]))
            if captured is not None:
                dimensions[item["merchantSku"]] = captured
    return dimensions


def pack_and_label(integration: Integration, shipment_id: str) -> Workflow[dict]:
    """The shipment sequence up to the label: the order read, packed, a pickup slot, the invoice, the labels."""
    shipment = yield from seller_flex.shipment_status(shipment_id)
    packed = yield from seller_flex.pack(shipment, dimensions_for(integration, shipment))
    if not packed["ok"]:
        return packed
    integration.packages[shipment_id] = packed["packages"]
    labelled = yield from seller_flex.label(shipment_id, packed["packages"])
    if labelled["ok"] and shipment_id in integration.orders:
        integration.orders[shipment_id].tracking = labelled["tracking"]
    return labelled


def make_manifests(integration: Integration, shipment_ids: list[str],
                   limit: int = MANIFEST_LIMIT) -> list[list[str]]:
    """F003-8: manifests of the labelled orders, at most `limit` each, made locally (no call to Amazon)."""
    labelled = [s for s in shipment_ids if s in integration.packages and integration.orders.get(s) is not None
                and integration.orders[s].tracking]
    return routing.manifests(labelled, limit)


def hand_over(integration: Integration, manifest: list[str]) -> Workflow[list[str]]:
    """F003-9: every order of a manifest handed to the carrier; each store order is then shipped."""
    shipped = []
    for shipment_id in manifest:
        handed = yield from seller_flex.hand_over(shipment_id, [p["id"] for p in integration.packages[shipment_id]])
        order = integration.orders.get(shipment_id)
        if handed["ok"] and order is not None:
            for sku, units in order.lines:
                integration.warehouse.ship(sku, units)
            order.shipped_at = integration.clock.seconds()
            if integration.lifecycles.store_order.can_fire(order, "ship_fully"):
                integration.lifecycles.store_order.fire(order, "ship_fully")
            shipped.append(shipment_id)
    return shipped


# routing (F003-1/6)
def route_new_orders(integration: Integration, since: datetime,
                     carrier: str = "BlueDart") -> Workflow[dict[str, str]]:
    """Every new order, by its program (F003-1): FBA orders need nothing (Amazon ships them); self-ship orders
    are split across the warehouse's locations (F003-6) and each location's part shipped with the seller's own
    carrier, its tracking posted; Easy Ship orders are packed and left for Amazon to collect; seller-flex orders
    go through the shipment sequence whole, at their own site. Returns {order ID: program}."""
    store_orders = integration.lifecycles.store_order
    for summary in (yield from orders.list_orders(since, integration.marketplace_id, statuses="Unshipped")):
        order_id = summary["AmazonOrderId"]
        if order_id in integration.routed:
            continue
        program = integration.routed[order_id] = routing.program_of(summary)
        if program == "FBA":
            continue
        items = yield from orders.order_items(order_id)
        order = StoreOrder(order_id, "amazon", order_id, [(i["SellerSKU"], i["QuantityOrdered"]) for i in items],
                           created=integration.clock.seconds(), item_ids=[i["OrderItemId"] for i in items])
        store_orders.restore(order)
        store_orders.fire(order, "import_order")
        store_orders.fire(order, "acknowledge")
        integration.orders[order_id] = order
        if program == "EASY_SHIP":
            response = yield Request("ordersV0.updateShipmentStatus", path={"orderId": order_id},
                                     body={"marketplaceId": integration.marketplace_id,
                                           "shipmentStatus": "ReadyForPickup"})
            expect_ok(response, "updateShipmentStatus")
            order.note.append("packed; Amazon collects and delivers")
            continue
        plan = routing.split_across_locations(order.lines, integration.locations, program)
        item_of = {i["SellerSKU"]: i["OrderItemId"] for i in items}
        for number, (location, parts) in enumerate(sorted(plan.items()), start=1):
            for sku, units in parts:
                integration.locations[location][sku] -= units
            tracking = f"{location}-{order_id}-{number}"
            yield from orders.post_tracking(order_id, [{"OrderItemId": item_of[sku], "QuantityOrdered": units}
                                                       for sku, units in parts], carrier, tracking,
                                            integration.clock.now(), integration.marketplace_id)
            order.tracking.append(tracking)
            order.note.append(f"{location} shipped {', '.join(f'{sku} x{units}' for sku, units in parts)}")
        store_orders.fire(order, "ship_fully")
    for shipment in (yield from seller_flex.accepted_orders(integration.location)):
        integration.routed[shipment["id"]] = "SELLER_FLEX"   # never split: the whole order ships from its site
        taken = yield from take(integration, shipment)
        labelled = yield from pack_and_label(integration, shipment["id"])
        if labelled["ok"] and taken.status == "acknowledged":
            yield from hand_over(integration, [shipment["id"]])
    return dict(integration.routed)


def smartconnect_orders(rows: list[dict], locations: list[str]) -> dict[str, str]:
    """Seed 003's FAQ: SmartConnect orders are found in the Amazon Fulfilled Shipments report by the warehouse
    ID (fulfillment-center-id) of the seller's sites; only fulfilled orders are in it. {order ID: site}."""
    return {row["amazon-order-id"]: row["fulfillment-center-id"] for row in rows
            if row["fulfillment-center-id"] in locations}
