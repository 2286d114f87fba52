"""SmartConnect / External Fulfillment: Amazon's side of seller-flex (seed 003).

Inventory: per SKU and location, absolute quantities with a client sequence number. The models leave the
sequence rule open; this mock's rule: per SKU and location, an update is accepted only if its clientSequenceNumber
is greater than the last accepted one; otherwise that sub-request fails (400, actionableErrors
STALE_SEQUENCE_NUMBER) and nothing changes. Accepted updates set the sellable quantity; reserved quantity follows
open shipments (reserved when Amazon places the order, released on cancellation, gone when shipped).

Shipments move through the seller_flex_shipment lifecycle; an operation the table does not allow in the
shipment's state is a 409 naming that state. Returns move through their statuses on the clock.
Not modelled: COD, serial numbers, hazmat, gift attributes, multi-piece items, return processing by the seller.
"""
from __future__ import annotations

import base64
import contextlib
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import parse_qs, urlparse

from faker import Faker

import mock_amazon.marketplaces as marketplaces
from mock_amazon.crowd import Crowd, seeded_faker
from mock_amazon.entities import Collection, Entity, iso
from mock_amazon.errors import Conflict, InvalidInput, NotFound, Unprocessable
from model.inventory import InventoryError, StaleSequence

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

LENGTH_TO_CM = {"CM": 1.0, "M": 100.0, "IN": 2.54}
WEIGHT_TO_KG = {"G": 0.001, "KG": 1.0, "LB": 0.45359237, "OZ": 0.028349523}
OPERATION_STATES = {  # what each shipment operation needs, for the 409 message
    "confirm": "ACCEPTED", "reject": "ACCEPTED, CONFIRMED or PACKAGE_CREATED", "create_packages": "CONFIRMED",
    "update_packages": "PACKAGE_CREATED or PICKUP_SLOT_RETRIEVED",
    "retrieve_pickup_slots": "PACKAGE_CREATED or PICKUP_SLOT_RETRIEVED",
    "generate_invoice": "PACKAGE_CREATED, PICKUP_SLOT_RETRIEVED or INVOICE_GENERATED",
    "generate_ship_label": "PICKUP_SLOT_RETRIEVED or INVOICE_GENERATED, with the invoice generated",
    "regenerate_ship_label": "SHIPLABEL_GENERATED", "ship": "SHIPLABEL_GENERATED", "deliver": "SHIPPED",
    "cancel": "any state before the ship label exists",
}
RETURN_PATH = ("notify_carrier", "send_out_for_pickup", "pick_up", "move", "send_out_for_delivery", "deliver")


class DimensionMismatch(Unprocessable):
    def __init__(self, sku: str, message: str, where: str):
        super().__init__(message, where)
        self.sku = sku


@dataclass(kw_only=True, eq=False)
class Location(Entity):
    """A seller-flex site (node); its ID is the location code Amazon gave it. It serves one marketplace of the
    seller's (SmartConnect's seller-flex runs on Amazon.in): its orders are that marketplace's."""
    name: str
    marketplace_id: str = ""          # "" (a site stored before sites had one): the seller's home marketplace


@dataclass(kw_only=True, eq=False)
class SkuMapping(Entity):
    """Listing mapping (seed 003): the client's SKU, the ASIN and the merchant SKU, per channel. ID: merchant SKU."""
    client_sku: str
    asin: str
    channel: str = "Amazon SF SmartConnect"


@dataclass(kw_only=True, eq=False)
class Shipment(Entity):
    location_id: str
    marketplace_id: str
    buyer_order_id: str
    line_items: list[dict]            # id, sku, units, price
    ship_to: dict
    expected_ship: float
    shipment_type: str = "NEW"        # NEW, REPLACEMENT, EXCHANGE
    original: dict | None = None      # the forward order a replacement replaces
    priority: str = "LOW"
    channel_name: str = "MFN"
    invoice_required: bool = True
    invoice: dict | None = None       # id, created, content (base64 PDF)
    package_ids: list[str] = field(default_factory=list)
    cancellation: dict | None = None  # type, reason, at
    reserved: dict = field(default_factory=dict)   # sku -> units reserved at the location
    detail: str | None = None         # subStatus as Amazon reports it

    @property
    def units(self) -> int:
        return sum(line["units"] for line in self.line_items)


@dataclass(kw_only=True, eq=False)
class Package(Entity):
    """A package of a shipment; its ID is '<shipment ID>/<package ID>'."""
    shipment_id: str
    package_id: str
    dimensions: dict                  # length, width, height: {value, dimensionUnit}; weight: {value, weightUnit}
    line_items: list[dict]            # packageLineItemId, quantity
    handling: str = "NORMAL"
    label: dict | None = None         # carrier, tracking, document_id, shipping_option_id
    detail: str | None = None


@dataclass(kw_only=True, eq=False)
class Return(Entity):
    merchant_sku: str
    units: int
    return_type: str                  # CUSTOMER or REJECT
    return_sub_type: str              # NORMAL, REPLACEMENT, EXCHANGE
    fulfillment_location_id: str
    return_location_id: str
    shipment_id: str
    customer_order_id: str
    reason: str
    rma_id: str
    reverse_tracking: dict
    forward_tracking: dict | None = None


class ExternalFulfillmentBackend:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon
        store, lifecycles = amazon.store, amazon.lifecycles
        self.locations: Collection[Location] = Collection(store, "ef_location", Location, label="location")
        self.mappings: Collection[SkuMapping] = Collection(store, "ef_mapping", SkuMapping, label="SKU mapping")
        self.shipments: Collection[Shipment] = Collection(store, "ef_shipment", Shipment,
                                                          lifecycles.seller_flex_shipment, label="shipment")
        self.packages: Collection[Package] = Collection(store, "ef_package", Package, lifecycles.seller_flex_package,
                                                        label="package")
        self.returns: Collection[Return] = Collection(store, "ef_return", Return, lifecycles["return"],
                                                      label="return")
        self.fake = seeded_faker("en_IN", amazon.seed_value)  # Indian ship-to addresses (seed 003)
        self.customers = Crowd(self.fake, _indian_address)
        amazon.on("ef.accept", self._accept)
        amazon.on("ef.customer_cancels", self._customer_cancels)
        amazon.on("ef.return_step", self._return_step)
        amazon.on("ef.random_order", self._random_order)

    # set-up: locations and listing mapping (control API)
    def add_location(self, seller_id: str, location_id: str, name: str = "",
                     marketplace_id: str | None = None) -> Location:
        """A seller-flex site serving `marketplace_id` (one of the seller's; their home marketplace if None)."""
        if not location_id or len(location_id) > 20:
            raise InvalidInput("location_id must have 1 to 20 characters.", "location_id")
        marketplace = self.amazon.orders.marketplace_of(self.amazon.auth.known_seller(seller_id), marketplace_id)
        if self.locations.find(seller_id, location_id) is not None:
            raise InvalidInput(f"Location {location_id} already exists.", "location_id")
        now = self.amazon.now()
        location = self.locations.add(Location(id=location_id, seller_id=seller_id, created=now, updated=now,
                                               name=name or location_id, marketplace_id=marketplace.id))
        if self.amazon.settings.ef_orders_per_hour > 0:
            self._schedule_random_order(seller_id, location_id, now)
        return location

    def map_listing(self, seller_id: str, merchant_sku: str, client_sku: str, asin: str | None = None,
                    dimensions: dict | None = None, channel: str = "Amazon SF SmartConnect",
                    title: str | None = None, price: float = 499.0) -> SkuMapping:
        """Tie client SKU, ASIN and merchant SKU for a channel; the listing (with its dimensions) is created or
        updated to match."""
        if not merchant_sku or not client_sku:
            raise InvalidInput("merchant_sku and client_sku are required.", "merchant_sku")
        if dimensions is not None:
            _check_listed_dimensions(dimensions)
        listings = self.amazon.listings
        listing = listings.items.find(seller_id, merchant_sku)
        if listing is None:
            listing = listings.add(seller_id, merchant_sku, title or merchant_sku, "MFN", price, asin=asin,
                                   dimensions=dimensions)
        elif dimensions is not None:
            listing = listings.correct_dimensions(seller_id, merchant_sku, dimensions)
        now = self.amazon.now()
        mapping = SkuMapping(id=merchant_sku, seller_id=seller_id, created=now, updated=now, client_sku=client_sku,
                             asin=listing.asin, channel=channel)
        self.amazon.store.delete("ef_mapping", seller_id, merchant_sku)
        return self.mappings.add(mapping)

    # inventory (batchInventory)
    def batch(self, seller_id: str, marketplace_id: str, requests: list[dict]) -> list[dict]:
        return [self._one_inventory_request(seller_id, marketplace_id, request) for request in requests]

    def _one_inventory_request(self, seller_id: str, marketplace_id: str, request: dict) -> dict:
        parsed = urlparse(request["uri"])
        action = parsed.path.strip("/")
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        location_id, sku = query.get("locationId"), query.get("skuId")
        body = request.get("body") or {}
        attributes = body.get("marketplaceAttributes") or {"marketplaceId": marketplace_id, "channelName": "MFN"}

        def failed(code: int, phrase: str, kind: str, detail: str) -> dict:
            return {"status": {"statusCode": code, "reasonPhrase": phrase},
                    "body": {"skuId": sku or "", "locationId": location_id or "",
                             "actionableErrors": [{"errorType": kind, "errorSubType": detail}]}}

        if action not in ("inventory/update", "inventory/fetch"):
            return failed(400, "Invalid Input", "INVALID_URI", f"{request['uri']!r} is neither inventory/update "
                                                               "nor inventory/fetch.")
        if not location_id or not sku:
            return failed(400, "Invalid Input", "INVALID_URI", "The URI needs locationId and skuId.")
        if self.locations.find(seller_id, location_id) is None:
            return failed(404, "Not Found", "INVALID_LOCATION", f"Location {location_id} is not the seller's.")
        if self.amazon.listings.items.find(seller_id, sku) is None:
            return failed(400, "Invalid Input", "INVALID_SKU",
                          "The requested Sku does not exist for the seller in requested marketplace.")
        ledger = self.amazon.ledger(seller_id)
        if action == "inventory/update":
            if request["method"] != "POST":
                return failed(400, "Invalid Input", "INVALID_METHOD", "inventory/update takes POST.")
            quantity, sequence = body.get("quantity"), body.get("clientSequenceNumber")
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
                return failed(400, "Invalid Input", "INVALID_QUANTITY", "quantity must be an integer of at least 0.")
            if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
                return failed(400, "Invalid Input", "INVALID_SEQUENCE_NUMBER",
                              "clientSequenceNumber must be a positive integer.")
            try:
                ledger.set_quantity(sku, location_id, quantity, sequence=sequence)
            except StaleSequence as stale:
                return failed(400, "Invalid Input", "STALE_SEQUENCE_NUMBER", str(stale))
            except InventoryError as error:
                return failed(400, "Invalid Input", "INVALID_QUANTITY", str(error))
        position = ledger.get(sku, location_id)
        return {"status": {"statusCode": 200, "reasonPhrase": "Success"},
                "body": {"skuId": sku, "locationId": location_id,
                         "sellableQuantity": position.sellable if position else 0,
                         "reservedQuantity": position.reserved if position else 0,
                         "clientSequenceNumber": position.sequence if position else 0,
                         "marketplaceAttributes": attributes, "actionableErrors": []}}

    # Amazon's side: forward orders
    def place(self, seller_id: str, location_id: str, lines: list[tuple[str, int]], at: float | None = None,
              shipment_type: str = "NEW", original_id: str | None = None, fake: Faker | None = None) -> Shipment:
        """A customer orders from a seller-flex site: units are reserved there and the order is handed to the
        merchant (ACCEPTED) after `ef_accept_seconds`. A REPLACEMENT is a zero-value order that carries the
        original shipment."""
        amazon = self.amazon
        at = amazon.now() if at is None else at
        location = self.locations.find(seller_id, location_id)
        if location is None:
            raise InvalidInput(f"Location {location_id} is not the seller's.", "location_id")
        marketplace = marketplaces.known(location.marketplace_id
                                         or amazon.auth.known_seller(seller_id).marketplace_id)
        if shipment_type not in ("NEW", "REPLACEMENT", "EXCHANGE"):
            raise InvalidInput("shipment_type must be NEW, REPLACEMENT or EXCHANGE.", "shipment_type")
        original = None
        if shipment_type != "NEW":
            if not original_id:
                raise InvalidInput(f"A {shipment_type} order needs the original shipment.", "original_id")
            source = self.shipments.load(seller_id, original_id)
            original = {"id": source.id, "location_id": source.location_id, "buyer_order_id": source.buyer_order_id}
        if not lines:
            raise InvalidInput("An order needs at least one line.", "lines")
        ledger = amazon.ledger(seller_id)
        items: list[dict] = []
        reserved: dict[str, int] = {}
        for number, (sku, units) in enumerate(lines, 1):
            listing = amazon.listings.items.find(seller_id, sku)
            if listing is None:
                raise InvalidInput(f"SKU {sku!r} is not listed.", "sku")
            if not isinstance(units, int) or isinstance(units, bool) or units < 1:
                raise InvalidInput(f"units of {sku!r} must be a positive integer.", "units")
            position = ledger.get(sku, location_id)
            if position is None or position.sellable < units + reserved.get(sku, 0):
                raise InvalidInput(f"Location {location_id} has fewer than {units} sellable units of {sku!r}.",
                                   "units")
            reserved[sku] = reserved.get(sku, 0) + units
            items.append({"id": f"{number}", "sku": sku, "units": units,
                          "price": 0.0 if shipment_type == "REPLACEMENT" else listing.price})
        for sku, units in reserved.items():
            ledger.reserve(sku, location_id, units)
        shipment = Shipment(
            id=amazon.new_id("XXXXXXXXXXXX"), seller_id=seller_id, created=at, updated=at, location_id=location_id,
            marketplace_id=marketplace.id,
            buyer_order_id=amazon.new_id("40#-#######-#######"),
            line_items=items, expected_ship=at + 86_400,
            ship_to=self._ship_to(marketplace, fake),
            shipment_type=shipment_type, original=original, reserved=reserved)
        self.shipments.add(shipment)
        amazon.schedule(at + amazon.settings.ef_accept_seconds, "ef.accept", seller_id, shipment.id)
        cancel_chance = amazon.settings.ef_customer_cancel_chance
        if cancel_chance and amazon.rng.random() < cancel_chance:
            amazon.schedule(at + amazon.settings.ef_customer_cancel_seconds, "ef.customer_cancels",
                            seller_id, shipment.id)
        return shipment

    def _ship_to(self, marketplace: marketplaces.Marketplace, fake: Faker | None) -> dict:
        """A customer of the marketplace's country: Amazon.in's from the Indian crowd (seed 003), others from the
        orders' crowd of their marketplace, in External Fulfillment's keys."""
        if marketplace.country == "IN":
            return _indian_address(fake) if fake is not None else self.customers.pick(self.fake.random)
        orders = self.amazon.orders
        person = orders.person(marketplace, fake) if fake is not None else \
            orders.crowd(marketplace).pick(self.fake.random)
        a = person["address"]
        return {"name": a["name"], "addressLine1": a["line1"], "city": a["city"], "state": a["state"],
                "postalCode": a["postal_code"], "countryCode": a["country"], "phoneNumber": a["phone"]}

    def _accept(self, seller_id: str, shipment_id: str, at: float) -> None:
        with self.shipments.editing(seller_id, shipment_id) as shipment:
            if shipment.status != "CREATED":
                return
            self._fire(shipment, "accept", at)

    def _customer_cancels(self, seller_id: str, shipment_id: str, at: float) -> None:
        shipment = self.shipments.load(seller_id, shipment_id)
        if self.amazon.lifecycles.seller_flex_shipment.can_fire(shipment, "cancel"):
            self.cancel_by_customer(seller_id, shipment_id, "Customer changed their mind", at)

    def cancel_by_customer(self, seller_id: str, shipment_id: str, reason: str = "Customer requested",
                           at: float | None = None) -> Shipment:
        """The marketplace cancels (CANCELLED, MARKETPLACE_CANCELLED); refused once the ship label exists."""
        at = self.amazon.now() if at is None else at
        with self.shipments.editing(seller_id, shipment_id) as shipment:
            self._require(shipment, "cancel")
            self._cancel(shipment, "cancel", "MARKETPLACE_CANCELLED", reason, at)
        return shipment

    def _random_order(self, seller_id: str, location_id: str, at: float) -> None:
        """Amazon's customers, when `ef_orders_per_hour` is on: one order of a stocked SKU, then the next."""
        ledger = self.amazon.ledger(seller_id)
        stocked = [m.id for m in self.mappings.scan(seller_id)
                   if (position := ledger.get(m.id, location_id)) is not None and position.sellable > 0]
        if stocked:
            self.place(seller_id, location_id, [(self.amazon.rng.choice(stocked), 1)], at=at)
        self._schedule_random_order(seller_id, location_id, at)

    def _schedule_random_order(self, seller_id: str, location_id: str, at: float) -> None:
        rate = self.amazon.settings.ef_orders_per_hour
        if rate > 0:
            self.amazon.schedule(at + self.amazon.rng.expovariate(rate / 3600.0), "ef.random_order", seller_id,
                               location_id)

    # the merchant's side: shipment operations
    def _require(self, shipment: Shipment, trigger: str) -> None:
        if not self.amazon.lifecycles.seller_flex_shipment.can_fire(shipment, trigger):
            raise Conflict(f"Shipment {shipment.id} is {shipment.status}; this operation needs "
                           f"{OPERATION_STATES[trigger]}.", shipment.status)

    def _fire(self, shipment: Shipment, trigger: str, at: float) -> None:
        self.shipments.fire(shipment, trigger, at)
        self.amazon.notifications.publish(shipment.seller_id, "EXTERNAL_FULFILLMENT_SHIPMENT_STATUS_CHANGE", {
            "shipmentId": shipment.id, "locationId": shipment.location_id, "status": shipment.status,
            "shipmentType": shipment.shipment_type, "lastUpdatedDateTime": iso(at)}, at)

    def _fire_packages(self, shipment: Shipment, trigger: str, at: float) -> list[Package]:
        changed = []
        for package_id in shipment.package_ids:
            with self.packages.editing(shipment.seller_id, f"{shipment.id}/{package_id}") as package:
                if self.amazon.lifecycles.seller_flex_package.can_fire(package, trigger):
                    self.packages.fire(package, trigger, at)
                changed.append(package)
        return changed

    def _cancel(self, shipment: Shipment, trigger: str, kind: str, reason: str, at: float) -> None:
        ledger = self.amazon.ledger(shipment.seller_id)
        for sku, units in shipment.reserved.items():
            ledger.release(sku, shipment.location_id, units)
        shipment.reserved = {}
        shipment.cancellation = {"type": kind, "reason": reason, "at": at}
        self._fire_packages(shipment, "cancel", at)
        self._fire(shipment, trigger, at)

    def process(self, seller_id: str, shipment_id: str, operation: str, body: dict | None) -> None:
        """processShipment: CONFIRM once, or REJECT every line item with a reason."""
        now = self.amazon.now()
        with self.shipments.editing(seller_id, shipment_id) as shipment:
            if operation == "CONFIRM":
                self._require(shipment, "confirm")
                self._fire(shipment, "confirm", now)
                return
            self._require(shipment, "reject")
            lines = (body or {}).get("lineItems") or []
            by_id = {line["lineItem"]["id"]: line for line in lines}
            missing = [item["id"] for item in shipment.line_items if item["id"] not in by_id]
            if missing:
                raise InvalidInput("SmartConnect rejects whole shipments: list every line item "
                                   f"(missing {', '.join(missing)}).", "lineItems")
            for item in shipment.line_items:
                quantity = by_id[item["id"]]["lineItem"].get("quantity", item["units"])
                if quantity != item["units"]:
                    raise InvalidInput(f"Line item {item['id']} has {item['units']} units; partial rejection is not "
                                       "supported.", "lineItems.quantity")
                if by_id[item["id"]].get("reason") not in ("OUT_OF_STOCK", "CUSTOMER_REQUESTED"):
                    raise InvalidInput(f"Line item {item['id']} needs a reason: OUT_OF_STOCK or CUSTOMER_REQUESTED.",
                                       "lineItems.reason")
            unknown = set(by_id) - {item["id"] for item in shipment.line_items}
            if unknown:
                raise InvalidInput(f"Shipment {shipment_id} has no line items {', '.join(sorted(unknown))}.",
                                   "lineItems.lineItem.id")
            self._cancel(shipment, "reject", "SELLER_REJECTED", by_id[shipment.line_items[0]["id"]]["reason"], now)

    def create_packages(self, seller_id: str, shipment_id: str, packages: list[dict]) -> None:
        with self._deactivating_mismatches(seller_id):
            self._create_packages(seller_id, shipment_id, packages)

    def update_package(self, seller_id: str, shipment_id: str, package_id: str, body: dict) -> None:
        with self._deactivating_mismatches(seller_id):
            self._update_package(seller_id, shipment_id, package_id, body)

    @contextlib.contextmanager
    def _deactivating_mismatches(self, seller_id: str) -> Iterator[None]:
        """Packing that disagrees with the listing fails (nothing of it is stored: the packing is a savepoint of
        its own), and the listing goes inactive (that is stored, and the error says so): seed 003's FAQ."""
        try:
            with self.amazon.store.transaction():
                yield
        except DimensionMismatch as mismatch:
            self.amazon.listings.deactivate(seller_id, mismatch.sku, "Packed dimensions differ from the listed ones; "
                                            "correct the listing's dimensions.")
            mismatch.keeps_changes = True
            raise

    def _create_packages(self, seller_id: str, shipment_id: str, packages: list[dict]) -> None:
        now = self.amazon.now()
        with self.shipments.editing(seller_id, shipment_id) as shipment:
            self._require(shipment, "create_packages")
            self._check_packing(shipment, packages, replacing=None)
            for body in packages:
                self.packages.add(Package(id=f"{shipment.id}/{body['id']}", seller_id=seller_id, created=now,
                                          updated=now, shipment_id=shipment.id, package_id=body["id"],
                                          dimensions={**body["dimensions"], "weight": body["weight"]},
                                          line_items=body["packageLineItems"],
                                          handling=body.get("packageHandlingRequirements", "NORMAL")))
                shipment.package_ids.append(body["id"])
            self._fire(shipment, "create_packages", now)

    def _update_package(self, seller_id: str, shipment_id: str, package_id: str, body: dict) -> None:
        now = self.amazon.now()
        with self.shipments.editing(seller_id, shipment_id) as shipment:
            self._require(shipment, "update_packages")
            if package_id not in shipment.package_ids:
                raise NotFound(f"Shipment {shipment_id} has no package {package_id}.", package_id)
            if body["id"] != package_id:
                raise InvalidInput("The package's id must match the path's packageId.", "id")
            self._check_packing(shipment, [body], replacing=package_id)
            with self.packages.editing(seller_id, f"{shipment_id}/{package_id}") as package:
                package.dimensions = {**body["dimensions"], "weight": body["weight"]}
                package.line_items = body["packageLineItems"]
                package.handling = body.get("packageHandlingRequirements", package.handling)
                self.packages.fire(package, "repack", now)
            self._fire(shipment, "update_packages", now)

    def _check_packing(self, shipment: Shipment, packages: list[dict], replacing: str | None) -> None:
        """All four dimensions, positive, close to the listing's; every unit packed exactly once."""
        tolerance = self.amazon.settings.ef_dimension_tolerance
        units = {item["id"]: item["units"] for item in shipment.line_items}
        packed = {item_id: 0 for item_id in units}
        if replacing is not None:
            for package_id in shipment.package_ids:
                if package_id == replacing:
                    continue
                for line in self.packages.load(shipment.seller_id, f"{shipment.id}/{package_id}").line_items:
                    packed[line["packageLineItemId"]] += line["quantity"]
        elif shipment.package_ids:
            raise Conflict(f"Shipment {shipment.id} is already packed.", shipment.status)
        seen = set()
        for index, body in enumerate(packages):
            where = f"packages[{index}]"
            if body["id"] in seen or (replacing is None and body["id"] in shipment.package_ids):
                raise InvalidInput(f"Package id {body['id']} is used twice.", f"{where}.id")
            seen.add(body["id"])
            size = _package_size(body, where)
            for line in body["packageLineItems"]:
                if line["packageLineItemId"] not in units:
                    raise InvalidInput(f"Shipment {shipment.id} has no line item {line['packageLineItemId']}.",
                                       f"{where}.packageLineItems.packageLineItemId")
                packed[line["packageLineItemId"]] += line["quantity"]
            if len(body["packageLineItems"]) == 1 and body["packageLineItems"][0]["quantity"] == 1:
                only = body["packageLineItems"][0]["packageLineItemId"]
                sku = next(i["sku"] for i in shipment.line_items if i["id"] == only)
                listing = self.amazon.listings.items.find(shipment.seller_id, sku)
                if listing is not None and listing.dimensions and _differs(size, listing.dimensions, tolerance):
                    raise DimensionMismatch(sku, f"Packing failed: {where} measures {_describe(size)}, the listing "
                                                 f"of {sku} says {_describe(listing.dimensions)} (tolerance "
                                                 f"{tolerance:.0%}). The listing is now inactive.",
                                            f"{where}.dimensions")
        wrong = {item_id: count for item_id, count in packed.items() if count != units[item_id]}
        if wrong:
            item_id, count = next(iter(wrong.items()))
            raise Unprocessable(f"Line item {item_id} has {units[item_id]} units but {count} are packed.",
                                "packageLineItems.quantity")

    def shipping_options(self, seller_id: str, shipment_id: str, package_id: str) -> dict:
        now = self.amazon.now()
        with self.shipments.editing(seller_id, shipment_id) as shipment:
            self._require(shipment, "retrieve_pickup_slots")
            if package_id not in shipment.package_ids:
                raise NotFound(f"Shipment {shipment_id} has no package {package_id}.", package_id)
            with self.packages.editing(seller_id, f"{shipment_id}/{package_id}") as package:
                self.packages.fire(package, "retrieve_pickup_slot", now)
            self._fire(shipment, "retrieve_pickup_slots", now)
        start = int(math.ceil(now / 3600.0) * 3600) + 3600
        options = [{"shippingOptionId": f"{shipment_id}-{package_id}-SLOT{n}", "shipBy": "MARKETPLACE",
                    "carrierName": "ATS", "pickupWindow": {"startTime": start + n * 7200,
                                                           "endTime": start + n * 7200 + 7200,
                                                           "handoverMethod": "PICKUP"}} for n in range(2)]
        return {"shippingOptions": options, "recommendedShippingOption": options[0]}

    def generate_invoice(self, seller_id: str, shipment_id: str) -> dict:
        now = self.amazon.now()
        with self.shipments.editing(seller_id, shipment_id) as shipment:
            self._require(shipment, "generate_invoice")
            if shipment.invoice is None:
                text = f"TAX INVOICE {shipment.id}\nOrder {shipment.buyer_order_id}\n" + "".join(
                    f"{i['sku']} x{i['units']} @ {i['price']:.2f}\n" for i in shipment.line_items)
                shipment.invoice = {"id": self.amazon.new_id("INV-##########"), "created": now,
                                    "content": base64.b64encode(text.encode()).decode()}
            self._fire_packages(shipment, "generate_invoice", now)
            self._fire(shipment, "generate_invoice", now)
            return {"document": {"format": "PDF", "content": shipment.invoice["content"]}}

    def retrieve_invoice(self, seller_id: str, shipment_id: str) -> dict:
        shipment = self.shipments.load(seller_id, shipment_id)
        if shipment.invoice is None:
            raise Conflict(f"Shipment {shipment_id} is {shipment.status}; no invoice has been generated yet.",
                           shipment.status)
        return {"document": {"format": "PDF", "content": shipment.invoice["content"]}}

    def generate_labels(self, seller_id: str, shipment_id: str, operation: str, option_id: str | None,
                        package_ids: list[str]) -> list[dict]:
        now = self.amazon.now()
        trigger = "generate_ship_label" if operation == "GENERATE" else "regenerate_ship_label"
        with self.shipments.editing(seller_id, shipment_id) as shipment:
            self._require(shipment, trigger)
            unknown = [p for p in package_ids if p not in shipment.package_ids]
            if unknown or not package_ids:
                raise InvalidInput(f"Unknown packages: {', '.join(unknown) or 'none given'}.", "packageIds")
            labels = []
            for package_id in package_ids:
                with self.packages.editing(seller_id, f"{shipment_id}/{package_id}") as package:
                    tracking = self.amazon.new_id("ATS##########")
                    document_id = self.amazon.documents.create(
                        seller_id, f"label-{shipment_id}-{package_id}-{tracking}",
                        f"^XA^FO50,50^FDShip {shipment_id} pkg {package_id} {tracking}^FS^XZ".encode(),
                        "text/plain")
                    package.label = {"carrier": "ATS", "tracking": tracking, "document_id": document_id,
                                     "shipping_option_id": option_id}
                    self.packages.fire(package, "generate_ship_label", now)
                    labels.append({"packageId": package_id, "status": "SUCCESS", "shipLabelMetadata": {
                        "shippingOptionId": option_id or f"{shipment_id}-{package_id}-SLOT0", "carrierName": "ATS",
                        "trackingId": tracking},
                        "fileData": {"url": self.amazon.documents.download_url(document_id)}})
            self._fire(shipment, trigger, now)
        return labels

    def update_package_status(self, seller_id: str, shipment_id: str, package_id: str, status: str,
                              detail: str | None) -> None:
        """Handover (SHIPPED) and, later, DELIVERED with its sub-status."""
        now = self.amazon.now()
        trigger = {"SHIPPED": "ship", "DELIVERED": "deliver"}.get(status)
        if trigger is None:
            raise InvalidInput("status must be SHIPPED or DELIVERED.", "status")
        with self.shipments.editing(seller_id, shipment_id) as shipment:
            self._require(shipment, trigger)
            if package_id not in shipment.package_ids:
                raise NotFound(f"Shipment {shipment_id} has no package {package_id}.", package_id)
            with self.packages.editing(seller_id, f"{shipment_id}/{package_id}") as package:
                if not self.amazon.lifecycles.seller_flex_package.can_fire(package, trigger):
                    raise Conflict(f"Package {package_id} is {package.status}; it cannot become {status}.",
                                   package.status)
                self.packages.fire(package, trigger, now)
                package.detail = detail
            siblings = [self.packages.load(seller_id, f"{shipment_id}/{p}") for p in shipment.package_ids]
            target = "SHIPPED" if trigger == "ship" else "DELIVERED"
            if all(p.status in (target, "DELIVERED") for p in siblings) and \
                    self.amazon.lifecycles.seller_flex_shipment.can_fire(shipment, trigger):
                if trigger == "ship":
                    ledger = self.amazon.ledger(seller_id)
                    for sku, units in shipment.reserved.items():
                        ledger.consume(sku, shipment.location_id, units)
                    shipment.reserved = {}
                shipment.detail = detail
                self._fire(shipment, trigger, now)

    # returns
    def create_return(self, seller_id: str, shipment_id: str, return_type: str = "CUSTOMER",
                      sub_type: str = "NORMAL", reason: str = "DEFECTIVE") -> Return:
        """Amazon opens a return for a shipped order; it moves on the clock from then on."""
        shipment = self.shipments.load(seller_id, shipment_id)
        if shipment.status not in ("SHIPPED", "DELIVERED"):
            raise Conflict(f"Shipment {shipment_id} is {shipment.status}; only shipped orders come back.",
                           shipment.status)
        if return_type not in ("CUSTOMER", "REJECT") or sub_type not in ("NORMAL", "REPLACEMENT", "EXCHANGE"):
            raise InvalidInput("return_type must be CUSTOMER or REJECT; sub_type NORMAL, REPLACEMENT or EXCHANGE.",
                               "return_type")
        now = self.amazon.now()
        line = shipment.line_items[0]
        first_package = shipment.package_ids[0] if shipment.package_ids else None
        label = self.packages.load(seller_id, f"{shipment_id}/{first_package}").label if first_package else None
        item = Return(id=self.amazon.new_id("RET##########"), seller_id=seller_id, created=now, updated=now,
                      merchant_sku=line["sku"], units=line["units"], return_type=return_type,
                      return_sub_type=sub_type, fulfillment_location_id=shipment.location_id,
                      return_location_id=shipment.location_id, shipment_id=shipment_id,
                      customer_order_id=shipment.buyer_order_id, reason=reason,
                      rma_id=self.amazon.new_id("RMA########"),
                      reverse_tracking={"carrierName": "ATS", "trackingId": self.amazon.new_id("RATS##########")},
                      forward_tracking={"carrierName": label["carrier"], "trackingId": label["tracking"]}
                      if label else None)
        self.returns.add(item)
        if return_type == "REJECT":  # the parcel never reached the customer: it is already on its way back
            with self.returns.editing(seller_id, item.id) as stored:
                self.returns.fire(stored, "customer_drops_off", now)
        self.amazon.schedule(now + self.amazon.settings.ef_return_step_seconds, "ef.return_step", seller_id, item.id)
        return self.returns.load(seller_id, item.id)

    def _return_step(self, seller_id: str, return_id: str, at: float) -> None:
        lifecycle = self.amazon.lifecycles["return"]
        with self.returns.editing(seller_id, return_id) as item:
            trigger: str | None
            if item.status == "DELIVERED":
                rejected = self.amazon.rng.random() < self.amazon.settings.ef_return_reject_chance
                trigger = "reject" if rejected else "process"
            else:
                trigger = next((t for t in RETURN_PATH if lifecycle.can_fire(item, t)), None)
            if trigger is None:
                return
            self.returns.fire(item, trigger, at)
            if item.status in ("PROCESSED", "REJECTED"):
                self._restock(item, at)
        self._announce_return(item, at)
        if not lifecycle.is_final(item):
            self.amazon.schedule(at + self.amazon.settings.ef_return_step_seconds, "ef.return_step",
                                 seller_id, return_id)

    def _restock(self, item: Return, at: float) -> None:
        if item.status == "PROCESSED":  # a sellable return goes back on the shelf it left
            self.amazon.ledger(item.seller_id).adjust(item.merchant_sku, item.return_location_id, item.units)

    def cancel_return(self, seller_id: str, return_id: str) -> Return:
        now = self.amazon.now()
        with self.returns.editing(seller_id, return_id) as item:
            if not self.amazon.lifecycles["return"].can_fire(item, "cancel"):
                raise Conflict(f"Return {return_id} is {item.status}; it can be cancelled only before pickup.",
                               item.status)
            self.returns.fire(item, "cancel", now)
        self._announce_return(item, now)
        return item

    def _announce_return(self, item: Return, at: float) -> None:
        if item.status in ("PROCESSED", "CANCELLED", "REJECTED"):
            self.amazon.notifications.publish(item.seller_id, "EXTERNAL_FULFILLMENT_RETURN_STATUS_CHANGE", {
                "returnId": item.id, "status": item.status, "shipmentId": item.shipment_id,
                "merchantSku": item.merchant_sku, "lastUpdatedDateTime": iso(at)}, at)


def _check_listed_dimensions(dimensions: dict) -> None:
    for key in ("length", "width", "height", "weight"):
        value = dimensions.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise InvalidInput(f"dimensions.{key} must be a positive number (cm, kg).", f"dimensions.{key}")


def _package_size(body: dict, where: str) -> dict:
    """The package's size in cm and kg; every one of the four dimensions must be there and positive."""
    size = {}
    dimensions = body.get("dimensions") or {}
    for key in ("length", "width", "height"):
        measure = dimensions.get(key)
        if not measure or "value" not in measure:
            raise InvalidInput(f"Packing failed: {where} has no {key}; all four dimensions are required.",
                               f"{where}.dimensions.{key}")
        size[key] = _positive(measure["value"], f"{where}.dimensions.{key}") * LENGTH_TO_CM[measure["dimensionUnit"]]
    weight = body.get("weight") or {}
    if "value" not in weight:
        raise InvalidInput(f"Packing failed: {where} has no weight; all four dimensions are required.",
                           f"{where}.weight")
    size["weight"] = _positive(weight["value"], f"{where}.weight") * WEIGHT_TO_KG[weight["weightUnit"]]
    return size


def _positive(value: Any, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"Packing failed: {where} is not a number ({value!r}).", where) from None
    if not number > 0:
        raise InvalidInput(f"Packing failed: {where} must be positive, not {value}.", where)
    return number


def _differs(size: dict, listed: dict, tolerance: float) -> bool:
    packed = sorted((size["length"], size["width"], size["height"]))
    declared = sorted((listed["length"], listed["width"], listed["height"]))
    pairs = list(zip(packed, declared)) + [(size["weight"], listed["weight"])]
    return any(abs(a - b) > tolerance * b for a, b in pairs)


def _describe(size: dict) -> str:
    return f"{size['length']:g}x{size['width']:g}x{size['height']:g} cm, {size['weight']:g} kg"


def _indian_address(fake: Faker) -> dict:
    return {"name": fake.name(), "addressLine1": fake.street_address(), "city": fake.city(),
            "state": fake.state(), "postalCode": fake.postcode(), "countryCode": "IN",
            "phoneNumber": fake.numerify("+91##########")}
