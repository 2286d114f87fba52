"""Feeds: a document is created and uploaded, a feed is created on it, processed on the clock, and leaves a
processing report as its result document. A feed whose document cannot be read at all ends FATAL (with a
report saying why); otherwise DONE, with a result per request or message."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mock_amazon.apis.feeds.processors import PROCESSORS
from mock_amazon.apis.processing import ProcessingBackend
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


class FeedsBackend(ProcessingBackend[Feed]):
    label = "feed"
    type_attribute = "feed_type"
    document_attribute = "result_document_id"
    types_parameter = "feedTypes"
    id_parameter = "feedId"
    notification = ("FEED_PROCESSING_FINISHED", "feedProcessingFinishedNotification", "resultFeedDocumentId")

    def __init__(self, amazon: MockAmazon) -> None:
        self.feeds: Collection[Feed] = Collection(amazon.store, "feed", Feed, amazon.lifecycles.processing,
                                                  label="feed")
        super().__init__(amazon, self.feeds)

    def create_document(self, seller_id: str, content_type: str) -> str:
        """createFeedDocument: an empty input document, filled through its upload URL."""
        return self.amazon.documents.create(seller_id, self._new_document_id(), b"", content_type, uploadable=True)

    def _new_document_id(self) -> str:
        return f"amzn1.tortuga.4.na.{self.amazon.new_id('hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh')}.T3BUXXXXXXXXXX"

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
        return self.queue(Feed(id=self.amazon.next_number("feed"), seller_id=seller_id, created=now, updated=now,
                               feed_type=feed_type, marketplace_ids=spec["marketplaceIds"],
                               input_document_id=spec["inputFeedDocumentId"], options=spec.get("feedOptions")))

    def finish(self, feed: Feed, at: float) -> None:
        """Process the uploaded document; a document that cannot be read at all ends the feed FATAL."""
        content = self.amazon.documents.content(feed.seller_id, feed.input_document_id) or b""  # create() saw it
        fatal, report, content_type = PROCESSORS[feed.feed_type](self.amazon, feed.seller_id, content, feed.id)
        feed.result_document_id = self.amazon.documents.create(feed.seller_id, self._new_document_id(), report,
                                                                content_type)
        self.feeds.fire(feed, "fail" if fatal else "finish", at)
