"""Submitting a feed as the integration does it: document, upload, feed, wait, processing report."""
from __future__ import annotations

from model.workflows.protocol import Request, Response, Wait, WorkflowError

FEEDS = "feeds_2021-06-30"


def submit(feed_type: str, content: bytes, content_type: str, marketplace_id: str = "ATVPDKIKX0DER",
           poll_seconds: float = 60.0, give_up_after: float = 3600.0):
    """Returns (processingStatus, processing report bytes or None). A feed that never finishes raises
    WorkflowError; FATAL and CANCELLED are returned for the caller to judge."""
    document = yield Request(f"{FEEDS}.createFeedDocument", body={"contentType": content_type})
    check(document, "createFeedDocument")
    upload = yield Request("document.put", url=document.body["url"], body=content, content_type=content_type)
    if not upload.ok:
        raise WorkflowError(f"the feed upload answered {upload.status}", upload)
    feed = yield Request(f"{FEEDS}.createFeed", body={"feedType": feed_type, "marketplaceIds": [marketplace_id],
                                                      "inputFeedDocumentId": document.body["feedDocumentId"]})
    check(feed, "createFeed")
    waited = 0.0
    while True:
        status = yield Request(f"{FEEDS}.getFeed", path={"feedId": feed.body["feedId"]})
        check(status, "getFeed")
        if status.body["processingStatus"] in ("DONE", "FATAL", "CANCELLED"):
            break
        if waited >= give_up_after:
            raise WorkflowError(f"feed {feed.body['feedId']} did not finish in {give_up_after:.0f} s", status)
        yield Wait(poll_seconds)
        waited += poll_seconds
    report = None
    if "resultFeedDocumentId" in status.body:
        described = yield Request(f"{FEEDS}.getFeedDocument",
                                  path={"feedDocumentId": status.body["resultFeedDocumentId"]})
        check(described, "getFeedDocument")
        report = (yield Request("document.get", url=described.body["url"])).body
    return status.body["processingStatus"], report


def check(response: Response, what: str) -> None:
    if not response.ok:
        raise WorkflowError(f"{what} answered {response.status}: {response.error_message}", response)
