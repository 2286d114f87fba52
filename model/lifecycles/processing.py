"""Processing of a report or a feed (Reports and Feeds 2021-06-30, processingStatus)."""
from model.lifecycles.base import T, Table

TABLE = Table(
    name="processing",
    doc="Reports/Feeds processingStatus",
    states=("IN_QUEUE", "IN_PROGRESS", "DONE", "CANCELLED", "FATAL"),
    initial="IN_QUEUE",
    transitions=(
        T("start", "IN_QUEUE", "IN_PROGRESS"),
        T("finish", "IN_PROGRESS", "DONE"),
        T("fail", ("IN_QUEUE", "IN_PROGRESS"), "FATAL"),
        T("cancel", "IN_QUEUE", "CANCELLED"),
        T("find_nothing", "IN_PROGRESS", "CANCELLED"),  # Amazon cancels a report that has no data
    ),
    final=("DONE", "CANCELLED", "FATAL"),
)
