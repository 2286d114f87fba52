"""Reports: requested, queued, processed on the clock, and rendered from the state at the time they finish.

Not modelled: report schedules (createReportSchedule and friends) and report options.
"""
from __future__ import annotations

from dataclasses import dataclass

from mock_amazon.apis import processing
from mock_amazon.apis.reports.generators import GENERATORS, render
from mock_amazon.entities import Collection, Entity
from mock_amazon.errors import InvalidInput


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
    def __init__(self, mock):
        self.mock = mock
        self.reports: Collection[Report] = Collection(mock.store, "report", Report, mock.lifecycles.processing,
                                                      label="report")
        mock.on("report.start", self._start)
        mock.on("report.finish", self._finish)

    def create(self, seller_id: str, spec: dict) -> Report:
        report_type = spec["reportType"]
        if report_type not in GENERATORS:
            raise InvalidInput(f"Report type {report_type} is not supported by this mock; supported: "
                               f"{', '.join(GENERATORS)}.", "reportType")
        start, end = spec.get("dataStartTime"), spec.get("dataEndTime")
        if start and end and end < start:
            raise InvalidInput("dataEndTime must not be earlier than dataStartTime.", "dataEndTime")
        now = self.mock.now()
        report = Report(id=self.mock.next_number("report"), seller_id=seller_id, created=now, updated=now,
                        report_type=report_type, marketplace_ids=spec["marketplaceIds"],
                        data_start=start.timestamp() if start else None, data_end=end.timestamp() if end else None)
        self.reports.add(report)
        self.mock.schedule(now + self.mock.settings.report_queue_seconds, "report.start", seller_id, report.id)
        return report

    def _start(self, seller_id: str, report_id: str, at: float) -> None:
        processing.start(self.mock, self.reports, seller_id, report_id, at, "report.finish",
                         self.mock.settings.report_processing_seconds)

    def _finish(self, seller_id: str, report_id: str, at: float) -> None:
        with self.reports.editing(seller_id, report_id) as report:
            columns, rows = GENERATORS[report.report_type](self.mock, seller_id, report.data_start,
                                                           report.data_end or at)
            document_id = self.mock.documents.create(
                seller_id, f"amzn1.spdoc.1.4.na.{self.mock.new_id('hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh')}",
                render(columns, rows), "text/tab-separated-values; charset=UTF-8", self.mock.settings.gzip_reports)
            report.document_id = document_id
            report.processing_end = at
            self.reports.fire(report, "finish", at)
        self._announce(report, at)

    def cancel(self, seller_id: str, report_id: str) -> None:
        report = processing.cancel(self.reports, seller_id, report_id, self.mock.now(), "reportId")
        self._announce(report, self.mock.now())

    def _announce(self, report: Report, at: float) -> None:
        finished = {"sellerId": report.seller_id, "accountId": report.seller_id, "reportId": report.id,
                    "reportType": report.report_type, "processingStatus": report.status}
        if report.document_id:
            finished["reportDocumentId"] = report.document_id
        self.mock.notifications.publish(report.seller_id, "REPORT_PROCESSING_FINISHED",
                                        {"reportProcessingFinishedNotification": finished}, at)

    def search(self, seller_id: str, types, statuses, page_size: int, since, until, token) -> tuple[list, str | None]:
        return processing.search(self.reports, seller_id, lambda report: report.report_type, types, statuses,
                                 page_size, since, until, token, self.mock.now(), "reportTypes")

    def document(self, seller_id: str, document_id: str) -> dict:
        return self.mock.documents.describe(seller_id, document_id, "reportDocumentId", "report document")
