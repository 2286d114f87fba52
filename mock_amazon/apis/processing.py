"""What Reports and Feeds share: a request queued, started and finished on the clock, cancellable while it is
queued, announced when it ends, and listed by type and status, newest first, in pages with an opaque token.
Each API subclasses `ProcessingBackend` with its names and its own `finish`."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from mock_amazon.entities import Collection
from mock_amazon.errors import InvalidInput

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.apis.feeds.backend import Feed
    from mock_amazon.apis.reports.backend import Report
    from mock_amazon.core import MockAmazon

P = TypeVar("P", "Report", "Feed")  # what goes through the processing lifecycle

DEFAULT_LOOKBACK = 90 * 86_400


def page_json(key: str, items: list[dict], next_token: str | None) -> dict:
    """A getReports / getFeeds answer: the page under `key`, and `nextToken` while more remain."""
    return {key: items, **({"nextToken": next_token} if next_token else {})}


class ProcessingBackend(Generic[P]):
    label: ClassVar[str]               # "report" or "feed": timer actions, messages
    type_attribute: ClassVar[str]      # the entity's field holding its type ("report_type")
    document_attribute: ClassVar[str]  # the entity's field holding its result document
    types_parameter: ClassVar[str]     # the search parameter naming the types ("reportTypes")
    id_parameter: ClassVar[str]        # the path parameter naming one ("reportId")
    notification: ClassVar[tuple[str, str, str]]  # (notification type, payload key, result document key)

    def __init__(self, amazon: MockAmazon, collection: Collection[P]) -> None:
        self.amazon = amazon
        self.collection: Collection[P] = collection
        amazon.on(f"{self.label}.start", self._start)
        amazon.on(f"{self.label}.finish", self._finish)

    def finish(self, entity: P, at: float) -> None:
        """Produce the result and fire `finish` (or `fail`) on the entity, inside `editing`."""
        raise NotImplementedError

    def _setting(self, stage: str) -> float:
        seconds: float = getattr(self.amazon.settings, f"{self.label}_{stage}_seconds")
        return seconds

    def queue(self, entity: P) -> P:
        """A new request: stored IN_QUEUE, started when its turn comes."""
        self.collection.add(entity)
        self.amazon.schedule(entity.created + self._setting("queue"), f"{self.label}.start", entity.seller_id,
                             entity.id)
        return entity

    def _start(self, seller_id: str, entity_id: str, at: float) -> None:
        """IN_QUEUE -> IN_PROGRESS (unless cancelled meanwhile), and finishing scheduled."""
        with self.collection.editing(seller_id, entity_id) as entity:
            if not self.collection.can_fire(entity, "start"):
                return
            self.collection.fire(entity, "start", at)
            entity.processing_start = at
        self.amazon.schedule(at + self._setting("processing"), f"{self.label}.finish", seller_id, entity_id)

    def _finish(self, seller_id: str, entity_id: str, at: float) -> None:
        with self.collection.editing(seller_id, entity_id) as entity:
            self.finish(entity, at)
            entity.processing_end = at
        self._announce(entity, at)

    def cancel(self, seller_id: str, entity_id: str) -> None:
        """cancelReport / cancelFeed: only what the table lets cancel (IN_QUEUE); else 400 naming the status."""
        now = self.amazon.now()
        with self.collection.editing(seller_id, entity_id) as entity:
            if not self.collection.can_fire(entity, "cancel"):
                raise InvalidInput(f"{self.label.capitalize()} {entity_id} is {entity.status}; only IN_QUEUE "
                                   f"{self.label}s can be cancelled.", self.id_parameter)
            self.collection.fire(entity, "cancel", now)
        self._announce(entity, now)

    def _announce(self, entity: P, at: float) -> None:
        notification_type, payload_key, document_key = self.notification
        finished = {"sellerId": entity.seller_id, "accountId": entity.seller_id, self.id_parameter: entity.id,
                    self.types_parameter[:-1]: getattr(entity, self.type_attribute),
                    "processingStatus": entity.status}
        document_id = getattr(entity, self.document_attribute)
        if document_id:
            finished[document_key] = document_id
        self.amazon.notifications.publish(entity.seller_id, notification_type, {payload_key: finished}, at)

    def search(self, seller_id: str, types: list[str] | None, statuses: list[str] | None, page_size: int,
               since: datetime | None, until: datetime | None, token: str | None) -> tuple[list[P], str | None]:
        """getReports / getFeeds: by type and status within a creation window; the token carries the query."""
        if token:
            try:
                types_, statuses_, since_s, until_s, offset_s = token.split("|")
                types, statuses = types_.split(","), statuses_.split(",") if statuses_ else None
                since_f, until_f, offset = float(since_s), float(until_s), int(offset_s)
            except ValueError:
                raise InvalidInput("nextToken is not valid.", "nextToken") from None
        else:
            if not types:
                raise InvalidInput(f"{self.types_parameter} is required unless nextToken is given.",
                                   self.types_parameter)
            if not 1 <= page_size <= 100:
                raise InvalidInput(f"'pageSize' must be between 1 and 100, not {page_size}.", "pageSize")
            now = self.amazon.now()
            since_f = since.timestamp() if since else now - DEFAULT_LOOKBACK
            until_f = until.timestamp() if until else now + 1
            offset = 0
        matching = [e for e in self.collection.scan(seller_id, since=since_f, until=until_f, statuses=statuses)
                    if getattr(e, self.type_attribute) in types]
        matching.reverse()  # newest first, as Amazon lists them
        page = matching[offset:offset + page_size]
        more = offset + page_size < len(matching)
        token_out = "|".join([",".join(types), ",".join(statuses or []), repr(since_f), repr(until_f),
                              str(offset + page_size)]) if more else None
        return page, token_out
