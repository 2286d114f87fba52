"""Amazon's outbound shipments: one record per shipment that left an Amazon fulfilment centre.

Amazon-fulfilled orders (and, later, multi-channel fulfillment orders) write them; the fulfilled-shipments report
reads them. A record is history, not a lifecycle: it never changes once written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_amazon.entities import Collection, Entity

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

CARRIERS = (("UPS", "1Z###XXX##########"), ("USPS", "94001#################"), ("AMZL_US", "TBA############"))


@dataclass(kw_only=True, eq=False)
class OutboundShipment(Entity):
    """A shipment that left an Amazon fulfilment centre (not a seller-flex shipment, which is External
    Fulfillment's `Shipment`)."""
    amazon_order_id: str
    merchant_order_id: str | None = None
    fulfillment_center_id: str
    carrier: str
    tracking_number: str
    ship_service_level: str
    items: list[dict] = field(default_factory=list)  # {item_id, order_item_id, sku, title, quantity, price, ...}
    ship_to: dict = field(default_factory=dict)
    buyer: dict = field(default_factory=dict)
    purchase_date: float = 0.0
    sales_channel: str = "Amazon.com"
    currency: str = "USD"


def shipments(amazon: MockAmazon) -> Collection[OutboundShipment]:
    return Collection(amazon.store, "shipment", OutboundShipment, label="shipment")


def record(amazon: MockAmazon, seller_id: str, at: float, **fields: Any) -> OutboundShipment:
    carrier, pattern = amazon.rng.choice(CARRIERS)
    shipment = OutboundShipment(id=amazon.new_id("D#########"), seller_id=seller_id, created=at, updated=at,
                        carrier=fields.pop("carrier", carrier),
                        tracking_number=fields.pop("tracking_number", None) or amazon.new_id(pattern), **fields)
    shipments(amazon).add(shipment)
    return shipment
