"""Feeds: a document is created and uploaded, a feed is created on it, processed on the clock, and leaves a
processing report as its result document. A feed whose document cannot be read at all ends FATAL (with a
report saying why); otherwise DONE, with a result per request or message."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mock_amazon.apis import processing
from mock_amazon.apis.feeds.processors import PROCESSORS
from mock_amazon.entities import Collection, Entity
from mock_amazon.errors import InvalidInput

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon


@dataclass(kw_only=True, eq=False)
class Feed(Entity):
    feed_type: str
    marketplace_ids: list[str]
    input_document_id: str
    options: dict | None = None
    processing_start: float | None = None
    processing_end: float | None = None
    result_document_id: str | None = None


class FeedsBackend:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon
        self.feeds: Collection[Feed] = Collection(amazon.store, "feed", Feed, amazon.lifecycles.processing,
                                                  label="feed")
        amazon.on("feed.start", self._start)
        amazon.on("feed.finish", self._finish)

    def create_document(self, seller_id: str, content_type: str) -> str:
        document_id = f"amzn1.tortuga.4.na.{self.amazon.new_id('hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh')}.T3BUXXXXXXXXXX"
        return self.amazon.documents.create(seller_id, document_id, b"", content_type)

    # feeds
    def create(self, seller_id: str, spec: dict) -> Feed:
        feed_type = spec["feedType"]
        if feed_type not in PROCESSORS:
            raise InvalidInput(f"Feed type {feed_type} is not supported by this mock; supported: "
                               f"{', '.join(PROCESSORS)}.", "feedType")
        content = self.amazon.documents.content(seller_id, spec["inputFeedDocumentId"])
        if content is None:
            raise InvalidInput(f"No feed document {spec['inputFeedDocumentId']} for this seller.",
                               "inputFeedDocumentId")
        if not content:
            raise InvalidInput(f"Feed document {spec['inputFeedDocumentId']} has not been uploaded.",
                               "inputFeedDocumentId")
        now = self.amazon.now()
        feed = Feed(id=self.amazon.next_number("feed"), seller_id=seller_id, created=now, updated=now,
                    feed_type=feed_type, marketplace_ids=spec["marketplaceIds"],
                    input_document_id=spec["inputFeedDocumentId"], options=spec.get("feedOptions"))
        self.feeds.add(feed)
        self.amazon.schedule(now + self.amazon.settings.feed_queue_seconds, "feed.start", seller_id, feed.id)
        return feed

    def _start(self, seller_id: str, feed_id: str, at: float) -> None:
        processing.start(self.amazon, self.feeds, seller_id, feed_id, at, "feed.finish",
                         self.amazon.settings.feed_processing_seconds)

    def _finish(self, seller_id: str, feed_id: str, at: float) -> None:
        with self.feeds.editing(seller_id, feed_id) as feed:
            content = self.amazon.documents.content(seller_id, feed.input_document_id) or b""  # create() saw it
            fatal, report, content_type = PROCESSORS[feed.feed_type](self.amazon, seller_id, content, feed.id)
            result_id = self.create_document(seller_id, content_type)
            self.amazon.documents.upload(result_id, report, content_type)
            feed.result_document_id = result_id
            feed.processing_end = at
            self.feeds.fire(feed, "fail" if fatal else "finish", at)
        self._announce(feed, at)

    def cancel(self, seller_id: str, feed_id: str) -> None:
        feed = processing.cancel(self.feeds, seller_id, feed_id, self.amazon.now(), "feedId")
        self._announce(feed, self.amazon.now())

    def _announce(self, feed: Feed, at: float) -> None:
        finished = {"sellerId": feed.seller_id, "accountId": feed.seller_id, "feedId": feed.id,
                    "feedType": feed.feed_type, "processingStatus": feed.status}
        if feed.result_document_id:
            finished["resultFeedDocumentId"] = feed.result_document_id
        self.amazon.notifications.publish(feed.seller_id, "FEED_PROCESSING_FINISHED",
                                        {"feedProcessingFinishedNotification": finished}, at)

    def search(self, seller_id: str, types: list[str] | None, statuses: list[str] | None, page_size: int,
               since: datetime | None, until: datetime | None, token: str | None) -> tuple[list[Feed], str | None]:
        return processing.search(self.feeds, seller_id, lambda feed: feed.feed_type, types, statuses, page_size,
                                 since, until, token, self.amazon.now(), "feedTypes")
