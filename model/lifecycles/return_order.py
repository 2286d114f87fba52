"""Returns: External Fulfillment's return (Return.status in externalFulfillmentReturns_2024-09-11.json) and the
store-side return that the integration keeps for it."""
from model.lifecycles.base import T, Table

_PICKUP = ("CARRIER_NOTIFIED_TO_PICK_UP_FROM_CUSTOMER", "CARRIER_OUT_FOR_PICK_UP_FROM_CUSTOMER",
           "CUSTOMER_RESCHEDULED_PICK_UP")
_BEFORE_PICKUP = ("CREATED",) + _PICKUP + ("CUSTOMER_CANCELLED_PICK_UP",)
_IN_FLIGHT = ("PICKED_FROM_CUSTOMER", "CUSTOMER_DROPPED_OFF", "IN_TRANSIT", "REPLANNED", "OUT_FOR_DELIVERY")

TABLE = Table(
    name="return",
    doc="External Fulfillment Return.status",
    states=("CREATED", "CARRIER_NOTIFIED_TO_PICK_UP_FROM_CUSTOMER", "CARRIER_OUT_FOR_PICK_UP_FROM_CUSTOMER",
            "CUSTOMER_CANCELLED_PICK_UP", "CUSTOMER_RESCHEDULED_PICK_UP", "PICKED_FROM_CUSTOMER", "IN_TRANSIT",
            "OUT_FOR_DELIVERY", "DELIVERED", "REPLANNED", "CUSTOMER_DROPPED_OFF", "PARTIALLY_PROCESSED", "PROCESSED",
            "REJECTED", "CANCELLED"),
    initial="CREATED",
    transitions=(
        T("notify_carrier", ("CREATED", "CUSTOMER_RESCHEDULED_PICK_UP", "CUSTOMER_CANCELLED_PICK_UP"),
          "CARRIER_NOTIFIED_TO_PICK_UP_FROM_CUSTOMER"),
        T("send_out_for_pickup", ("CARRIER_NOTIFIED_TO_PICK_UP_FROM_CUSTOMER", "CUSTOMER_RESCHEDULED_PICK_UP"),
          "CARRIER_OUT_FOR_PICK_UP_FROM_CUSTOMER"),
        T("customer_cancels_pickup", _PICKUP, "CUSTOMER_CANCELLED_PICK_UP"),
        T("customer_reschedules_pickup", _PICKUP + ("CUSTOMER_CANCELLED_PICK_UP",), "CUSTOMER_RESCHEDULED_PICK_UP"),
        T("pick_up", _PICKUP, "PICKED_FROM_CUSTOMER"),
        T("customer_drops_off", _BEFORE_PICKUP, "CUSTOMER_DROPPED_OFF"),
        T("move", ("PICKED_FROM_CUSTOMER", "CUSTOMER_DROPPED_OFF", "REPLANNED"), "IN_TRANSIT"),
        T("replan", ("IN_TRANSIT", "OUT_FOR_DELIVERY"), "REPLANNED"),
        T("send_out_for_delivery", ("IN_TRANSIT", "REPLANNED"), "OUT_FOR_DELIVERY"),
        T("deliver", _IN_FLIGHT, "DELIVERED"),
        T("process_partially", ("DELIVERED", "PARTIALLY_PROCESSED"), "PARTIALLY_PROCESSED"),
        T("process", ("DELIVERED", "PARTIALLY_PROCESSED"), "PROCESSED"),
        T("reject", ("DELIVERED",) + _IN_FLIGHT, "REJECTED"),
        T("cancel", _BEFORE_PICKUP, "CANCELLED"),
    ),
    final=("PROCESSED", "REJECTED", "CANCELLED"),
)

STORE_TABLE = Table(
    name="store_return",
    doc="the integration's own return",
    states=("expected", "in_transit", "received", "processed", "rejected", "cancelled"),
    initial="expected",
    transitions=(
        T("ship_back", "expected", "in_transit"),
        T("receive", ("expected", "in_transit"), "received"),
        T("process", "received", "processed"),
        T("reject", ("in_transit", "received"), "rejected"),
        T("cancel", ("expected", "in_transit"), "cancelled"),
    ),
    final=("processed", "rejected", "cancelled"),
)
