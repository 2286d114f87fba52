"""Reports: requested, queued, processed on the clock, and rendered from the state at the time they finish.

Not modelled: report schedules (createReportSchedule and friends) and report options.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mock_amazon.marketplaces as marketplaces
from mock_amazon.apis.processing import ProcessingBackend
from mock_amazon.apis.reports.generators import GENERATORS, render
from mock_amazon.entities import Collection, Entity
from mock_amazon.errors import InvalidInput

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon


@dataclass(kw_only=True, eq=False)
class Report(Entity):
    report_type: str
    marketplace_ids: list[str]
    data_start: float | None = None
    data_end: float | None = None
    processing_start: float | None = None
    processing_end: float | None = None
    document_id: str | None = None


class ReportsBackend(ProcessingBackend[Report]):
    label = "report"
    type_attribute = "report_type"
    document_attribute = "document_id"
    types_parameter = "reportTypes"
    id_parameter = "reportId"
    notification = ("REPORT_PROCESSING_FINISHED", "reportProcessingFinishedNotification", "reportDocumentId")

    def __init__(self, amazon: MockAmazon) -> None:
        self.reports: Collection[Report] = Collection(amazon.store, "report", Report, amazon.lifecycles.processing,
                                                      label="report")
        super().__init__(amazon, self.reports)

    def create(self, seller_id: str, spec: dict) -> Report:
        report_type = spec["reportType"]
        if report_type not in GENERATORS:
            raise InvalidInput(f"Report type {report_type} is not supported by this mock; supported: "
                               f"{', '.join(GENERATORS)}.", "reportType")
        start, end = spec.get("dataStartTime"), spec.get("dataEndTime")
        if start and end and end < start:
            raise InvalidInput("dataEndTime must not be earlier than dataStartTime.", "dataEndTime")
        now = self.amazon.now()
        return self.queue(Report(id=self.amazon.next_number("report"), seller_id=seller_id, created=now, updated=now,
                                 report_type=report_type, marketplace_ids=spec["marketplaceIds"],
                                 data_start=start.timestamp() if start else None,
                                 data_end=end.timestamp() if end else None))

    def finish(self, report: Report, at: float) -> None:
        """Render the report from the state as it is now."""
        columns, generate = GENERATORS[report.report_type]
        rows = generate(self.amazon, report.seller_id, report.data_start, report.data_end or at)
        if "sales-channel" in columns:  # a report of orders holds those of the marketplaces it was asked for
            channels = {m.name for m in map(marketplaces.get, report.marketplace_ids) if m is not None}
            rows = (row for row in rows if row["sales-channel"] in channels)
        report.document_id = self.amazon.documents.create(
            report.seller_id, f"amzn1.spdoc.1.4.na.{self.amazon.new_id('hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh')}",
            render(columns, rows), "text/tab-separated-values; charset=UTF-8", self.amazon.settings.gzip_reports)
        self.reports.fire(report, "finish", at)

    def document(self, seller_id: str, document_id: str) -> dict:
        return self.amazon.documents.describe(seller_id, document_id, "reportDocumentId", "report document")
