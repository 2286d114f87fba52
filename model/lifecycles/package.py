"""A package of an order's items on the integration's side.

A new package is flagged either for FBA (sent to Amazon as a multi-channel fulfillment order) or for the
merchant's own stock (shipped by the warehouse, e.g. through a WorldShip export). An FBA error leaves the package
unshipped for a person to handle; deleting and re-creating it makes it an ordinary package again. A package whose
multi-channel order the customer cancelled is cancelled: nothing is left to ship.
"""
from model.lifecycles.base import T, Table

TABLE = Table(
    name="package",
    doc="the integration's package",
    states=("created", "fba", "own_stock", "sent_to_fba", "fba_error", "shipped", "deleted", "cancelled"),
    initial="created",
    transitions=(
        T("flag_fba", "created", "fba"),
        T("flag_own_stock", "created", "own_stock"),
        T("send_to_fba", "fba", "sent_to_fba"),
        T("reject_by_fba", "sent_to_fba", "fba_error"),
        T("attach_tracking", ("sent_to_fba", "own_stock"), "shipped"),
        T("delete", ("created", "fba", "own_stock", "fba_error"), "deleted"),
        T("recreate", "deleted", "created"),
        T("cancel", ("fba", "sent_to_fba"), "cancelled"),
    ),
    final=("shipped", "cancelled"),
)
