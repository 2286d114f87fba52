"""Multi-channel fulfillment (MCF): Amazon ships the seller's FBA stock to a customer of another channel.

An order is created by the API or by a flat-file feed (one validation for both), is idempotent by its
sellerFulfillmentOrderId, and moves through the fulfillment_order lifecycle on the clock:
Received -> Planning (stock is checked and reserved per the fulfillment policy) -> Processing -> Complete or
CompletePartialled, in one or several shipments, each with a package, a carrier and a tracking number; or
Unfulfillable, Cancelled, Invalid. A Hold order waits in Received until it is updated to Ship.

Fulfillment policies: FillOrKill ships nothing unless everything is in stock; FillAll waits up to
`mcf_fill_all_attempts` planning rounds for missing stock, then ships what it has; FillAllAvailable ships what
is in stock at once. Not modelled: COD, delivery windows and scheduled delivery, returns (createFulfillmentReturn),
feature constraints.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pycountry

import mock_amazon.marketplaces as marketplaces
from mock_amazon.apis import shipments
from mock_amazon.constraints import feature_names
from mock_amazon.entities import Collection, Entity, iso
from mock_amazon.errors import InvalidInput
from model.inventory import Ledger

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

SPEEDS = ("Standard", "Expedited", "Priority")
MAX_LINES, MAX_UNITS = 100, 250          # per order: "Maximum of 100 line items with a maximum of 250 units"
DISPLAYABLE_TEXT = re.compile(r"[\x20-\x7e\xa0-\xff]+")  # ISO 8859-1's printable characters
PO_BOX = re.compile(r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box)\b", re.IGNORECASE)
NO_PO_BOX_SPEEDS = ("Expedited", "Priority")
TRANSIT_DAYS = {"Standard": 5, "Expedited": 3, "Priority": 1, "ScheduledDelivery": 2}


@dataclass(kw_only=True, eq=False)
class FulfillmentOrder(Entity):
    """An MCF order; its ID is the seller's sellerFulfillmentOrderId."""
    amazon_order_id: str
    marketplace_id: str
    displayable_order_id: str
    displayable_order_date: str
    displayable_order_comment: str
    shipping_speed: str
    destination: dict
    fulfillment_action: str = "Ship"
    fulfillment_policy: str = "FillOrKill"
    notification_emails: list[str] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)      # seller_sku, item_id, quantity, cancelled, unfulfillable,
    #                                                      reserved: {location: quantity}
    shipments: list[dict] = field(default_factory=list)  # amazon_shipment_id, centre, shipped, arrival, items,
    #                                                      package: {number, carrier, tracking}
    request_hash: str = ""
    planning_rounds: int = 0
    source: str = "api"

    @property
    def status_updated(self) -> float:
        return self.updated


def request_hash(request: dict) -> str:
    """What makes two requests the same order: everything but the noise clients add."""
    meaningful = {k: v for k, v in request.items() if k not in ("marketplaceIds", "MarketplaceIds", "path")}
    return hashlib.sha256(json.dumps(meaningful, sort_keys=True).encode()).hexdigest()


def validate_request(amazon: MockAmazon, seller_id: str, request: dict) -> list[tuple[str, str]]:
    """Every problem of a fulfillment request, as (field, message): the API answers the first, a feed's
    processing report lists them all. The rules the model states in words are rows of constraints.py's table."""
    problems = []
    address = request.get("destinationAddress") or {}
    country_code = address.get("countryCode") or ""
    country = _country(country_code)
    required = ("name", "addressLine1", "postalCode", "countryCode") + (() if country_code == "JP" else ("city",))
    for key in required:
        if not str(address.get(key) or "").strip():
            problems.append((f"destinationAddress.{key}", f"destinationAddress.{key} is required."))
    if country_code and country is None:
        problems.append(("destinationAddress.countryCode",
                         f"{country_code!r} is not an ISO 3166-1 alpha-2 country code."))
    ship_from = request.get("shipFromCountryCode")
    if ship_from is not None and _country(ship_from) is None:
        problems.append(("shipFromCountryCode", f"{ship_from!r} is not an ISO 3166-1 alpha-2 country code."))
    state = address.get("stateOrRegion")
    if country is not None and country.alpha_2 in ("US", "CA", "IN"):
        if not state:
            problems.append(("destinationAddress.stateOrRegion",
                             f"destinationAddress.stateOrRegion is required for {country.alpha_2}."))
        elif pycountry.subdivisions.get(code=f"{country.alpha_2}-{state}") is None:
            problems.append(("destinationAddress.stateOrRegion",
                             f"{state!r} is not an ISO 3166-2 subdivision code of {country.alpha_2}."))
    speed = request.get("shippingSpeedCategory")
    if speed not in SPEEDS:
        problems.append(("shippingSpeedCategory", f"shippingSpeedCategory must be one of {', '.join(SPEEDS)}."))
    lines = " ".join(str(address.get(k) or "") for k in ("addressLine1", "addressLine2", "addressLine3"))
    if speed in NO_PO_BOX_SPEEDS and PO_BOX.search(lines):
        problems.append(("destinationAddress.addressLine1", f"PO boxes cannot receive {speed} shipments."))
    items = request.get("items") or []
    problems += _size_problems(items)
    seen = set()
    for index, item in enumerate(items):
        sku = item.get("sellerSku")
        listing = amazon.listings.items.find(seller_id, sku) if sku else None
        if listing is None or listing.channel != "AFN":
            problems.append((f"items[{index}].sellerSku", f"{sku!r} is not a known FBA seller SKU."))
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            problems.append((f"items[{index}].quantity", f"quantity of {sku!r} must be an integer above 0."))
        item_id = item.get("sellerFulfillmentOrderItemId")
        if not item_id or item_id in seen:
            problems.append((f"items[{index}].sellerFulfillmentOrderItemId",
                             "sellerFulfillmentOrderItemId must be present and unique within the order."))
        seen.add(item_id)
    if request.get("fulfillmentAction", "Ship") not in ("Ship", "Hold"):
        problems.append(("fulfillmentAction", "fulfillmentAction must be Ship or Hold."))
    if request.get("fulfillmentPolicy", "FillOrKill") not in ("FillOrKill", "FillAll", "FillAllAvailable"):
        problems.append(("fulfillmentPolicy", "fulfillmentPolicy must be FillOrKill, FillAll or FillAllAvailable."))
    order_id = request.get("sellerFulfillmentOrderId") or ""
    if not order_id or len(order_id) > 40:
        problems.append(("sellerFulfillmentOrderId", "sellerFulfillmentOrderId must have 1 to 40 characters."))
    displayable = request.get("displayableOrderId")
    if displayable is not None and not _displayable(displayable):
        problems.append(("displayableOrderId", "displayableOrderId must be 1 to 40 alphanumeric or ISO 8859-1 "
                                               "characters, without two spaces in a row."))
    problems += _feature_problems(request)
    return problems


def _country(code: object) -> Any:
    """The ISO 3166-1 country an alpha-2 code names, or None."""
    return pycountry.countries.get(alpha_2=code) if isinstance(code, str) and len(code) == 2 else None


def _displayable(text: str) -> bool:
    trimmed = text.strip()  # Amazon removes leading and trailing white space
    return 1 <= len(trimmed) <= 40 and DISPLAYABLE_TEXT.fullmatch(trimmed) is not None and "  " not in trimmed


def _size_problems(items: list) -> list[tuple[str, str]]:
    """At most MAX_LINES lines and MAX_UNITS units in one order (or preview)."""
    problems = []
    if len(items) > MAX_LINES:
        problems.append(("items", f"A fulfillment order takes at most {MAX_LINES} line items, not {len(items)}."))
    quantities = [item.get("quantity") for item in items if isinstance(item, dict)]
    units = sum(q for q in quantities if isinstance(q, int) and not isinstance(q, bool))
    if units > MAX_UNITS:
        problems.append(("items", f"A fulfillment order takes at most {MAX_UNITS} units in all, not {units}."))
    return problems


def _feature_problems(request: dict) -> list[tuple[str, str]]:
    problems = []
    for index, feature in enumerate(request.get("featureConstraints") or []):
        name = feature.get("featureName") if isinstance(feature, dict) else None
        if name not in feature_names():
            problems.append((f"featureConstraints[{index}].featureName",
                             f"{name!r} is not a feature name; valid: {', '.join(feature_names())}."))
    return problems


class FulfillmentOutboundBackend:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon
        self.orders: Collection[FulfillmentOrder] = Collection(amazon.store, "fulfillment_order", FulfillmentOrder,
                                                               amazon.lifecycles.fulfillment_order,
                                                               label="fulfillment order")
        amazon.on("mcf.plan", self._plan)
        amazon.on("mcf.process", self._process)
        amazon.on("mcf.ship", self._ship)

    # creating
    def create(self, seller_id: str, request: dict, source: str = "api") -> tuple[FulfillmentOrder, bool]:
        """Create the order, or find the identical one already created; (order, created_now).

        A different request under an existing sellerFulfillmentOrderId is refused.
        """
        order_id = request.get("sellerFulfillmentOrderId") or ""
        existing = self.orders.find(seller_id, order_id) if order_id else None
        if existing is not None:
            if existing.request_hash == request_hash(request):
                return existing, False
            raise InvalidInput(f"A different fulfillment order with sellerFulfillmentOrderId {order_id} already "
                               "exists.", "sellerFulfillmentOrderId")
        problems = validate_request(self.amazon, seller_id, request)
        if problems:
            raise InvalidInput(problems[0][1], problems[0][0])
        now = self.amazon.now()
        marketplace = request.get("marketplaceId") or self.amazon.auth.known_seller(seller_id).marketplace_id
        order = FulfillmentOrder(
            id=order_id, seller_id=seller_id, created=now, updated=now,
            amazon_order_id=self.amazon.new_id("S01-#######-#######"), marketplace_id=marketplace,
            displayable_order_id=(request.get("displayableOrderId") or order_id).strip(),
            displayable_order_date=request.get("displayableOrderDate") or iso(now),
            displayable_order_comment=request.get("displayableOrderComment") or "",
            shipping_speed=request["shippingSpeedCategory"], destination=request["destinationAddress"],
            fulfillment_action=request.get("fulfillmentAction", "Ship"),
            fulfillment_policy=request.get("fulfillmentPolicy", "FillOrKill"),
            notification_emails=request.get("notificationEmails") or [],
            items=[{"seller_sku": i["sellerSku"], "item_id": i["sellerFulfillmentOrderItemId"],
                    "quantity": i["quantity"], "cancelled": 0, "unfulfillable": 0, "reserved": {}}
                   for i in request["items"]],
            request_hash=request_hash(request), source=source)
        with self.amazon.store.transaction():
            self.orders.add(order)
            with self.orders.editing(seller_id, order_id) as stored:
                self._fire(stored, "receive", now)
                if stored.fulfillment_action == "Ship":
                    self.amazon.schedule(now + self.amazon.settings.mcf_planning_seconds, "mcf.plan",
                                         seller_id, order_id)
        return self.orders.load(seller_id, order_id), True

    # Amazon's side
    def _fire(self, order: FulfillmentOrder, trigger: str, at: float) -> None:
        """Every status change, and the FULFILLMENT_ORDER_STATUS notification Amazon sends for it."""
        self.orders.fire(order, trigger, at)
        self._announce(order, at, None)

    def _announce(self, order: FulfillmentOrder, at: float, shipment: dict | None) -> None:
        self.amazon.notifications.publish(order.seller_id, "FULFILLMENT_ORDER_STATUS",
                                        status_notification(order, at, shipment), at)

    def _plan(self, seller_id: str, order_id: str, at: float) -> None:
        settings, rng = self.amazon.settings, self.amazon.rng
        with self.orders.editing(seller_id, order_id) as order:
            if order.status not in ("Received", "Planning") or order.fulfillment_action != "Ship":
                return
            if order.status == "Received":
                self._fire(order, "plan", at)
            ledger = self.amazon.ledger(seller_id)
            available = {i["seller_sku"]: ledger.total(i["seller_sku"], channel="AFN") for i in order.items}
            short = [i for i in order.items if available[i["seller_sku"]] < i["quantity"]]
            if rng.random() < settings.mcf_unfulfillable_chance:
                short = list(order.items)
                available = {sku: 0 for sku in available}
            if short and order.fulfillment_policy == "FillAll" and order.planning_rounds < \
                    settings.mcf_fill_all_attempts:
                order.planning_rounds += 1  # wait for stock, then look again
                self.amazon.schedule(at + settings.mcf_planning_seconds, "mcf.plan", seller_id, order_id)
                return
            if short and order.fulfillment_policy == "FillOrKill":
                for item in order.items:
                    item["unfulfillable"] = item["quantity"]
                self._fire(order, "mark_unfulfillable", at)
                return
            for item in order.items:
                fillable = min(item["quantity"], available[item["seller_sku"]])
                if order.fulfillment_policy == "FillAllAvailable" and fillable > 1 and \
                        rng.random() < settings.mcf_partial_chance:
                    fillable = rng.randint(1, fillable - 1)
                item["unfulfillable"] = item["quantity"] - fillable
                self._reserve(ledger, item, fillable)
            if not any(item["reserved"] for item in order.items):
                self._fire(order, "mark_unfulfillable", at)
                return
            self.amazon.schedule(at + settings.mcf_processing_seconds, "mcf.process", seller_id, order_id)

    @staticmethod
    def _reserve(ledger: Ledger, item: dict, quantity: int) -> None:
        for position in ledger.positions_of(item["seller_sku"]):
            if quantity == 0:
                break
            if position.channel != "AFN" or position.sellable == 0:
                continue
            taken = min(quantity, position.sellable)
            ledger.reserve(item["seller_sku"], position.location, taken)
            item["reserved"][position.location] = item["reserved"].get(position.location, 0) + taken
            quantity -= taken

    def _process(self, seller_id: str, order_id: str, at: float) -> None:
        with self.orders.editing(seller_id, order_id) as order:
            if not self.orders.can_fire(order, "process"):
                return
            self._fire(order, "process", at)
        self.amazon.schedule(at + self.amazon.settings.mcf_ship_seconds, "mcf.ship", seller_id, order_id)

    def _ship(self, seller_id: str, order_id: str, at: float) -> None:
        """The fulfilment centres ship what was reserved: one shipment per centre, or two when Amazon splits."""
        amazon = self.amazon
        with self.orders.editing(seller_id, order_id) as order:
            if not self.orders.allows(order, "complete"):
                return
            ledger = amazon.ledger(seller_id)
            groups: dict[str, list[tuple[dict, int]]] = {}
            for item in order.items:
                for location, quantity in item["reserved"].items():
                    groups.setdefault(location, []).append((item, quantity))
            parts = []
            for location, lines in groups.items():
                split = len(lines) > 1 and amazon.rng.random() < amazon.settings.mcf_split_chance
                parts += [(location, lines[:1]), (location, lines[1:])] if split else [(location, lines)]
            arrival = at + TRANSIT_DAYS.get(order.shipping_speed, 5) * 86_400
            for location, lines in parts:
                package_number = self._next_package_number()
                record = shipments.record(
                    amazon, seller_id, at, amazon_order_id=order.amazon_order_id, merchant_order_id=order.id,
                    fulfillment_center_id=location, ship_to=_ship_to(order.destination),
                    ship_service_level=order.shipping_speed, purchase_date=order.created,
                    sales_channel=marketplaces.known(order.marketplace_id).name,
                    currency=marketplaces.known(order.marketplace_id).currency,
                    items=[{"order_item_id": item["item_id"], "sku": item["seller_sku"],
                            "title": self._title(seller_id, item["seller_sku"]), "quantity": quantity, "price": 0.0,
                            "item_id": amazon.new_id("D#########")} for item, quantity in lines])
                for item, quantity in lines:
                    ledger.consume(item["seller_sku"], location, quantity)
                shipment = {"amazon_shipment_id": record.id, "centre": location, "shipped": at, "arrival": arrival,
                            "items": [{"seller_sku": item["seller_sku"], "item_id": item["item_id"],
                                       "quantity": quantity, "package_number": package_number}
                                      for item, quantity in lines],
                            "package": {"number": package_number, "carrier": record.carrier,
                                        "tracking": record.tracking_number}}
                order.shipments.append(shipment)
            for item in order.items:
                item["reserved"] = {}
            partial = any(item["unfulfillable"] for item in order.items)
            self._fire(order, "complete_partially" if partial else "complete", at)
            for shipment in order.shipments:
                self._announce(order, at, shipment)

    def _next_package_number(self) -> int:
        number = self.amazon.store.setting("package_number", 100_000_000) + 1
        self.amazon.store.set_setting("package_number", number)
        return number

    def _title(self, seller_id: str, sku: str) -> str:
        listing = self.amazon.listings.items.find(seller_id, sku)
        return listing.title if listing else sku

    # the seller's side
    def update(self, seller_id: str, order_id: str, changes: dict) -> FulfillmentOrder:
        with self.orders.editing(seller_id, order_id) as order:
            if order.status not in ("Received", "Planning"):
                raise InvalidInput(f"Fulfillment order {order_id} is {order.status}; it can be updated only while "
                                   "Received or Planning.", "sellerFulfillmentOrderId")
            candidate = {"sellerFulfillmentOrderId": order.id,
                         "destinationAddress": changes.get("destinationAddress", order.destination),
                         "shippingSpeedCategory": changes.get("shippingSpeedCategory", order.shipping_speed),
                         "fulfillmentAction": changes.get("fulfillmentAction", order.fulfillment_action),
                         "fulfillmentPolicy": changes.get("fulfillmentPolicy", order.fulfillment_policy),
                         "displayableOrderId": changes.get("displayableOrderId", order.displayable_order_id),
                         "shipFromCountryCode": changes.get("shipFromCountryCode"),
                         "featureConstraints": changes.get("featureConstraints"),
                         "items": [{"sellerSku": i["seller_sku"], "sellerFulfillmentOrderItemId": i["item_id"],
                                    "quantity": i["quantity"]} for i in order.items]}
            by_id = {i["sellerFulfillmentOrderItemId"]: i for i in candidate["items"]}
            for change in changes.get("items") or []:
                if change["sellerFulfillmentOrderItemId"] not in by_id:
                    raise InvalidInput(f"Order {order_id} has no item {change['sellerFulfillmentOrderItemId']}.",
                                       "items.sellerFulfillmentOrderItemId")
                by_id[change["sellerFulfillmentOrderItemId"]]["quantity"] = change["quantity"]
            problems = validate_request(self.amazon, seller_id, candidate)
            if problems:
                raise InvalidInput(problems[0][1], problems[0][0])
            if order.status == "Planning" and changes.get("items"):
                raise InvalidInput("Items cannot change once planning has started.", "items")
            released = order.fulfillment_action == "Hold" and candidate["fulfillmentAction"] == "Ship"
            order.destination = candidate["destinationAddress"]
            order.shipping_speed = candidate["shippingSpeedCategory"]
            order.fulfillment_action = candidate["fulfillmentAction"]
            order.fulfillment_policy = candidate["fulfillmentPolicy"]
            for item in order.items:
                item["quantity"] = by_id[item["item_id"]]["quantity"]
            for key, attribute in (("displayableOrderId", "displayable_order_id"),
                                   ("displayableOrderDate", "displayable_order_date"),
                                   ("displayableOrderComment", "displayable_order_comment"),
                                   ("notificationEmails", "notification_emails")):
                if key in changes:
                    value = changes[key]
                    setattr(order, attribute, value.strip() if key == "displayableOrderId" else value)
            order.updated = self.amazon.now()
            if released:
                self.amazon.schedule(order.updated + self.amazon.settings.mcf_planning_seconds, "mcf.plan", seller_id,
                                   order_id)
        return order

    def cancel(self, seller_id: str, order_id: str) -> FulfillmentOrder:
        with self.orders.editing(seller_id, order_id) as order:
            if not self.amazon.lifecycles.fulfillment_order.can_fire(order, "cancel"):
                raise InvalidInput(f"Fulfillment order {order_id} is {order.status} and can no longer be cancelled.",
                                   "sellerFulfillmentOrderId")
            self._release_reservations(order)
            for item in order.items:
                item["cancelled"] = item["quantity"] - item["unfulfillable"]
            self._fire(order, "cancel", self.amazon.now())
        return order

    def _release_reservations(self, order: FulfillmentOrder) -> None:
        """Reserved units go back to sellable (a cancelled or failed order)."""
        ledger = self.amazon.ledger(order.seller_id)
        for item in order.items:
            for location, quantity in item["reserved"].items():
                ledger.release(item["seller_sku"], location, quantity)
            item["reserved"] = {}

    def force_status(self, seller_id: str, order_id: str, target: str) -> FulfillmentOrder:
        """submitFulfillmentOrderStatusUpdate (sandbox): run Amazon's side now until the order reaches `target`."""
        steps = {"Planning": [self._plan], "Processing": [self._plan, self._process],
                 "Complete": [self._plan, self._process, self._ship],
                 "CompletePartialled": [self._plan, self._process, self._ship]}
        now = self.amazon.now()
        if target == "Cancelled":
            return self.cancel(seller_id, order_id)
        if target in ("Unfulfillable", "Invalid"):
            with self.orders.editing(seller_id, order_id) as order:
                trigger = "mark_unfulfillable" if target == "Unfulfillable" else "invalidate"
                if not self.amazon.lifecycles.fulfillment_order.can_fire(order, trigger):
                    raise InvalidInput(f"Fulfillment order {order_id} cannot go from {order.status} to {target}.",
                                       "fulfillmentOrderStatus")
                self._release_reservations(order)
                self._fire(order, trigger, now)
            return self.orders.load(seller_id, order_id)
        if target not in steps:
            raise InvalidInput(f"The sandbox cannot move an order to {target}.", "fulfillmentOrderStatus")
        order = self.orders.load(seller_id, order_id)
        reachable_from = {"Planning": ("Received",), "Processing": ("Received", "Planning")}.get(
            target, ("Received", "Planning", "Processing"))
        if order.status not in reachable_from:
            raise InvalidInput(f"Fulfillment order {order_id} is {order.status}; it cannot move to {target}.",
                               "fulfillmentOrderStatus")
        if order.fulfillment_action != "Ship":
            raise InvalidInput(f"Fulfillment order {order_id} is on Hold; update it to Ship first.",
                               "fulfillmentOrderStatus")
        for step in steps[target]:
            step(seller_id, order_id, now)
        return self.orders.load(seller_id, order_id)

    def preview(self, seller_id: str, request: dict) -> list[dict]:
        ledger = self.amazon.ledger(seller_id)
        now = self.amazon.now()
        candidate = {**request, "destinationAddress": request["address"], "sellerFulfillmentOrderId": "preview",
                     "shippingSpeedCategory": "Standard"}
        problems = [p for p in validate_request(self.amazon, seller_id, candidate)  # unknown SKUs are unfulfillable
                    if p[0].startswith(("destinationAddress", "featureConstraints")) or p[0] == "items"]
        if problems:
            raise InvalidInput(problems[0][1], problems[0][0].replace("destinationAddress", "address"))
        previews = []
        for speed in request.get("shippingSpeedCategories") or list(SPEEDS):
            unfulfillable, fine = [], []
            for item in request["items"]:
                listing = self.amazon.listings.items.find(seller_id, item["sellerSku"])
                stock = ledger.total(item["sellerSku"], channel="AFN") if listing else 0
                entry = {"sellerSku": item["sellerSku"], "quantity": item["quantity"],
                         "sellerFulfillmentOrderItemId": item["sellerFulfillmentOrderItemId"]}
                if listing is None or listing.channel != "AFN":
                    unfulfillable.append({**entry, "itemUnfulfillableReasons": ["InvalidMSKU"]})
                elif stock < item["quantity"]:
                    unfulfillable.append({**entry, "itemUnfulfillableReasons": ["InventoryUnavailable"]})
                else:
                    fine.append({**entry, "estimatedShippingWeight": {"unit": "KG", "value": "0.5"},
                                 "shippingWeightCalculationMethod": "Package"})
                days = TRANSIT_DAYS.get(speed, 5)
            marketplace = marketplaces.known(request.get("marketplaceId")
                                             or self.amazon.auth.known_seller(seller_id).marketplace_id)
            preview = {"shippingSpeedCategory": speed, "isFulfillable": not unfulfillable, "isCODCapable": False,
                       "marketplaceId": marketplace.id,
                       "estimatedShippingWeight": {"unit": "KG", "value": f"{0.5 * max(len(fine), 1):.1f}"},
                       "estimatedFees": [{"name": "FBAPerUnitFulfillmentFee",
                                          "amount": {"currencyCode": marketplace.currency,
                                                     "value": marketplaces.amount(5.40, marketplace.currency)}}],
                       "unfulfillablePreviewItems": unfulfillable}
            if fine:
                preview["fulfillmentPreviewShipments"] = [{
                    "earliestShipDate": iso(now + 3600), "latestShipDate": iso(now + 86_400),
                    "earliestArrivalDate": iso(now + days * 86_400),
                    "latestArrivalDate": iso(now + (days + 2) * 86_400),
                    "fulfillmentPreviewItems": fine}]
            if unfulfillable:
                preview["orderUnfulfillableReasons"] = ["InventoryUnavailable"]
            previews.append(preview)
        return previews

    def find_package(self, seller_id: str, package_number: int) -> tuple[FulfillmentOrder, dict] | None:
        for order in self.orders.scan(seller_id, order_by="updated"):
            for shipment in order.shipments:
                if shipment["package"]["number"] == package_number:
                    return order, shipment
        return None


def _ship_to(address: dict) -> dict:
    return {"name": address.get("name", ""), "line1": address.get("addressLine1", ""),
            "city": address.get("city", ""), "state": address.get("stateOrRegion", ""),
            "postal_code": address.get("postalCode", ""), "country": address.get("countryCode", ""),
            "phone": address.get("phone", "")}


def status_notification(order: FulfillmentOrder, at: float, shipment: dict | None) -> dict:
    """FULFILLMENT_ORDER_STATUS: Amazon's schema requires the shipment and return parts even when empty."""
    shipped = shipment or {}
    package = shipped.get("package")
    return {"FulfillmentOrderStatusNotification": {
        "SellerId": order.seller_id, "EventType": "Shipment" if shipment else "Order",
        "StatusUpdatedDateTime": iso(at), "SellerFulfillmentOrderId": order.id,
        "FulfillmentOrderStatus": order.status,
        "FulfillmentShipment": {
            "FulfillmentShipmentStatus": "SHIPPED" if shipment else "PENDING",
            "AmazonShipmentId": shipped.get("amazon_shipment_id", ""),
            "EstimatedArrivalDateTime": iso(shipped["arrival"]) if shipment else "",
            "info": {"PackageNumber": package["number"] if package else 0,
                     "CarrierCode": package["carrier"] if package else "",
                     "TrackingNumber": package["tracking"] if package else ""},
            "FulfillmentShipmentPackages": [{"PackageNumber": package["number"], "CarrierCode": package["carrier"],
                                             "TrackingNumber": package["tracking"]}] if package else []},
        "FulfillmentReturnItem": {"ReceivedDateTime": "", "ReturnedQuantity": 0, "SellerSKU": ""}}}
