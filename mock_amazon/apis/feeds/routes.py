"""Feeds 2021-06-30."""
from __future__ import annotations

from mock_amazon.apis.feeds.backend import Feed
from mock_amazon.apis.processing import page_json
from mock_amazon.entities import iso
from mock_amazon.pipeline import Answer, Api, Call

api = Api("feeds", "feeds_2021-06-30")


def feed_json(feed: Feed) -> dict:
    body = {"feedId": feed.id, "feedType": feed.feed_type, "marketplaceIds": feed.marketplace_ids,
            "createdTime": iso(feed.created), "processingStatus": feed.status}
    if feed.processing_start is not None:
        body["processingStartTime"] = iso(feed.processing_start)
    if feed.processing_end is not None:
        body["processingEndTime"] = iso(feed.processing_end)
    if feed.result_document_id:
        body["resultFeedDocumentId"] = feed.result_document_id
    return body


@api.operation("createFeedDocument")
def create_feed_document(call: Call) -> Answer:
    document_id = call.amazon.feeds.create_document(call.seller.seller_id, call.params["body"]["contentType"])
    return 201, {"feedDocumentId": document_id, "url": call.amazon.documents.upload_url(document_id)}


@api.operation("createFeed")
def create_feed(call: Call) -> Answer:
    feed = call.amazon.feeds.create(call.seller.seller_id, call.params["body"])
    return 202, {"feedId": feed.id}


@api.operation("getFeed")
def get_feed(call: Call) -> Answer:
    return 200, feed_json(call.amazon.feeds.feeds.load(call.seller.seller_id, call.params["feedId"]))


@api.operation("getFeeds")
def get_feeds(call: Call) -> Answer:
    p = call.params
    feeds, next_token = call.amazon.feeds.search(call.seller.seller_id, p.get("feedTypes"), p.get("processingStatuses"),
                                               p.get("pageSize", 10), p.get("createdSince"), p.get("createdUntil"),
                                               p.get("nextToken"))
    return 200, page_json("feeds", [feed_json(f) for f in feeds], next_token)


@api.operation("cancelFeed")
def cancel_feed(call: Call) -> Answer:
    call.amazon.feeds.cancel(call.seller.seller_id, call.params["feedId"])
    return 200, None


@api.operation("getFeedDocument")
def get_feed_document(call: Call) -> Answer:
    return 200, call.amazon.documents.describe(call.seller.seller_id, call.params["feedDocumentId"], "feedDocumentId",
                                             "feed document")
