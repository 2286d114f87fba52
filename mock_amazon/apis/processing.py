"""What Reports and Feeds share: listing by type and status, newest first, in pages with an opaque token."""
from __future__ import annotations

from mock_amazon.errors import InvalidInput

DEFAULT_LOOKBACK = 90 * 86_400


def search(collection, seller_id: str, type_of, types: list[str] | None, statuses: list[str] | None,
           page_size: int, since, until, token: str | None, now: float,
           types_name: str) -> tuple[list, str | None]:
    if token:
        try:
            types_, statuses_, since_s, until_s, offset = token.split("|")
            types, statuses = types_.split(","), statuses_.split(",") if statuses_ else None
            since_f, until_f, offset = float(since_s), float(until_s), int(offset)
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
