"""An order as Amazon's Orders API reports it (OrderStatus in ordersV0.json).

Entities carry `fulfillment_channel` ("AFN" or "MFN") and `quantity_unshipped` (items not yet shipped).
Merchant-fulfilled orders ship when the seller confirms shipment; Amazon-fulfilled (AFN) orders reach Shipped
only through Amazon's own fulfilment (`fulfil_by_amazon`).
"""
from typing import Any

from model.lifecycles.base import T, Table


def merchant_fulfilled(order: Any) -> bool:
    return order.fulfillment_channel == "MFN"


def amazon_fulfilled(order: Any) -> bool:
    return order.fulfillment_channel == "AFN"


def everything_shipped(order: Any) -> bool:
    return order.quantity_unshipped == 0


def invoice_required(order: Any) -> bool:
    return bool(getattr(order, "invoice_required", False))


OPEN = ("PendingAvailability", "Pending", "Unshipped")

TABLE = Table(
    name="amazon_order",
    doc="Orders API OrderStatus",
    states=("PendingAvailability", "Pending", "Unshipped", "PartiallyShipped", "Shipped", "InvoiceUnconfirmed",
            "Canceled", "Unfulfillable"),
    initial="Pending",
    transitions=(
        T("release_preorder", "PendingAvailability", "Pending"),
        T("verify_payment", "Pending", "Unshipped"),
        # Seller's shipment confirmations (MFN): first matching row wins.
        T("confirm_shipment", ("Unshipped", "PartiallyShipped"), "InvoiceUnconfirmed",
          (merchant_fulfilled, everything_shipped, invoice_required)),
        T("confirm_shipment", ("Unshipped", "PartiallyShipped"), "Shipped", (merchant_fulfilled, everything_shipped)),
        T("confirm_shipment", ("Unshipped", "PartiallyShipped"), "PartiallyShipped", (merchant_fulfilled,)),
        T("confirm_invoice", "InvoiceUnconfirmed", "Shipped"),
        # Amazon's own fulfilment (AFN).
        T("fulfil_by_amazon", ("Unshipped", "PartiallyShipped"), "Shipped", (amazon_fulfilled, everything_shipped)),
        T("fulfil_by_amazon", "Unshipped", "PartiallyShipped", (amazon_fulfilled,)),
        T("mark_unfulfillable", ("Pending", "Unshipped"), "Unfulfillable", (amazon_fulfilled,)),
        T("cancel", OPEN, "Canceled"),
    ),
    final=("Shipped", "Canceled", "Unfulfillable"),
)
