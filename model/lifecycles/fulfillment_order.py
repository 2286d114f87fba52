"""A multi-channel fulfillment order (Fulfillment Outbound 2020-07-01, FulfillmentOrderStatus).

Entities carry `fulfillment_action` ("Ship" or "Hold"): a held order stays Received until it is released.
"""
from typing import Any

from model.lifecycles.base import T, Table


def action_is_ship(order: Any) -> bool:
    return order.fulfillment_action == "Ship"


TABLE = Table(
    name="fulfillment_order",
    doc="Fulfillment Outbound FulfillmentOrderStatus",
    states=("New", "Received", "Invalid", "Planning", "Processing", "Cancelled", "Complete", "CompletePartialled",
            "Unfulfillable"),
    initial="New",
    transitions=(
        T("receive", "New", "Received"),
        T("invalidate", ("New", "Received"), "Invalid"),
        T("plan", "Received", "Planning", (action_is_ship,)),
        T("process", "Planning", "Processing"),
        T("complete", "Processing", "Complete"),
        T("complete_partially", "Processing", "CompletePartialled"),
        T("mark_unfulfillable", ("Received", "Planning", "Processing"), "Unfulfillable"),
        T("cancel", ("New", "Received", "Planning"), "Cancelled"),
    ),
    final=("Invalid", "Cancelled", "Complete", "CompletePartialled", "Unfulfillable"),
)
