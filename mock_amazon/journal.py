"""The traffic journal: every call at Amazon's doors (SP-API and SmartConnect operations, Login with Amazon's token
endpoint, document downloads and uploads), as a person or a judge reads it afterwards, like WireMock's request
journal. Exported as HAR 1.2 so it opens in the tools people already have.

One row per call in the store's `traffic` table. The row always holds what the call was
(method, path, query, operation, seller, status, throttled, fault, request ID, simulated and wall time, latency);
with bodies on it also holds both sides' headers and bodies, secrets redacted and each body capped at 64 KiB.
The simulator turns bodies off: serialising every answer would cost more than the call. In an in-memory store, rows
with bodies, and every row of a simulation's store (one that writes its tables behind), wait in memory and go into
the table ENTRIES_BATCHED (without bodies, ROWS_BATCHED) at a time, in one transaction (a third cheaper a row; one
INSERT per call was a twentieth of a simulation); every read of the journal writes the waiting ones first, and so
does a snapshot, so no reader can tell.

A bounded journal drops its oldest entries first and counts them (`dropped`, since this process started). An
in-memory store (SQLite's memdb) cannot grow past 1 GiB: the journal also drops its oldest entries while the store
uses more than MEMORY_BUDGET, so a mock under heavy traffic with large answers keeps answering.

Secrets are redacted from both sides. An answer is scanned for a secret field only if its operation's model allows
one (spec.answers_may_hold_key): a page of orders never holds a token, and scanning it would cost more than
recording it.
"""
from __future__ import annotations

import base64
import dataclasses
import http
import importlib.metadata
import re
import threading
from typing import Any, Callable, Iterable, Mapping, Protocol
from urllib.parse import parse_qsl, quote_plus, urlencode

import orjson

from mock_amazon.errors import InvalidInput
from mock_amazon.spec import answers_may_hold_key
from mock_amazon.store import Store
from model.clock import Clock, to_datetime

BODY_CAP = 64 * 1024
REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"x-amz-access-token", "authorization", "x-testbed-token", "cookie"})
# Login with Amazon's credentials and tokens (form fields and JSON keys), and Restricted Data Tokens. A form's
# `code` is an authorization code; in JSON, `code` names an error, so it stays.
FORM_SECRETS = frozenset({"client_secret", "refresh_token", "access_token", "code"})
JSON_SECRETS = frozenset({"client_secret", "refresh_token", "access_token", "restrictedDataToken"})
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"}
MAX_LIMIT = 100_000
MAX_ID = 2 ** 63 - 1  # SQLite's largest row ID
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")  # characters a query never quotes
MEMORY_BUDGET = 768 * 2 ** 20  # bytes an in-memory store may use before the oldest entries go (memdb's cap: 1 GiB)
BUDGET_CHECKED_EVERY = 256     # entries recorded between two looks at the store's size
BUDGET_DROPS = 256             # entries dropped at a time while the store is over budget
ENTRIES_BATCHED = 32           # rows with bodies written to an in-memory store at once
ROWS_BATCHED = 256             # rows without bodies (a simulation's) written at once
INSERT = ("INSERT INTO traffic (time, seller_id, operation, method, path, status, throttled, fault, request_id, wall, "
          "query, latency, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
COLUMNS = ("id", "time", "seller_id", "operation", "method", "path", "status", "throttled", "fault", "request_id",
           "wall", "query", "latency", "detail")


class HeaderItems(Protocol):
    """Headers as a dict or as the web framework's own multi-valued mapping holds them."""

    def items(self) -> Iterable[tuple[str, str]]: ...


@dataclasses.dataclass(slots=True)
class Message:
    """One side of a call as it crossed the wire: headers and body (bytes, text, a JSON value or None)."""
    headers: HeaderItems
    body: Any
    content_type: str | None = None


@dataclasses.dataclass(frozen=True)
class Filter:
    """Which entries to read: by operation, status (`429` or a class like `4xx`), seller, after an ID; with
    `newest`, the last `limit` of those (still oldest first), as a live tail starts."""
    operation: str | None = None
    status: str | int | None = None
    seller_id: str | None = None
    since_id: int = 0
    limit: int = 1000
    newest: bool = False

    @classmethod
    def from_query(cls, args: Mapping[str, str]) -> Filter:
        """A filter from a URL's query: operation, status, seller_id, since_id (or since), limit (1 to 100000),
        newest (true or false)."""
        since = args.get("since_id", args.get("since", "0"))
        if not since.isascii() or not since.isdigit() or int(since) > MAX_ID:
            raise InvalidInput("'since_id' must be a journal entry ID (0 or more).", "since_id")
        limit = args.get("limit", "1000")
        if not limit.isascii() or not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
            raise InvalidInput(f"'limit' must be between 1 and {MAX_LIMIT}.", "limit")
        status = args.get("status") or None
        if status is not None and not (status in STATUS_CLASSES or status.isascii() and status.isdigit()
                                       and 100 <= int(status) <= 599):
            raise InvalidInput("'status' must be an HTTP status (429) or a class of them (4xx).", "status")
        newest = args.get("newest", "false")
        if newest not in ("true", "false"):
            raise InvalidInput("'newest' must be true or false.", "newest")
        return cls(args.get("operation") or None, status, args.get("seller_id") or None, int(since), int(limit),
                   newest == "true")

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = ["id > ?"]
        args: list[Any] = [self.since_id]
        if self.operation:
            clauses.append("operation = ?")
            args.append(self.operation)
        if self.seller_id:
            clauses.append("seller_id = ?")
            args.append(self.seller_id)
        if self.status:
            status = str(self.status)
            if status in STATUS_CLASSES:
                clauses.append("status BETWEEN ? AND ?")
                args += [int(status[0]) * 100, int(status[0]) * 100 + 99]
            else:
                clauses.append("status = ?")
                args.append(int(self.status))
        return " AND ".join(clauses), args


class Journal:
    def __init__(self, store: Store, clock: Clock, wall: Callable[[], float], lock: threading.RLock,
                 limit: int | None = None, bodies: bool = True):
        """`wall` gives real POSIX seconds (injected so tests stay deterministic); `lock` is the mock's, so an
        entry never lands inside another thread's open transaction; `limit` bounds the number of entries kept, and
        `store_budget` the bytes an in-memory store may use (None: a store in a file, bounded by its disk)."""
        if limit is not None and limit < 1:
            raise ValueError("the journal limit must be at least 1 (or None: unbounded)")
        self.store, self.clock, self.wall, self.lock = store, clock, wall, lock
        self.limit, self.bodies = limit, bodies
        in_memory = store.path == ":memory:"
        self.store_budget: int | None = MEMORY_BUDGET if in_memory else None
        # Rows not yet in the table: only an in-memory store's, with bodies or in a simulation. A store in a file holds
        # each entry once its call has answered.
        self.waiting: list[tuple] | None = [] if in_memory and (bodies or store.memory is not None) else None
        self.dropped = 0
        self._kept = self._count()
        self._recorded_since_check = 0

    # writing
    def record(self, operation: str, method: str, path: str, query: str, status: int, started: float,
               seller_id: str | None = None, throttled: bool = False, fault: str | None = None,
               request_id: str | None = None, request: Message | None = None,
               response: Message | None = None) -> None:
        """Journal one call; `started` is the wall time it arrived (for its latency)."""
        wall = self.wall()
        detail = None
        if self.bodies:
            detail = _stored(_side(request), _side(response, secrets=answers_may_hold_key(operation, JSON_SECRETS)))
        row = (self.clock.seconds(), seller_id, operation, method, path, status, int(throttled), fault,
               request_id or "", started, query, max(0.0, wall - started), detail)
        with self.lock:
            if self.waiting is None:
                self.store.execute(INSERT, row)
            else:
                self.waiting.append(row)
                if len(self.waiting) >= (ENTRIES_BATCHED if self.bodies else ROWS_BATCHED):
                    self._write_waiting()
            self._kept += 1
            if self.limit is not None and self._kept > self.limit:
                self._write_waiting()
                self._drop(self._kept - self.limit)
            self._recorded_since_check += 1
            if self.store_budget is not None and self._recorded_since_check >= BUDGET_CHECKED_EVERY:
                self._recorded_since_check = 0
                self._write_waiting()
                while self._kept and self._store_bytes() > self.store_budget:
                    self._drop(min(self._kept, BUDGET_DROPS))

    def _write_waiting(self) -> None:
        """The waiting rows into the table, in one transaction; called with the lock held."""
        if self.waiting:
            with self.store.transaction():
                self.store.executemany(INSERT, self.waiting)
            self.waiting.clear()

    def _store_bytes(self) -> int:
        """The bytes of the store's pages in use (freed pages are reused before the store grows)."""
        pages, free, size = (self.store.execute(f"PRAGMA {name}").fetchone()[0]
                             for name in ("page_count", "freelist_count", "page_size"))
        used: int = (pages - free) * size
        return used

    def _drop(self, count: int) -> None:
        self.store.execute("DELETE FROM traffic WHERE id IN (SELECT id FROM traffic ORDER BY id LIMIT ?)", (count,))
        self._kept -= count
        self.dropped += count

    def _count(self) -> int:
        return self.store.execute("SELECT COUNT(*) FROM traffic").fetchone()[0]

    # reading
    def entries(self, where: Filter | None = None) -> list[dict]:
        """Entries without their bodies, oldest first."""
        return [_summary(row) for row in self._rows(where or Filter(), with_detail=False)]

    def entry(self, entry_id: int) -> dict | None:
        """One entry with both sides' headers and bodies (null where bodies were off)."""
        if not 0 <= entry_id <= MAX_ID:
            return None
        with self.lock:
            self._write_waiting()
            row = self.store.execute(f"SELECT {', '.join(COLUMNS)} FROM traffic WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            return None
        detail = _read(row[13]) if row[13] else {"request": None, "response": None}
        return {**_summary(row), **detail}

    def har(self, where: Filter | None = None, base_url: str = "") -> dict:
        """The entries as an HTTP Archive (HAR 1.2); each entry's journal ID is in its custom field `_id`."""
        entries = [_har_entry(row, base_url) for row in self._rows(where or Filter(), with_detail=True)]
        return {"log": {"version": "1.2", "creator": {"name": "fulfillment-testbed mock_amazon",
                                                       "version": _version()},
                        "comment": "startedDateTime is wall time; _simulatedTime is the marketplace's time.",
                        "entries": entries}}

    def _rows(self, where: Filter, with_detail: bool) -> list[tuple]:
        clause, args = where.where()
        columns = COLUMNS if with_detail else COLUMNS[:-1]
        order = "DESC" if where.newest else ""
        with self.lock:
            self._write_waiting()
            rows = self.store.execute(f"SELECT {', '.join(columns)} FROM traffic WHERE {clause} ORDER BY id {order} "
                                      "LIMIT ?", (*args, where.limit)).fetchall()
        return rows[::-1] if where.newest else rows

    def touching(self, text: str, seller_id: str, scan: int = 2000, limit: int = 100) -> dict:
        """The newest `limit` entries of the seller's calls that name `text` (an entity's ID) in their path, query
        or either body, looked for among the journal's newest `scan` entries; oldest first. `scanned` says how
        far back the search went."""
        with self.lock:
            self._write_waiting()
            last = self.store.execute("SELECT COALESCE(MAX(id), 0) FROM traffic").fetchone()[0]
            floor = max(0, last - scan)
            rows = self.store.execute(
                f"SELECT {', '.join(COLUMNS[:-1])} FROM traffic WHERE id > ? AND seller_id = ? AND "
                "(instr(path, ?) OR instr(COALESCE(query, ''), ?) OR instr(COALESCE(detail, ''), ?)) "
                "ORDER BY id DESC LIMIT ?", (floor, seller_id, text, text, text, limit)).fetchall()
        return {"entries": [_summary(row) for row in rows[::-1]], "scanned_from_id": floor + 1}

    def throttles(self, seller_id: str, since_id: int = 0) -> dict[str, dict]:
        """The seller's 429s per operation after `since_id`: how many and the last one's ID and time."""
        with self.lock:
            self._write_waiting()
            rows = self.store.execute(
                "SELECT operation, COUNT(*), MAX(id), MAX(time) FROM traffic WHERE id > ? AND seller_id = ? "
                "AND status = 429 GROUP BY operation", (since_id, seller_id)).fetchall()
        return {operation: {"count": count, "last_id": last_id, "last": to_datetime(last).isoformat()}
                for operation, count, last_id, last in rows}

    def throttled_count(self) -> int:
        """The calls the rate limits refused (an injected 429 is not one)."""
        with self.lock:
            self._write_waiting()
            count: int = self.store.execute("SELECT COUNT(*) FROM traffic WHERE throttled=1").fetchone()[0]
        return count

    def last_id(self) -> int:
        with self.lock:
            self._write_waiting()
            last: int = self.store.execute("SELECT COALESCE(MAX(id), 0) FROM traffic").fetchone()[0]
        return last

    # lifecycle: reset and snapshots
    def forget(self) -> None:
        """After the store was wiped: nothing kept, nothing waiting, nothing dropped."""
        self._kept, self.dropped = 0, 0
        if self.waiting is not None:
            self.waiting.clear()

    def save(self) -> dict:
        """What a snapshot keeps besides the store's copy; the waiting rows go into the table first, so that the copy,
        made after every part is saved, holds them."""
        with self.lock:
            self._write_waiting()
        return {"dropped": self.dropped}

    def restore(self, saved: dict) -> None:
        """After the store was restored: rows still waiting were recorded after the snapshot, and go with it; a
        recount. IDs given before the restore are never reused."""
        if self.waiting is not None:
            self.waiting.clear()
        self._kept, self.dropped = self._count(), saved["dropped"]


def query_string(pairs: Any) -> str:
    """A query as it would appear in a URL, from a MultiDict or a mapping (as `urlencode` writes it, faster:
    most names and values need no quoting, and a query asked again is written once)."""
    items = tuple(pairs.items(multi=True) if hasattr(pairs, "getlist") else pairs.items())
    text = _written_queries.get(items)
    if text is None:
        text = "&".join(f"{_quoted(name)}={_quoted(value)}" for name, value in items)
        if len(_written_queries) >= QUERIES_WRITTEN:
            _written_queries.clear()
        _written_queries[items] = text
    return text


QUERIES_WRITTEN = 10_000  # queries kept written; past that the table starts over
_written_queries: dict[tuple, str] = {}


def _quoted(text: str) -> str:
    return text if _PLAIN.fullmatch(text) else quote_plus(text)


def _side(message: Message | None, secrets: bool = True) -> dict | None:
    """What the journal keeps of one side: redacted headers, and the body as text (or base64), capped; its secret
    fields redacted unless `secrets` says it can hold none."""
    if message is None:
        return None
    headers = [[name, REDACTED if name.lower() in SECRET_HEADERS else str(value)]
               for name, value in message.headers.items()]
    content_type = message.content_type
    body = message.body
    if body is None or body == b"":
        return {"headers": headers, "mime_type": content_type, "size": 0, "text": None, "truncated": False}
    if isinstance(body, (bytes, bytearray)):
        raw = bytes(body)
    elif isinstance(body, str):
        raw = body.encode()
    elif isinstance(body, Mapping) and content_type == FORM:
        raw = urlencode(list(body.items())).encode()
    else:
        raw, content_type = orjson.dumps(body), content_type or JSON
    if secrets:
        raw = _redacted(raw, content_type)
    size = len(raw)
    try:
        text, encoding = raw[:BODY_CAP].decode(), None
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and size > BODY_CAP:  # the cap cut a character in two
            text, encoding = raw[:error.start].decode(), None
        else:
            text, encoding = base64.b64encode(raw[:BODY_CAP]).decode(), "base64"
    side = {"headers": headers, "mime_type": content_type, "size": size, "text": text, "truncated": size > BODY_CAP}
    if encoding:
        side["encoding"] = encoding
    return side


def _stored(request: dict | None, response: dict | None) -> str:
    """Both sides as the journal stores them: one line of JSON, each body's text replaced by its length, then the
    texts as they are (the request's first). Escaping a large answer into a JSON string cost more than storing it."""
    texts = []
    for side in (request, response):
        if side is not None and side["text"] is not None:
            texts.append(side["text"])
            side["text_length"] = len(side["text"])
            side["text"] = None  # its key keeps its place, so the side reads back in the order it was written
    return orjson.dumps({"request": request, "response": response}).decode() + "\n" + "".join(texts)


def _read(stored: str) -> dict:
    """Both sides as `_stored` wrote them. An entry stored before (one JSON object, its texts inside) has no text
    lengths, so it reads as it is."""
    line, _, texts = stored.partition("\n")  # the JSON line itself holds no newline (JSON escapes them)
    detail = orjson.loads(line)
    start = 0
    for side in (detail["request"], detail["response"]):
        length = None if side is None else side.pop("text_length", None)
        if length is not None:
            side["text"], start = texts[start:start + length], start + length
    return detail


def _redacted(raw: bytes, content_type: str | None) -> bytes:
    """The body with every secret field's value replaced; the check is a cheap scan, the rewrite rare."""
    if content_type and content_type.startswith(FORM):
        pairs = parse_qsl(raw.decode(errors="replace"), keep_blank_values=True)
        return urlencode([(k, REDACTED if k in FORM_SECRETS else v) for k, v in pairs], safe="[]").encode()
    if not any(name.encode() in raw for name in JSON_SECRETS):
        return raw
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw
    return orjson.dumps(_redact_value(value))


def _redact_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if k in JSON_SECRETS and isinstance(v, str) else _redact_value(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_value(v) for v in value]
    return value


def _summary(row: tuple) -> dict:
    (entry_id, time, seller_id, operation, method, path, status, throttled, fault, request_id,
     wall, query, latency) = row[:13]
    return {"id": entry_id, "time": to_datetime(time).isoformat(), "seller_id": seller_id, "operation": operation,
            "method": method, "path": path, "query": query or "", "status": status, "throttled": bool(throttled),
            "fault": fault, "request_id": request_id or None,
            "wall_time": None if wall is None else to_datetime(wall).isoformat(),
            "latency_ms": None if latency is None else round(latency * 1000, 3)}


def _har_entry(row: tuple, base_url: str) -> dict:
    summary = _summary(row)
    detail = _read(row[13]) if row[13] else {}
    request, response = detail.get("request") or {}, detail.get("response") or {}
    query = summary["query"]
    elapsed = summary["latency_ms"] or 0.0
    entry = {
        "_id": summary["id"],
        "startedDateTime": summary["wall_time"] or summary["time"],
        "time": elapsed,
        "request": {
            "method": summary["method"], "url": base_url + summary["path"] + (f"?{query}" if query else ""),
            "httpVersion": "HTTP/1.1", "cookies": [], "headers": _har_headers(request),
            "queryString": [{"name": k, "value": v} for k, v in parse_qsl(query, keep_blank_values=True)],
            "headersSize": -1, "bodySize": request.get("size", -1) if request else -1},
        "response": {
            "status": summary["status"], "statusText": _status_text(summary["status"]), "httpVersion": "HTTP/1.1",
            "cookies": [], "headers": _har_headers(response), "content": _har_content(response),
            "redirectURL": "", "headersSize": -1, "bodySize": response.get("size", -1) if response else -1},
        "cache": {},
        "timings": {"send": 0, "wait": elapsed, "receive": 0},
        "_operation": summary["operation"], "_sellerId": summary["seller_id"], "_simulatedTime": summary["time"],
        "_requestId": summary["request_id"], "_throttled": summary["throttled"], "_fault": summary["fault"],
    }
    if request.get("text") is not None:
        entry["request"]["postData"] = {"mimeType": request.get("mime_type") or "application/octet-stream",
                                        "text": request["text"]}
        if request.get("truncated"):
            entry["request"]["postData"]["comment"] = f"truncated at {BODY_CAP} bytes"
    if not detail:
        entry["comment"] = "bodies were not recorded"
    return entry


def _har_headers(side: dict) -> list[dict]:
    return [{"name": name, "value": value} for name, value in side.get("headers", [])]


def _har_content(side: dict) -> dict:
    content: dict[str, Any] = {"size": side.get("size", 0), "mimeType": side.get("mime_type") or ""}
    if side.get("text") is not None:
        content["text"] = side["text"]
    if side.get("encoding"):
        content["encoding"] = side["encoding"]
    if side.get("truncated"):
        content["comment"] = f"truncated at {BODY_CAP} bytes"
    return content


def _status_text(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _version() -> str:
    try:
        return importlib.metadata.version("fulfillment-testbed")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
