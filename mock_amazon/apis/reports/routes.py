"""Reports 2021-06-30."""
from __future__ import annotations

from mock_amazon.apis.processing import page_json
from mock_amazon.apis.reports.backend import Report
from mock_amazon.entities import iso
from mock_amazon.pipeline import Answer, Api, Call
from mock_amazon.spec import parse_time

api = Api("reports", "reports_2021-06-30")


def report_json(report: Report) -> dict:
    body = {"reportId": report.id, "reportType": report.report_type, "marketplaceIds": report.marketplace_ids,
            "createdTime": iso(report.created), "processingStatus": report.status}
    for key, value in (("dataStartTime", report.data_start), ("dataEndTime", report.data_end),
                       ("processingStartTime", report.processing_start),
                       ("processingEndTime", report.processing_end)):
        if value is not None:
            body[key] = iso(value)
    if report.document_id:
        body["reportDocumentId"] = report.document_id
    return body


@api.operation("createReport")
def create_report(call: Call) -> Answer:
    spec = dict(call.params["body"])
    for key in ("dataStartTime", "dataEndTime"):
        if spec.get(key):
            spec[key] = parse_time(key, spec[key])
    report = call.amazon.reports.create(call.seller.seller_id, spec)
    return 202, {"reportId": report.id}


@api.operation("getReports")
def get_reports(call: Call) -> Answer:
    p = call.params
    reports, next_token = call.amazon.reports.search(
        call.seller.seller_id, p.get("reportTypes"), p.get("processingStatuses"), p.get("pageSize", 10),
        p.get("createdSince"), p.get("createdUntil"), p.get("nextToken"))
    return 200, page_json("reports", [report_json(r) for r in reports], next_token)


@api.operation("getReport")
def get_report(call: Call) -> Answer:
    return 200, report_json(call.amazon.reports.reports.load(call.seller.seller_id, call.params["reportId"]))


@api.operation("cancelReport")
def cancel_report(call: Call) -> Answer:
    call.amazon.reports.cancel(call.seller.seller_id, call.params["reportId"])
    return 200, None


@api.operation("getReportDocument")
def get_report_document(call: Call) -> Answer:
    return 200, call.amazon.reports.document(call.seller.seller_id, call.params["reportDocumentId"])
