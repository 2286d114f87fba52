"""Orders: Amazon's side of an order, from purchase to shipment, moved by the amazon_order lifecycle.

Amazon verifies payment after `verification_seconds`; a merchant-fulfilled (MFN) order then waits for the
seller's confirmShipment, an Amazon-fulfilled (AFN) one ships from Amazon's stock after `afn_ship_seconds`,
sometimes in two shipments. Not modelled: regulated info, Easy Ship scheduling, buyer-requested cancellation.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Hashable
from weakref import WeakKeyDictionary

from faker import Faker

import mock_amazon.marketplaces as marketplaces
from mock_amazon.apis import shipments
from mock_amazon.apis.listings.backend import MFN_LOCATION
from mock_amazon.crowd import Crowd, seeded_faker
from mock_amazon.entities import Collection, Entity, iso
from mock_amazon.errors import InvalidInput
from mock_amazon.spec import parse_time
from model.inventory import InventoryError, Ledger
from model.lifecycles import Lifecycle

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.auth import Seller
    from mock_amazon.core import MockAmazon
    from mock_amazon.store import Store

SHIP_LEVELS = {"Standard": "Std US D2D Dom", "Expedited": "Exp US D2D Dom", "Priority": "Priority US D2D Dom"}
DELIVERY_DAYS = {"Standard": (3, 5), "Expedited": (2, 3), "Priority": (1, 2)}  # after the latest ship date
# updateShipmentStatus values, as getOrder reports them in EasyShipShipmentStatus
EASY_SHIP_STATUS = {"ReadyForPickup": "PendingPickUp", "PickedUp": "PickedUp", "RefusedPickup": "Undeliverable"}


@dataclass(kw_only=True, eq=False)
class AmazonOrder(Entity):
    marketplace_id: str
    fulfillment_channel: str                      # AFN or MFN
    purchase_date: float
    items: list[dict]                             # order_item_id, sku, asin, title, quantity_ordered, ...
    ship_to: dict
    buyer: dict
    shipment_category: str = "Standard"
    sales_channel: str = "Amazon.com"
    order_type: str = "StandardOrder"
    currency: str = "USD"
    is_prime: bool = False
    seller_order_id: str | None = None
    latest_ship_date: float = 0.0
    packages: list[dict] = field(default_factory=list)   # confirmShipment package details (MFN)
    shipment_status: str | None = None                    # EasyShipShipmentStatus

    @property
    def payment_method(self) -> str:
        return "Other"  # neither cash on delivery nor convenience store: the mock's buyers pay by card

    @property
    def is_ispu(self) -> bool:
        return False  # the mock's buyers never pick up in a store

    @property
    def delivery_window(self) -> tuple[float, float]:
        """EarliestDeliveryDate and LatestDeliveryDate: days after the latest ship date, by service level, to the
        second as getOrders reports them (so a filter on them agrees with the answer)."""
        first, last = DELIVERY_DAYS[self.shipment_category]
        return (math.floor(self.latest_ship_date) + first * 86_400, math.floor(self.latest_ship_date) + last * 86_400)

    @property
    def electronic_invoice_status(self) -> str | None:
        """Only Easy Ship orders (and Brazil's) have one; the mock's Easy Ship orders need none."""
        return "NotRequired" if self.shipment_status else None

    @property
    def quantity_unshipped(self) -> int:
        return sum(i["quantity_ordered"] - i["quantity_shipped"] for i in self.items)

    @property
    def quantity_shipped(self) -> int:
        return sum(i["quantity_shipped"] for i in self.items)

    @property
    def marketplace(self) -> marketplaces.Marketplace:
        return marketplaces.known(self.marketplace_id)

    @property
    def total(self) -> float:
        return round(sum(i["price"] * i["quantity_ordered"] for i in self.items), 2)


@dataclass
class OrderFilter:
    """getOrders' and searchOrders' filters besides the time window; None (or empty) filters nothing. Each compares
    with what getOrders reports for the order, so a filter and the answer never disagree."""
    statuses: list[str] | None = None             # pushed down to the store's index
    channels: list[str] | None = None
    marketplaces: list[str] | None = None
    order_ids: list[str] | None = None
    seller_order_id: str | None = None
    buyer_email: str | None = None
    payment_methods: list[str] | None = None
    easy_ship_statuses: list[str] | None = None
    is_ispu: bool | None = None
    store_chain_store_id: str | None = None
    supply_source_id: str | None = None
    electronic_invoice_statuses: list[str] | None = None
    earliest_delivery_after: float | None = None
    earliest_delivery_before: float | None = None
    latest_delivery_after: float | None = None
    latest_delivery_before: float | None = None

    def matcher(self) -> Callable[[AmazonOrder], bool]:
        """Whether an order passes every filter: made once per search, it checks only the filters that are set."""
        checks: list[Callable[[AmazonOrder], bool]] = []
        if self.store_chain_store_id is not None or self.supply_source_id is not None:
            return lambda order: False  # no order of the mock's is linked to a store chain or a supply source
        if self.channels:
            channels = self.channels
            checks.append(lambda order: order.fulfillment_channel in channels)
        if self.marketplaces:
            marketplace_ids = self.marketplaces
            checks.append(lambda order: order.marketplace_id in marketplace_ids)
        if self.order_ids:
            order_ids = self.order_ids
            checks.append(lambda order: order.id in order_ids)
        if self.seller_order_id is not None:
            seller_order_id = self.seller_order_id
            checks.append(lambda order: order.seller_order_id == seller_order_id)
        if self.buyer_email is not None:
            email = self.buyer_email.lower()
            checks.append(lambda order: order.buyer["email"].lower() == email)
        if self.payment_methods:
            methods = self.payment_methods
            checks.append(lambda order: order.payment_method in methods)
        if self.easy_ship_statuses:
            easy_ship = self.easy_ship_statuses
            checks.append(lambda order: order.shipment_status in easy_ship)
        if self.is_ispu is not None:
            is_ispu = self.is_ispu
            checks.append(lambda order: order.is_ispu == is_ispu)
        if self.electronic_invoice_statuses:
            invoices = self.electronic_invoice_statuses
            checks.append(lambda order: order.electronic_invoice_status in invoices)
        bounds = [(index, bound, after) for index, bound, after in (
            (0, self.earliest_delivery_after, True), (0, self.earliest_delivery_before, False),
            (1, self.latest_delivery_after, True), (1, self.latest_delivery_before, False)) if bound is not None]
        if bounds:
            checks.append(lambda order: all(
                order.delivery_window[index] >= bound if after else order.delivery_window[index] <= bound
                for index, bound, after in bounds))
        if len(checks) == 1:
            return checks[0]
        return lambda order: all(check(order) for check in checks)

    def as_dict(self) -> dict[str, Any]:
        """The filters by field name, as a pagination token carries them (what `OrderFilter(**...)` takes back)."""
        return {name: getattr(self, name) for name in FILTER_FIELDS}


FILTER_FIELDS = tuple(f.name for f in dataclasses.fields(OrderFilter))


class OrderCollection(Collection[AmazonOrder]):
    """The store's orders, each with what the API made of it to answer with (`rendering`), kept until the order is
    saved again: `save` is the one place an order is written. They are kept by the order object itself, weakly, so
    an order the store forgets (a rolled-back change, a wipe, a restored snapshot) takes its renderings along."""

    def __init__(self, store: Store, lifecycle: Lifecycle):
        super().__init__(store, "order", AmazonOrder, lifecycle, label="order")
        self.rendered: WeakKeyDictionary[AmazonOrder, dict[Hashable, Any]] = WeakKeyDictionary()

    def save(self, entity: AmazonOrder) -> None:
        self.rendered.pop(entity, None)
        super().save(entity)

    def rendering(self, order: AmazonOrder, shape: Hashable, render: Callable[[AmazonOrder], Any]) -> Any:
        """`render(order)`, made once per saved version of the order and `shape`. Every answer that carries it
        shares it: it must never be changed once made."""
        shapes = self.rendered.get(order)
        if shapes is None:
            shapes = self.rendered[order] = {}
        found = shapes.get(shape)
        if found is None:
            found = shapes[shape] = render(order)
        return found


class OrdersBackend:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon
        self.orders = OrderCollection(amazon.store, amazon.lifecycles.amazon_order)
        self.buyers = Crowd(seeded_faker("en_US", amazon.seed_value), _person)
        self.crowds: dict[str, Crowd] = {marketplaces.US: self.buyers}  # each marketplace's own, made on first need
        amazon.on("order.verify", self._verify)
        amazon.on("order.amazon_ships", self._amazon_ships)

    # Amazon's side
    def place(self, seller_id: str, lines: list[tuple[str, int]], channel: str, at: float | None = None,
              fake: Faker | None = None, rng: random.Random | None = None, shipment_category: str = "Standard",
              preorder: bool = False, easy_ship: bool = False, marketplace_id: str | None = None) -> AmazonOrder:
        """A customer buys `lines` (SKU, quantity) on Amazon; AFN units are reserved in Amazon's stock. A
        merchant-fulfilled order must ship by its LatestShipDate: the purchase plus the longest handling time its
        listings promise. An `easy_ship` order (merchant-fulfilled) is packed by the seller and collected by
        Amazon: its EasyShipShipmentStatus starts PendingSchedule. The order is in `marketplace_id` (the seller's
        home marketplace unless named; one the seller takes part in), by one of its buyers, in its currency."""
        amazon = self.amazon
        marketplace = self.marketplace_of(amazon.auth.known_seller(seller_id), marketplace_id)
        rng = rng or amazon.rng
        at = amazon.clock.seconds() if at is None else at
        if channel not in ("AFN", "MFN"):
            raise InvalidInput("fulfillment channel must be AFN or MFN", "channel")
        if easy_ship and channel != "MFN":
            raise InvalidInput("only merchant-fulfilled orders ship with Easy Ship", "easy_ship")
        if shipment_category not in SHIP_LEVELS:
            raise InvalidInput(f"shipment category must be one of {', '.join(SHIP_LEVELS)}", "shipment_category")
        catalog = amazon.listings.items
        ledger = amazon.ledger(seller_id)
        items = []
        promised = []  # the handling days each listing promises (lead_time_to_ship_max_days)
        for sku, quantity in lines:
            product = catalog.find(seller_id, sku)
            if product is None:
                raise InvalidInput(f"SKU {sku!r} is not in the seller's catalog", "sku")
            promised.append(product.handling_days)
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
                raise InvalidInput(f"quantity of {sku!r} must be a positive integer", "quantity")
            location = None
            try:
                if channel == "AFN":
                    location = self._reserve_afn(ledger, sku, quantity)
                elif (position := ledger.get(sku, MFN_LOCATION)) is not None:
                    # Amazon lowers the listing's quantity as it sells; never below zero.
                    ledger.adjust(sku, MFN_LOCATION, -min(quantity, position.sellable))
            except InventoryError as error:
                raise InvalidInput(str(error), "quantity") from None
            items.append({"order_item_id": amazon.new_id("##############"), "sku": sku, "asin": product.asin,
                          "title": product.title, "quantity_ordered": quantity, "quantity_shipped": 0,
                          "price": product.price, "location": location})
        person = self.person(marketplace, fake) if fake is not None else self.crowd(marketplace).pick(rng)
        order = AmazonOrder(
            id=amazon.new_id("###-#######-#######"), seller_id=seller_id, created=at, updated=at,
            marketplace_id=marketplace.id, sales_channel=marketplace.name, currency=marketplace.currency,
            fulfillment_channel=channel,
            purchase_date=at, items=items, ship_to=person["address"], buyer=person["buyer"],
            shipment_category=shipment_category, is_prime=channel == "AFN" and rng.random() < 0.5,
            latest_ship_date=at + (amazon.settings.mfn_handling_seconds or max(promised) * 86_400
                                   if channel == "MFN" else 2 * 86_400),
            order_type="Preorder" if preorder else "StandardOrder",
            shipment_status="PendingSchedule" if easy_ship else None)
        self.orders.add(order, status="PendingAvailability" if preorder else None)
        if not preorder:
            amazon.schedule(at + amazon.settings.verification_seconds, "order.verify", seller_id, order.id)
        return order

    @staticmethod
    def marketplace_of(seller: Seller, marketplace_id: str | None) -> marketplaces.Marketplace:
        """The named marketplace (an ID or a country code), which must be one of the seller's; else the home one."""
        if marketplace_id is None:
            return marketplaces.known(seller.marketplace_id)
        marketplace = marketplaces.known(marketplace_id)
        if marketplace.id not in seller.marketplace_ids:
            raise InvalidInput(f"Seller {seller.seller_id} does not sell in {marketplace.name} ({marketplace.id}); "
                               f"their marketplaces: {', '.join(seller.marketplace_ids)}.", "marketplace_id")
        return marketplace

    def crowd(self, marketplace: marketplaces.Marketplace) -> Crowd:
        """The marketplace's buyers, deterministic per mock seed."""
        if marketplace.id not in self.crowds:
            fake = seeded_faker(marketplace.faker_locale, self.amazon.seed_value)
            self.crowds[marketplace.id] = Crowd(fake, lambda f: _person_in(f, marketplace))
        return self.crowds[marketplace.id]

    @staticmethod
    def person(marketplace: marketplaces.Marketplace, fake: Faker) -> dict:
        return _person(fake) if marketplace.id == marketplaces.US else _person_in(fake, marketplace)

    @staticmethod
    def _reserve_afn(ledger: Ledger, sku: str, quantity: int) -> str:
        for position in ledger.positions_of(sku):
            if position.channel == "AFN" and position.sellable >= quantity:
                ledger.reserve(sku, position.location, quantity)
                return position.location
        raise InventoryError(f"Amazon has fewer than {quantity} sellable units of {sku!r} in one fulfilment centre")

    def _verify(self, seller_id: str, order_id: str, at: float) -> None:
        with self.orders.editing(seller_id, order_id) as order:
            if not self.orders.can_fire(order, "verify_payment"):
                return  # cancelled meanwhile
            self._fire(order, "verify_payment", at)
            if order.fulfillment_channel == "AFN":
                self.amazon.schedule(at + self.amazon.settings.afn_ship_seconds, "order.amazon_ships",
                                     seller_id, order_id)

    def _amazon_ships(self, seller_id: str, order_id: str, at: float) -> None:
        """Amazon's fulfilment centre ships what is left of an AFN order, sometimes only part of it."""
        amazon = self.amazon
        with self.orders.editing(seller_id, order_id) as order:
            if not self.orders.allows(order, "fulfil_by_amazon"):
                return
            lines = [i for i in order.items if i["quantity_ordered"] > i["quantity_shipped"]]
            split = order.status == "Unshipped" and order.quantity_unshipped > 1 and \
                amazon.rng.random() < amazon.settings.afn_partial_chance
            if split:
                lines = lines[:1]
            shipped = []
            ledger = amazon.ledger(seller_id)
            for item in lines:
                remaining = item["quantity_ordered"] - item["quantity_shipped"]
                quantity = max(1, remaining // 2) if split and len(lines) == 1 and remaining > 1 else remaining
                ledger.consume(item["sku"], item["location"], quantity)
                item["quantity_shipped"] += quantity
                shipped.append({"order_item_id": item["order_item_id"], "sku": item["sku"], "title": item["title"],
                                "quantity": quantity, "price": item["price"], "item_id": amazon.new_id("D#########")})
            shipments.record(amazon, seller_id, at, amazon_order_id=order.id, merchant_order_id=order.seller_order_id,
                             fulfillment_center_id=lines[0]["location"], ship_to=order.ship_to, buyer=order.buyer,
                             ship_service_level=order.shipment_category, items=shipped,
                             purchase_date=order.purchase_date, currency=order.currency,
                             sales_channel=order.sales_channel)
            self._fire(order, "fulfil_by_amazon", at)
            if order.status == "PartiallyShipped":
                amazon.schedule(at + amazon.settings.afn_ship_seconds / 2, "order.amazon_ships", seller_id, order_id)

    def _fire(self, order: AmazonOrder, trigger: str, at: float) -> None:
        """Every status change of an order, and the ORDER_CHANGE notification Amazon sends for it."""
        self.orders.fire(order, trigger, at)
        self.amazon.notifications.publish(order.seller_id, "ORDER_CHANGE", order_change(order, at), at)

    def cancel(self, seller_id: str, order_id: str) -> AmazonOrder:
        """The buyer or Amazon cancels an open order; reserved AFN units go back to sellable."""
        with self.orders.editing(seller_id, order_id) as order:
            self._fire(order, "cancel", self.amazon.clock.seconds())
            ledger = self.amazon.ledger(seller_id)
            for item in order.items:
                if item["location"]:
                    ledger.release(item["sku"], item["location"], item["quantity_ordered"])
        return order

    # The seller's side: the API
    def search(self, seller_id: str, *, created_after: datetime | None = None, created_before: datetime | None = None,
               updated_after: datetime | None = None, updated_before: datetime | None = None,
               filters: OrderFilter | None = None, page_size: int = 100, token: str | None = None,
               token_name: str = "NextToken") -> tuple[list[AmazonOrder], str | None]:
        """Orders in purchase order (or last-update order), filtered; keyset pagination in an opaque token, which
        carries the query (a token overrides every other criterion, as Amazon's does). Which criteria go together
        is checked before (constraints.py): exactly one of `created_after` and `updated_after` is given."""
        if token:
            query = _decode_token(token, token_name)
            wanted = OrderFilter(**query["filters"])
        else:
            by = "created" if created_after is not None else "updated"
            since, until = (created_after, created_before) if by == "created" else (updated_after, updated_before)
            if since is None:
                raise InvalidInput("Exactly one of CreatedAfter and LastUpdatedAfter is required.", "CreatedAfter")
            wanted = filters or OrderFilter()
            query = {"by": by, "since": since.timestamp(), "until": until.timestamp() if until else None,
                     "filters": None, "page_size": page_size, "after": None}  # filters: set when a token is made
        passes = wanted.matcher()
        found: list[AmazonOrder] = []
        after = query["after"]
        scan_after = tuple(after) if after else None
        batch_size = query["page_size"] + 1  # filters applied here may need more batches
        while len(found) <= query["page_size"]:
            batch = list(self.orders.scan(seller_id, order_by=query["by"], since=query["since"],
                                          until=query["until"], after=scan_after, statuses=wanted.statuses,
                                          limit=batch_size))
            if not batch:
                break
            found += filter(passes, batch)
            last = batch[-1]
            scan_after = (last.created if query["by"] == "created" else last.updated, last.id)
        page, rest = found[:query["page_size"]], found[query["page_size"]:]
        next_token = None
        if rest:
            last = page[-1]
            next_token = _encode_token({**query, "filters": wanted.as_dict(), "after": [
                last.created if query["by"] == "created" else last.updated, last.id]}, token_name)
        return page, next_token

    def get(self, seller_id: str, order_id: str) -> AmazonOrder:
        return self.orders.load(seller_id, order_id)

    def confirm_shipment(self, seller_id: str, order_id: str, payload: dict) -> None:
        """confirmShipment: the seller shipped some or all items of an MFN order."""
        detail = payload["packageDetail"]
        with self.orders.editing(seller_id, order_id) as order:
            if order.fulfillment_channel != "MFN":
                raise InvalidInput(f"Order {order_id} is fulfilled by Amazon; only merchant-fulfilled orders take "
                                   "shipment confirmations.", "orderId")
            if payload["marketplaceId"] != order.marketplace_id:
                raise InvalidInput(f"Order {order_id} belongs to marketplace {order.marketplace_id}.", "marketplaceId")
            if not self.orders.allows(order, "confirm_shipment"):
                raise InvalidInput(f"Order {order_id} is {order.status}; only Unshipped or PartiallyShipped orders "
                                   "can be confirmed.", "orderId")
            if any(p["package_reference_id"] == detail["packageReferenceId"] for p in order.packages):
                raise InvalidInput(f"Package {detail['packageReferenceId']} was already confirmed for order "
                                   f"{order_id}.", "packageReferenceId")
            parse_time("shipDate", detail["shipDate"])
            by_id = {item["order_item_id"]: item for item in order.items}
            for line in detail["orderItems"]:
                item = by_id.get(line["orderItemId"])
                if item is None:
                    raise InvalidInput(f"Order {order_id} has no item {line['orderItemId']}.", "orderItemId")
                remaining = item["quantity_ordered"] - item["quantity_shipped"]
                if not 1 <= line["quantity"] <= remaining:
                    raise InvalidInput(f"Item {line['orderItemId']} has {remaining} unshipped units; "
                                       f"{line['quantity']} cannot be confirmed.", "quantity")
                item["quantity_shipped"] += line["quantity"]
            order.packages.append({"package_reference_id": detail["packageReferenceId"],
                                   "carrier_code": detail["carrierCode"],
                                   "carrier_name": detail.get("carrierName"),
                                   "shipping_method": detail.get("shippingMethod"),
                                   "tracking_number": detail["trackingNumber"], "ship_date": detail["shipDate"],
                                   "items": [{"order_item_id": item["orderItemId"], "quantity": item["quantity"]}
                                             for item in detail["orderItems"]]})
            self._fire(order, "confirm_shipment", self.amazon.clock.seconds())

    def acknowledge(self, seller_id: str, order_id: str, merchant_order_id: str | None, success: bool) -> AmazonOrder:
        """An order acknowledgement (the POST_ORDER_ACKNOWLEDGEMENT_DATA feed): Success records the seller's own
        order number, which getOrder then reports as SellerOrderId; Failure cancels the order."""
        with self.orders.editing(seller_id, order_id) as order:
            if order.fulfillment_channel != "MFN":
                raise InvalidInput(f"Order {order_id} is fulfilled by Amazon; only merchant-fulfilled orders are "
                                   "acknowledged.", "AmazonOrderID")
            if not success:
                if not self.orders.can_fire(order, "cancel"):
                    raise InvalidInput(f"Order {order_id} is {order.status} and can no longer be cancelled.",
                                       "StatusCode")
                self._fire(order, "cancel", self.amazon.clock.seconds())
                return order
            if order.status not in ("Unshipped", "PartiallyShipped", "Shipped"):
                raise InvalidInput(f"Order {order_id} is {order.status}; only orders whose payment Amazon has "
                                   "verified can be acknowledged.", "AmazonOrderID")
            if merchant_order_id:
                order.seller_order_id = merchant_order_id
            order.updated = self.amazon.clock.seconds()
        return order

    def update_shipment_status(self, seller_id: str, order_id: str, payload: dict) -> None:
        with self.orders.editing(seller_id, order_id) as order:
            if order.status not in ("Unshipped", "PartiallyShipped"):
                raise InvalidInput(f"Order {order_id} is {order.status}; its shipment status cannot change.",
                                   "orderId")
            order.shipment_status = EASY_SHIP_STATUS[payload["shipmentStatus"]]
            order.updated = self.amazon.clock.seconds()


def order_change(order: AmazonOrder, at: float) -> dict:
    return {"OrderChangeNotification": {
        "NotificationLevel": "OrderLevel", "SellerId": order.seller_id, "AmazonOrderId": order.id,
        "OrderChangeType": "OrderStatusChange",
        "OrderChangeTrigger": {"TimeOfOrderChange": iso(at), "ChangeReason": "Order status changed"},
        "Summary": {
            "MarketplaceId": order.marketplace_id, "OrderStatus": order.status,
            "PurchaseDate": iso(order.purchase_date),
            "DestinationPostalCode": order.ship_to.get("postal_code"), "FulfillmentType": order.fulfillment_channel,
            "OrderType": order.order_type, "NumberOfItemsShipped": order.quantity_shipped,
            "NumberOfItemsUnshipped": order.quantity_unshipped, "EarliestShipDate": iso(order.purchase_date),
            "LatestShipDate": iso(order.latest_ship_date),
            "OrderItems": [{"OrderItemId": i["order_item_id"], "SellerSKU": i["sku"],
                            "SupplySourceId": i["location"] or MFN_LOCATION, "Quantity": i["quantity_ordered"],
                            "QuantityShipped": i["quantity_shipped"]} for i in order.items]}}}


def _person(fake: Faker) -> dict:
    name = fake.name()
    return {
        "buyer": {"name": name, "email": f"{fake.lexify('????????????')}@marketplace.amazon.com"},
        "address": {"name": name, "line1": fake.street_address(), "city": fake.city(),
                    "state": fake.state_abbr(include_territories=False), "postal_code": fake.postcode(),
                    "country": "US", "phone": fake.numerify("###-###-####")},
    }


def _person_in(fake: Faker, marketplace: marketplaces.Marketplace) -> dict:
    """A buyer of the marketplace's country and their address (Amazon.com's keep `_person`, as before)."""
    address = marketplaces.address(fake, marketplace)
    return {"buyer": {"name": address["name"], "email": f"{fake.lexify('????????????')}@marketplace.amazon.com"},
            "address": address}


_TOKEN_JSON = json.JSONEncoder(separators=(",", ":"))  # what json.dumps(query, separators=...) makes, made once


def _encode_token(query: dict, name: str) -> str:
    return base64.urlsafe_b64encode(_TOKEN_JSON.encode(query).encode()).decode()


def _decode_token(token: str, name: str) -> dict:
    try:
        query = json.loads(base64.urlsafe_b64decode(token.encode()))
        query["after"]  # noqa: B018 - a token without a cursor is not ours
        return query
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(f"{name} is not a valid pagination token.", name) from None
