"""A seller-flex (External Fulfillment 2024-09-11) shipment and its packages.

Amazon places the order (CREATED) and hands it to the merchant (ACCEPTED); the merchant confirms it once, packs
it, takes a pickup slot, has the invoice and then the ship label made, and hands it over. The merchant may reject
it until it is packed; the marketplace may cancel it until the ship label exists.

Entities carry `invoice_required` and `invoice` (None until generated).
"""
from typing import Any

from model.lifecycles.base import T, Table


def invoice_ready(shipment: Any) -> bool:
    return not shipment.invoice_required or shipment.invoice is not None


BEFORE_LABEL = ("CREATED", "ACCEPTED", "CONFIRMED", "PACKAGE_CREATED", "PICKUP_SLOT_RETRIEVED", "INVOICE_GENERATED")
PACKED = ("PACKAGE_CREATED", "PICKUP_SLOT_RETRIEVED")

TABLE = Table(
    name="seller_flex_shipment",
    doc="External Fulfillment Shipment.status",
    states=("CREATED", "ACCEPTED", "CONFIRMED", "PACKAGE_CREATED", "PICKUP_SLOT_RETRIEVED", "INVOICE_GENERATED",
            "SHIPLABEL_GENERATED", "SHIPPED", "DELIVERED", "CANCELLED"),
    initial="CREATED",
    transitions=(
        T("accept", "CREATED", "ACCEPTED"),
        T("confirm", "ACCEPTED", "CONFIRMED"),
        T("create_packages", "CONFIRMED", "PACKAGE_CREATED"),
        T("update_packages", PACKED, "PACKAGE_CREATED"),
        T("retrieve_pickup_slots", PACKED, "PICKUP_SLOT_RETRIEVED"),
        T("generate_invoice", PACKED + ("INVOICE_GENERATED",), "INVOICE_GENERATED"),
        T("generate_ship_label", ("PICKUP_SLOT_RETRIEVED", "INVOICE_GENERATED"), "SHIPLABEL_GENERATED",
          (invoice_ready,)),
        T("regenerate_ship_label", "SHIPLABEL_GENERATED", "SHIPLABEL_GENERATED"),
        T("ship", "SHIPLABEL_GENERATED", "SHIPPED"),
        T("deliver", "SHIPPED", "DELIVERED"),
        T("reject", ("ACCEPTED", "CONFIRMED", "PACKAGE_CREATED"), "CANCELLED"),
        T("cancel", BEFORE_LABEL, "CANCELLED"),
    ),
    final=("DELIVERED", "CANCELLED"),
)

PACKAGE_TABLE = Table(
    name="seller_flex_package",
    doc="External Fulfillment Package.status",
    states=("CREATED", "PICKUP_SLOT_RETRIEVED", "INVOICE_GENERATED", "SHIPLABEL_GENERATED", "SHIPPED", "DELIVERED",
            "CANCELLED"),
    initial="CREATED",
    transitions=(
        T("repack", ("CREATED", "PICKUP_SLOT_RETRIEVED"), "CREATED"),
        T("retrieve_pickup_slot", ("CREATED", "PICKUP_SLOT_RETRIEVED"), "PICKUP_SLOT_RETRIEVED"),
        T("generate_invoice", ("CREATED", "PICKUP_SLOT_RETRIEVED", "INVOICE_GENERATED"), "INVOICE_GENERATED"),
        T("generate_ship_label", ("PICKUP_SLOT_RETRIEVED", "INVOICE_GENERATED", "SHIPLABEL_GENERATED"),
          "SHIPLABEL_GENERATED"),
        T("ship", "SHIPLABEL_GENERATED", "SHIPPED"),
        T("deliver", "SHIPPED", "DELIVERED"),
        T("cancel", ("CREATED", "PICKUP_SLOT_RETRIEVED", "INVOICE_GENERATED"), "CANCELLED"),
    ),
    final=("DELIVERED", "CANCELLED"),
)
