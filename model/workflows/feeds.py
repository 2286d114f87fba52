"""Submitting a feed as the integration does it: document, upload, feed, wait, processing report."""
from __future__ import annotations

from model.workflows.protocol import Request, Wait, Workflow, WorkflowError, expect_ok

FEEDS = "feeds_2021-06-30"


def submit(feed_type: str, content: bytes, content_type: str, marketplace_id: str = "ATVPDKIKX0DER",
           poll_seconds: float = 60.0, give_up_after: float = 3600.0) -> Workflow[tuple[str, bytes | None]]:
    """Returns (processingStatus, processing report bytes or None). A feed that never finishes raises
    WorkflowError; FATAL and CANCELLED are returned for the caller to judge."""
    document = yield Request(f"{FEEDS}.createFeedDocument", body={"contentType": content_type})
    expect_ok(document, "createFeedDocument")
    expect_ok((yield Request("document.put", url=document.body["url"], body=content, content_type=content_type)),
              "the feed upload")
    feed = yield Request(f"{FEEDS}.createFeed", body={"feedType": feed_type, "marketplaceIds": [marketplace_id],
                                                      "inputFeedDocumentId": document.body["feedDocumentId"]})
    expect_ok(feed, "createFeed")
    waited = 0.0
    while True:
        status = yield Request(f"{FEEDS}.getFeed", path={"feedId": feed.body["feedId"]})
        expect_ok(status, "getFeed")
        if status.body["processingStatus"] in ("DONE", "FATAL", "CANCELLED"):
            break
        if waited >= give_up_after:
            raise WorkflowError(f"feed {feed.body['feedId']} did not finish in {give_up_after:.0f} s", status)
        yield Wait(poll_seconds)
        waited += poll_seconds
    report: bytes | None = None
    if "resultFeedDocumentId" in status.body:
        described = yield Request(f"{FEEDS}.getFeedDocument",
                                  path={"feedDocumentId": status.body["resultFeedDocumentId"]})
        expect_ok(described, "getFeedDocument")
        report = (yield Request("document.get", url=described.body["url"])).body
    return status.body["processingStatus"], report
