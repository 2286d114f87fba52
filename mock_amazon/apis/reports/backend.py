"""Reports: requested, queued, processed on the clock, and rendered from the state at the time they finish.

Not modelled: report schedules (createReportSchedule and friends) and report options.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mock_amazon.apis import processing
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


class ReportsBackend:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon
        self.reports: Collection[Report] = Collection(amazon.store, "report", Report, amazon.lifecycles.processing,
                                                      label="report")
        amazon.on("report.start", self._start)
        amazon.on("report.finish", self._finish)

    def create(self, seller_id: str, spec: dict) -> Report:
        report_type = spec["reportType"]
        if report_type not in GENERATORS:
            raise InvalidInput(f"Report type {report_type} is not supported by this mock; supported: "
                               f"{', '.join(GENERATORS)}.", "reportType")
        start, end = spec.get("dataStartTime"), spec.get("dataEndTime")
        if start and end and end < start:
            raise InvalidInput("dataEndTime must not be earlier than dataStartTime.", "dataEndTime")
        now = self.amazon.now()
        report = Report(id=self.amazon.next_number("report"), seller_id=seller_id, created=now, updated=now,
                        report_type=report_type, marketplace_ids=spec["marketplaceIds"],
                        data_start=start.timestamp() if start else None, data_end=end.timestamp() if end else None)
        self.reports.add(report)
        self.amazon.schedule(now + self.amazon.settings.report_queue_seconds, "report.start", seller_id, report.id)
        return report

    def _start(self, seller_id: str, report_id: str, at: float) -> None:
        processing.start(self.amazon, self.reports, seller_id, report_id, at, "report.finish",
                         self.amazon.settings.report_processing_seconds)

    def _finish(self, seller_id: str, report_id: str, at: float) -> None:
        with self.reports.editing(seller_id, report_id) as report:
            columns, rows = GENERATORS[report.report_type](self.amazon, seller_id, report.data_start,
                                                           report.data_end or at)
            document_id = self.amazon.documents.create(
                seller_id, f"amzn1.spdoc.1.4.na.{self.amazon.new_id('hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh')}",
                render(columns, rows), "text/tab-separated-values; charset=UTF-8", self.amazon.settings.gzip_reports)
            report.document_id = document_id
            report.processing_end = at
            self.reports.fire(report, "finish", at)
        self._announce(report, at)

    def cancel(self, seller_id: str, report_id: str) -> None:
        report = processing.cancel(self.reports, seller_id, report_id, self.amazon.now(), "reportId")
        self._announce(report, self.amazon.now())

    def _announce(self, report: Report, at: float) -> None:
        finished = {"sellerId": report.seller_id, "accountId": report.seller_id, "reportId": report.id,
                    "reportType": report.report_type, "processingStatus": report.status}
        if report.document_id:
            finished["reportDocumentId"] = report.document_id
        self.amazon.notifications.publish(report.seller_id, "REPORT_PROCESSING_FINISHED",
                                        {"reportProcessingFinishedNotification": finished}, at)

    def search(self, seller_id: str, types: list[str] | None, statuses: list[str] | None, page_size: int,
               since: datetime | None, until: datetime | None, token: str | None) -> tuple[list[Report], str | None]:
        return processing.search(self.reports, seller_id, lambda report: report.report_type, types, statuses,
                                 page_size, since, until, token, self.amazon.now(), "reportTypes")

    def document(self, seller_id: str, document_id: str) -> dict:
        return self.amazon.documents.describe(seller_id, document_id, "reportDocumentId", "report document")
