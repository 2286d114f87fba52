"""Reports: requested, queued, processed on the clock, and rendered from the state at the time they finish.

Not modelled: report schedules (createReportSchedule and friends) and report options.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass

from mock_amazon.apis.reports.documents import GENERATORS, render
from mock_amazon.entities import Collection, Entity
from mock_amazon.errors import InvalidInput, NotFound

DEFAULT_LOOKBACK = 90 * 86_400


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
        now = self.mock.clock.seconds()
        report = Report(id=self.mock.new_id("###########"), seller_id=seller_id, created=now, updated=now,
                        report_type=report_type, marketplace_ids=spec["marketplaceIds"],
                        data_start=start.timestamp() if start else None, data_end=end.timestamp() if end else None)
        self.reports.add(report)
        self.mock.schedule(now + self.mock.settings.report_queue_seconds, "report.start", seller_id, report.id)
        return report

    def _start(self, seller_id: str, report_id: str, at: float) -> None:
        with self.reports.editing(seller_id, report_id) as report:
            if report.status != "IN_QUEUE":
                return  # cancelled meanwhile
            self.reports.fire(report, "start", at)
            report.processing_start = at
        self.mock.schedule(at + self.mock.settings.report_processing_seconds, "report.finish", seller_id, report_id)

    def _finish(self, seller_id: str, report_id: str, at: float) -> None:
        with self.reports.editing(seller_id, report_id) as report:
            columns, rows = GENERATORS[report.report_type](self.mock, seller_id, report.data_start,
                                                           report.data_end or at)
            content = render(columns, rows)
            compression = "GZIP" if self.mock.settings.gzip_reports else None
            document_id = f"amzn1.spdoc.1.4.na.{self.mock.new_id('hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh')}"
            self.mock.store.execute("INSERT INTO blobs VALUES (?, ?, ?, ?, ?)", (
                document_id, seller_id, gzip.compress(content, mtime=0) if compression else content,
                "application/octet-stream" if compression else "text/tab-separated-values; charset=UTF-8",
                compression))
            report.document_id = document_id
            report.processing_end = at
            self.reports.fire(report, "finish", at)
        self._announce(report, at)

    def cancel(self, seller_id: str, report_id: str) -> None:
        with self.reports.editing(seller_id, report_id) as report:
            if report.status != "IN_QUEUE":
                raise InvalidInput(f"Report {report_id} is {report.status}; only IN_QUEUE reports can be cancelled.",
                                   "reportId")
            self.reports.fire(report, "cancel", self.mock.clock.seconds())
        self._announce(report, self.mock.clock.seconds())

    def _announce(self, report: Report, at: float) -> None:
        finished = {"sellerId": report.seller_id, "accountId": report.seller_id, "reportId": report.id,
                    "reportType": report.report_type, "processingStatus": report.status}
        if report.document_id:
            finished["reportDocumentId"] = report.document_id
        self.mock.notifications.publish(report.seller_id, "REPORT_PROCESSING_FINISHED",
                                        {"reportProcessingFinishedNotification": finished}, at)

    def search(self, seller_id: str, types: list[str] | None, statuses: list[str] | None, page_size: int,
               since, until, token: str | None) -> tuple[list[Report], str | None]:
        if token:
            try:
                types_, statuses_, since_s, until_s, offset = token.split("|")
                types, statuses = types_.split(","), statuses_.split(",") if statuses_ else None
                since_f, until_f, offset = float(since_s), float(until_s), int(offset)
            except ValueError:
                raise InvalidInput("nextToken is not valid.", "nextToken") from None
        else:
            if not types:
                raise InvalidInput("reportTypes is required unless nextToken is given.", "reportTypes")
            if not 1 <= page_size <= 100:
                raise InvalidInput(f"'pageSize' must be between 1 and 100, not {page_size}.", "pageSize")
            now = self.mock.clock.seconds()
            since_f = since.timestamp() if since else now - DEFAULT_LOOKBACK
            until_f = until.timestamp() if until else now + 1
            offset = 0
        matching = [r for r in self.reports.scan(seller_id, since=since_f, until=until_f, statuses=statuses)
                    if r.report_type in types]
        matching.reverse()  # newest first, as Amazon lists them
        page = matching[offset:offset + page_size]
        more = offset + page_size < len(matching)
        token_out = "|".join([",".join(types), ",".join(statuses or []), repr(since_f), repr(until_f),
                              str(offset + page_size)]) if more else None
        return page, token_out

    def document(self, seller_id: str, document_id: str) -> dict:
        row = self.mock.store.execute("SELECT compression FROM blobs WHERE id=? AND seller_id=?",
                                      (document_id, seller_id)).fetchone()
        if row is None:
            raise NotFound(f"No report document found with ID {document_id}.", document_id)
        body = {"reportDocumentId": document_id, "url": f"{self.mock.base_url}/_documents/{document_id}"}
        if row[0]:
            body["compressionAlgorithm"] = row[0]
        return body
