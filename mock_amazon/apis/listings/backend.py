"""Listings: the seller's catalog. Each listing is a SKU with its ASIN, title, price, fulfilment channel,
handling time and listed dimensions; merchant-fulfilled quantity lives in the ledger at the DEFAULT location.

A listing goes inactive when Amazon finds something wrong with it (`deactivate`, with a reason), and active
again when the seller corrects it. Not modelled: product-type schemas and attribute validation beyond the
fulfilment attributes, offers other than the price, relationships.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from faker import Faker

from mock_amazon.entities import Collection, Entity
from mock_amazon.errors import InvalidInput

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

MFN_LOCATION = "DEFAULT"
FULFILMENT_CENTRES = ("PHX7", "ONT8", "BFI4")
AFN_CHANNEL_CODES = ("AMAZON_NA", "AMAZON_EU", "AMAZON_FE", "AMAZON_IN", "AMAZON_JP")


@dataclass(kw_only=True, eq=False)
class Listing(Entity):
    """A SKU the seller lists; its ID is the seller SKU."""
    asin: str
    fnsku: str
    title: str
    price: float
    channel: str                      # AFN: fulfilled by Amazon; MFN: by the merchant
    listing_id: str
    product_type: str = "PRODUCT"
    handling_days: int = 2            # fulfilment latency promised for merchant-fulfilled orders
    dimensions: dict | None = None    # {"length", "width", "height" (cm), "weight" (kg)}
    attributes: dict = field(default_factory=dict)
    inactive_reason: str | None = None

    @property
    def sku(self) -> str:
        return self.id


class ListingsBackend:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon
        self.items: Collection[Listing] = Collection(amazon.store, "listing", Listing, amazon.lifecycles.listing,
                                                     label="SKU")

    def add(self, seller_id: str, sku: str, title: str, channel: str = "AFN", price: float = 19.99,
            asin: str | None = None, dimensions: dict | None = None, handling_days: int = 2,
            product_type: str = "PRODUCT") -> Listing:
        if not sku or len(sku) > 40:
            raise InvalidInput("sellerSku must have 1 to 40 characters.", "sellerSku")
        if self.items.find(seller_id, sku) is not None:
            raise InvalidInput(f"SKU {sku} already exists.", "sellerSku")
        now = self.amazon.clock.seconds()
        listing = Listing(id=sku, seller_id=seller_id, created=now, updated=now,
                          asin=asin or self.amazon.new_id("B0XXXXXXXX"), fnsku=self.amazon.new_id("X00XXXXXXX"),
                          title=title, price=price, channel=channel, listing_id=self.amazon.new_id("####XXXXXXX"),
                          dimensions=dimensions, handling_days=handling_days, product_type=product_type)
        return self.items.add(listing)

    def seed(self, seller_id: str, count: int, fake: Faker, rng: random.Random) -> list[dict]:
        """`count` listings with inventory: most fulfilled by Amazon across one or two centres."""
        ledger = self.amazon.ledger(seller_id)
        made = []
        for index in range(count):
            channel = "AFN" if rng.random() < 0.6 else "MFN"
            sku = f"{fake.lexify('???').upper()}-{index + 1:05d}"
            dimensions = {"length": round(rng.uniform(5, 60), 1), "width": round(rng.uniform(5, 40), 1),
                          "height": round(rng.uniform(1, 30), 1), "weight": round(rng.uniform(0.1, 8), 2)}
            self.add(seller_id, sku, fake.catch_phrase().title(), channel, round(rng.uniform(5, 120), 2),
                     dimensions=dimensions)
            if channel == "AFN":
                centres = rng.sample(FULFILMENT_CENTRES, rng.randint(1, 2))
                for centre in centres:
                    ledger.set_quantity(sku, centre, rng.randint(5, 200), channel="AFN")
                if rng.random() < 0.2:
                    ledger.adjust(sku, centres[0], rng.randint(1, 5), "unsellable", channel="AFN")
                if rng.random() < 0.2:
                    ledger.adjust(sku, centres[0], rng.randint(1, 30), "inbound", channel="AFN")
            else:
                ledger.set_quantity(sku, MFN_LOCATION, rng.randint(0, 100), channel="MFN")
            made.append({"sku": sku, "channel": channel})
        return made

    # changes
    def put(self, seller_id: str, sku: str, product_type: str, attributes: dict) -> Listing:
        """putListingsItem: create the listing, or replace its attributes."""
        availability = self._availability(attributes)
        title = _first_value(attributes.get("item_name")) or sku
        with self.amazon.store.transaction():
            if self.items.find(seller_id, sku) is None:
                channel = "AFN" if availability and availability.get("fulfillment_channel_code") in \
                    AFN_CHANNEL_CODES else "MFN"
                self.add(seller_id, sku, title, channel, product_type=product_type)
            with self.items.editing(seller_id, sku) as listing:
                listing.product_type, listing.attributes, listing.title = product_type, attributes, title
                listing.updated = self.amazon.clock.seconds()
                self._apply_availability(listing, availability)
        return self.items.load(seller_id, sku)

    def patch(self, seller_id: str, sku: str, patches: list[dict]) -> Listing:
        """patchListingsItem: only fulfilment availability (quantity, handling time) and plain attributes."""
        with self.items.editing(seller_id, sku) as listing:
            for index, patch in enumerate(patches):
                name = patch["path"].removeprefix("/attributes/")
                if not patch["path"].startswith("/attributes/") or not name:
                    raise InvalidInput(f"patches[{index}].path must be /attributes/<name>.", f"patches[{index}].path")
                if patch["op"] == "delete":
                    listing.attributes.pop(name, None)
                    continue
                if "value" not in patch:
                    raise InvalidInput(f"patches[{index}] needs a value.", f"patches[{index}].value")
                listing.attributes[name] = patch["value"]
                if name == "fulfillment_availability":
                    self._apply_availability(listing, self._availability({name: patch["value"]}))
            listing.updated = self.amazon.clock.seconds()
        return self.items.load(seller_id, sku)

    def delete(self, seller_id: str, sku: str) -> None:
        self.items.load(seller_id, sku)
        ledger = self.amazon.ledger(seller_id)
        for position in ledger.positions_of(sku):
            del ledger.positions[(sku, position.location)]
        self.amazon.store.delete("listing", seller_id, sku)

    def close(self, seller_id: str, sku: str) -> None:
        """The seller closes the listing but Amazon still holds its FBA stock ("stranded" inventory): the SKU
        drops out of the listing-based reports, while the FBA Inventory API still counts it."""
        self.items.load(seller_id, sku)
        self.amazon.store.delete("listing", seller_id, sku)

    def deactivate(self, seller_id: str, sku: str, reason: str) -> Listing:
        with self.items.editing(seller_id, sku) as listing:
            if listing.status == "ACTIVE":
                self.items.fire(listing, "deactivate", self.amazon.clock.seconds())
            listing.inactive_reason = reason
        return listing

    def correct_dimensions(self, seller_id: str, sku: str, dimensions: dict) -> Listing:
        """The seller fixes the listed dimensions; an inactive listing becomes active again."""
        with self.items.editing(seller_id, sku) as listing:
            listing.dimensions = dimensions
            if listing.status == "INACTIVE":
                self.items.fire(listing, "reactivate", self.amazon.clock.seconds())
            listing.inactive_reason = None
        return listing

    @staticmethod
    def _availability(attributes: dict) -> dict | None:
        values = attributes.get("fulfillment_availability")
        if values is None:
            return None
        if not isinstance(values, list) or not values or not isinstance(values[0], dict):
            raise InvalidInput("fulfillment_availability must be a list of objects.", "fulfillment_availability")
        value = values[0]
        if "fulfillment_channel_code" not in value:
            raise InvalidInput("fulfillment_availability needs fulfillment_channel_code.", "fulfillment_availability")
        for key in ("quantity", "lead_time_to_ship_max_days"):
            if key in value and (not isinstance(value[key], int) or isinstance(value[key], bool) or value[key] < 0):
                raise InvalidInput(f"fulfillment_availability.{key} must be a non-negative integer.",
                                   f"fulfillment_availability.{key}")
        return value

    def _apply_availability(self, listing: Listing, availability: dict | None) -> None:
        if not availability:
            return
        if availability["fulfillment_channel_code"] == "DEFAULT":
            if "quantity" in availability:
                self.amazon.ledger(listing.seller_id).set_quantity(listing.sku, MFN_LOCATION, availability["quantity"])
            if "lead_time_to_ship_max_days" in availability:
                listing.handling_days = availability["lead_time_to_ship_max_days"]


def _first_value(values: Any) -> str | None:
    if isinstance(values, list) and values and isinstance(values[0], dict):
        return values[0].get("value")
    return None
