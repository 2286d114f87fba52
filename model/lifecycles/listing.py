"""A seller's listing of a SKU on Amazon. Amazon makes a listing inactive when something about it is wrong
(for example, packed dimensions that disagree with the listed ones); correcting it makes it active again."""
from model.lifecycles.base import T, Table

TABLE = Table(
    name="listing",
    doc="a listing's buyability (Listings Items summaries.status)",
    states=("ACTIVE", "INACTIVE"),
    initial="ACTIVE",
    transitions=(
        T("deactivate", "ACTIVE", "INACTIVE"),
        T("reactivate", "INACTIVE", "ACTIVE"),
    ),
)
