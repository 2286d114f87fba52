"""An order on the integration's side (the store, OMS or warehouse), whatever channel it came from.

Entities carry `source` (amazon, webstore, ebay, groupon, ...). An order waits in `on_hold` when it cannot be
handled automatically yet (for example an unmapped shipping method), and in `needs_manual_intervention` when
something failed that a person must decide (for example FBA refusing a package).
"""
from model.lifecycles.base import T, Table

TABLE = Table(
    name="store_order",
    doc="the integration's own order",
    states=("new", "imported", "on_hold", "acknowledged", "partially_shipped", "fully_shipped", "canceled",
            "needs_manual_intervention"),
    initial="new",
    transitions=(
        T("import_order", "new", "imported"),
        T("import_completed", "new", "fully_shipped"),
        T("hold", "imported", "on_hold"),
        T("release", "on_hold", "imported"),
        T("acknowledge", "imported", "acknowledged"),
        T("ship_partially", ("acknowledged", "partially_shipped"), "partially_shipped"),
        T("ship_fully", ("acknowledged", "partially_shipped", "needs_manual_intervention"), "fully_shipped"),
        T("flag_for_manual", ("imported", "acknowledged", "partially_shipped"), "needs_manual_intervention"),
        T("resume", "needs_manual_intervention", "acknowledged"),
        T("cancel", ("new", "imported", "on_hold", "acknowledged", "needs_manual_intervention"), "canceled"),
    ),
    final=("fully_shipped", "canceled"),
)
