"""What Reports and Feeds share: listing by type and status, newest first, in pages with an opaque token."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Callable, TypeVar

from mock_amazon.errors import InvalidInput

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.apis.feeds.backend import Feed
    from mock_amazon.apis.reports.backend import Report
    from mock_amazon.core import MockAmazon
    from mock_amazon.entities import Collection

P = TypeVar("P", "Report", "Feed")  # what goes through the processing lifecycle

DEFAULT_LOOKBACK = 90 * 86_400


def start(amazon: MockAmazon, collection: Collection[P], seller_id: str, entity_id: str, at: float,
          finish_action: str, processing_seconds: float) -> None:
    """IN_QUEUE -> IN_PROGRESS when its turn comes (unless cancelled meanwhile), and finishing scheduled."""
    with collection.editing(seller_id, entity_id) as entity:
        if not collection.can_fire(entity, "start"):
            return
        collection.fire(entity, "start", at)
        entity.processing_start = at
    amazon.schedule(at + processing_seconds, finish_action, seller_id, entity_id)


def cancel(collection: Collection[P], seller_id: str, entity_id: str, now: float, parameter: str) -> P:
    """cancelReport / cancelFeed: only what the table lets cancel (IN_QUEUE); else 400 naming the status."""
    with collection.editing(seller_id, entity_id) as entity:
        if not collection.can_fire(entity, "cancel"):
            raise InvalidInput(f"{collection.label.capitalize()} {entity_id} is {entity.status}; only IN_QUEUE "
                               f"{collection.label}s can be cancelled.", parameter)
        collection.fire(entity, "cancel", now)
    return entity


def search(collection: Collection[P], seller_id: str, type_of: Callable[[P], str], types: list[str] | None,
           statuses: list[str] | None, page_size: int, since: datetime | None, until: datetime | None,
           token: str | None, now: float, types_name: str) -> tuple[list[P], str | None]:
    if token:
        try:
            types_, statuses_, since_s, until_s, offset_s = token.split("|")
            types, statuses = types_.split(","), statuses_.split(",") if statuses_ else None
            since_f, until_f, offset = float(since_s), float(until_s), int(offset_s)
        except ValueError:
            raise InvalidInput("nextToken is not valid.", "nextToken") from None
    else:
        if not types:
            raise InvalidInput(f"{types_name} is required unless nextToken is given.", types_name)
        if not 1 <= page_size <= 100:
            raise InvalidInput(f"'pageSize' must be between 1 and 100, not {page_size}.", "pageSize")
        since_f = since.timestamp() if since else now - DEFAULT_LOOKBACK
        until_f = until.timestamp() if until else now + 1
        offset = 0
    matching = [e for e in collection.scan(seller_id, since=since_f, until=until_f, statuses=statuses)
                if type_of(e) in types]
    matching.reverse()  # newest first, as Amazon lists them
    page = matching[offset:offset + page_size]
    more = offset + page_size < len(matching)
    token_out = "|".join([",".join(types), ",".join(statuses or []), repr(since_f), repr(until_f),
                          str(offset + page_size)]) if more else None
    return page, token_out
