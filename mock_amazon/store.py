"""Mock state in SQLite: ':memory:' for tests and simulation, a file for the standalone server.

Entities of every API share one table of JSON documents keyed by (kind, seller, id), with the columns that
queries filter and sort on (status, created, updated) kept beside the document. Inventory positions, timers,
blobs (report and feed documents), access and restricted data tokens, sellers, the traffic log, and SQS queues
and their messages (on the wire's time, see apis/sqs/backend.py) have tables of their own.

SQLite is the record; `live` holds the entities already decoded from it (an identity map), so a read costs a
dictionary lookup, not a JSON decode. A rolled-back transaction forgets every entity it handed out, so the next
read decodes the stored document again. A simulation's store (`write_behind=True`) keeps its entities, positions
and timers in memory instead and hands them to SQLite only when the database is wanted whole (write_behind.py).

One connection serves every thread, so the store's lock is held for every statement and for a whole transaction:
no thread's statement can land inside another thread's transaction (and be rolled back with it). A transaction
opened inside another is a savepoint: when it fails, what it did is undone and the outer one goes on.

A level (the transaction, or a savepoint) reaches SQLite only with its first statement: until then the database is
what it was when the level opened, so a BEGIN or SAVEPOINT issued at that moment is the same as one issued at the
start. Most levels opened to edit one entity run no statement inside (the entity is saved after the level closes),
and cost no SAVEPOINT and RELEASE: about a quarter of a simulation's statements.
"""
from __future__ import annotations

import heapq
import sqlite3
import threading
from collections.abc import Callable, Iterator, MutableMapping
from types import TracebackType
from typing import Any, Literal

import orjson

from mock_amazon.write_behind import Row, Tables, Timer, TimerMemory
from model.inventory import Position

SCHEMA = """
CREATE TABLE IF NOT EXISTS sellers (
    seller_id TEXT PRIMARY KEY, marketplace_id TEXT NOT NULL, client_id TEXT UNIQUE NOT NULL,
    client_secret TEXT NOT NULL, refresh_token TEXT UNIQUE NOT NULL, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (access_token TEXT PRIMARY KEY, seller_id TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS restricted_tokens (
    token TEXT PRIMARY KEY, seller_id TEXT NOT NULL, expires_at REAL NOT NULL, resources TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS authorization_codes (
    code TEXT PRIMARY KEY, seller_id TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    kind TEXT NOT NULL, seller_id TEXT NOT NULL, id TEXT NOT NULL, status TEXT, created REAL NOT NULL,
    updated REAL NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, seller_id, id));
CREATE INDEX IF NOT EXISTS entities_by_created ON entities (kind, seller_id, created, id);
CREATE INDEX IF NOT EXISTS entities_by_updated ON entities (kind, seller_id, updated, id);
CREATE INDEX IF NOT EXISTS entities_by_status ON entities (kind, seller_id, status, updated, id);
CREATE TABLE IF NOT EXISTS inventory (
    seller_id TEXT NOT NULL, sku TEXT NOT NULL, location TEXT NOT NULL, channel TEXT NOT NULL,
    sellable INTEGER NOT NULL, unsellable INTEGER NOT NULL, reserved INTEGER NOT NULL, inbound INTEGER NOT NULL,
    sequence INTEGER NOT NULL, updated REAL NOT NULL, PRIMARY KEY (seller_id, sku, location));
CREATE TABLE IF NOT EXISTS timers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, action TEXT NOT NULL, seller_id TEXT NOT NULL,
    entity_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS timers_by_time ON timers (at, id);
CREATE TABLE IF NOT EXISTS blobs (
    id TEXT PRIMARY KEY, seller_id TEXT NOT NULL, content BLOB NOT NULL, content_type TEXT NOT NULL,
    compression TEXT, uploadable INTEGER NOT NULL DEFAULT 0, packed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS traffic (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, seller_id TEXT, operation TEXT NOT NULL,
    method TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL, throttled INTEGER NOT NULL, fault TEXT,
    request_id TEXT NOT NULL, wall REAL, query TEXT, latency REAL, detail TEXT);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sqs_queues (
    arn TEXT PRIMARY KEY, region TEXT NOT NULL, account TEXT NOT NULL, name TEXT NOT NULL, attributes TEXT NOT NULL,
    created REAL NOT NULL, modified REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sqs_messages (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, message_id TEXT NOT NULL, body TEXT NOT NULL,
    attributes TEXT, sender TEXT NOT NULL, sent REAL NOT NULL, visible_at REAL NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0, first_received REAL, dead_letter_source TEXT,
    seller_id TEXT, destination_id TEXT, notification_type TEXT, via TEXT, delivered REAL);
CREATE INDEX IF NOT EXISTS sqs_messages_by_queue ON sqs_messages (queue, sequence);
"""
# Columns added since a table was first made: a store file from before gains them when opened.
ADDED_COLUMNS = {"traffic": ("wall REAL", "query TEXT", "latency REAL", "detail TEXT"),
                 "blobs": ("uploadable INTEGER NOT NULL DEFAULT 0", "packed INTEGER NOT NULL DEFAULT 0")}

POSITION_FIELDS = ("channel", "sellable", "unsellable", "reserved", "inbound", "sequence")


class Store:
    def __init__(self, path: str = ":memory:", write_behind: bool = False):
        """`write_behind`: keep the entities in memory and write them to SQLite only when the database is wanted
        whole (write_behind.py); only for an in-memory database."""
        if write_behind and path != ":memory:":
            raise ValueError("rows are written behind only to an in-memory database: a file must hold every row "
                             "as soon as its call answers")
        self.path = path
        self.memory = Tables() if write_behind else None
        self.timers: TimerTable | TimerMemory = self.memory.timers if self.memory is not None else TimerTable(self)
        self.lock = threading.RLock()
        self.kinds: set[str] = set()  # the kinds of entity the backends keep here (their Collections)
        self.live = IdentityMap()  # (kind, seller, id) -> the decoded entity
        # Live keys handed out inside the open transaction, one set per level (the transaction, then each savepoint)
        self.touched: list[set[tuple[str, str, str]]] = []
        self.begun = 0  # how many of the open levels SQLite has been told of (BEGIN, then a SAVEPOINT each)
        # Inventory rows as last read or written, (seller, sku, location) -> the row's fields or None (no row): the
        # ledger reads a position several times per move. An undone level that ran statements forgets them all.
        self.position_rows: dict[tuple[str, str, str], tuple | None] = {}
        # Bumped whenever rows may have changed behind what the backends remember of them (a wipe, a restore, an
        # undone level that ran statements): a backend's cache of rows keeps the generation it was filled in.
        self.generation = 0
        if path == ":memory:":
            # SQLite's memdb VFS, not its ':memory:' pager: with the latter, commits slow down as the database
            # grows (a month's simulation spent seconds a day in COMMIT); memdb's stay flat. A name with no
            # leading '/' keeps the database private to this connection.
            self.db = sqlite3.connect("file:testbed-store?vfs=memdb", uri=True, check_same_thread=False,
                                      isolation_level=None)
        else:
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL" if path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        if path == ":memory:":
            # A full journal drops a row for every row it writes. SQLite built with SECURE_DELETE (Debian's) zeroes
            # every deleted byte, which made dropping a page of orders cost as much as writing one; a database in
            # memory has no file for deleted bytes to linger in.
            self.db.execute("PRAGMA secure_delete = OFF")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        for table, columns in ADDED_COLUMNS.items():
            present = {row[1] for row in self.execute(f"PRAGMA table_info({table})")}
            for column in columns:
                if column.split()[0] not in present:
                    self.execute(f"ALTER TABLE {table} ADD COLUMN {column}")

    def execute(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self.lock:
            if self.begun < len(self.touched):
                self._begin_open_levels()
            return self.db.execute(sql, args)

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        with self.lock:
            if self.begun < len(self.touched):
                self._begin_open_levels()
            self.db.executemany(sql, rows)

    def _begin_open_levels(self) -> None:
        for level in range(self.begun, len(self.touched)):
            self.db.execute("BEGIN" if level == 0 else f"SAVEPOINT level{level}")
        self.begun = len(self.touched)

    def transaction(self) -> _Transaction:
        """`with store.transaction():` commits everything inside it at once, or nothing if it raises."""
        return _Transaction(self)

    def wipe(self) -> None:
        with self.transaction():
            for table in ("sellers", "tokens", "restricted_tokens", "authorization_codes", "entities", "inventory",
                          "timers", "blobs", "traffic", "settings", "sqs_queues", "sqs_messages"):
                self.execute(f"DELETE FROM {table}")
        if self.memory is not None:
            self.memory.read_back(self.db)
        self.live.clear()
        self.position_rows.clear()
        self.generation += 1

    # snapshots
    def backup(self) -> sqlite3.Connection:
        """A private in-memory copy of the whole database, made with SQLite's backup API."""
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        with self.lock:
            if self.memory is not None:
                self.memory.write_behind(self.db)
            self.db.backup(copy)
        return copy

    def restore(self, copy: sqlite3.Connection) -> None:
        """Make the database what `copy` holds and forget every decoded entity. IDs already handed out are never
        handed out again: each AUTOINCREMENT sequence keeps the higher of its two values."""
        with self.lock:
            if self.touched:
                raise RuntimeError("a store cannot be restored inside a transaction")
            sequences = self.execute("SELECT name, seq FROM sqlite_sequence").fetchall()
            copy.backup(self.db)
            with self.transaction():
                for name, seq in sequences:
                    if self.execute("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?",
                                    (seq, name)).rowcount == 0:
                        self.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq))
            if self.memory is not None:
                self.memory.read_back(self.db)
            self.live.clear()
            self.position_rows.clear()
            self.generation += 1
            self.touched.clear()
            self.begun = 0

    # entities
    def put(self, kind: str, seller_id: str, entity_id: str, doc: dict, status: str | None,
            created: float, updated: float) -> None:
        doc_json = orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS).decode()
        if self.memory is not None:
            with self.lock:
                self.memory.entities.write((kind, seller_id, entity_id), Row(status, created, updated, doc_json))
            return
        # An upsert, not INSERT OR REPLACE: updating in place leaves the index on `created` alone.
        self.execute("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, seller_id, id) DO UPDATE "
                     "SET status=excluded.status, created=excluded.created, updated=excluded.updated, doc=excluded.doc",
                     (kind, seller_id, entity_id, status, created, updated, doc_json))

    def documents(self, kind: str, seller_id: str, status: str | None = None, after: str = "",
                  limit: int = 1000) -> list[dict]:
        """Stored documents of one kind, by ID, as they are in the record (what the control API lists). With a
        status, the status index finds the matches (sorted by ID after): walking the IDs in order instead reads every
        entity of the kind when few or none are in that status (170 ms for none of 100,000, against under 20 ms for
        60,000 matches this way)."""
        if self.memory is not None:
            with self.lock:
                ids = self.memory.entities.ids(kind, seller_id, status, after, limit)
                return [orjson.loads(self.memory.entities.row((kind, seller_id, entity_id)).doc)  # type: ignore[union-attr]
                        for entity_id in ids]
        index = "INDEXED BY entities_by_status" if status is not None else ""
        sql = f"SELECT doc FROM entities {index} WHERE kind=? AND seller_id=? AND id > ?"
        args: list[Any] = [kind, seller_id, after]
        if status is not None:
            sql += " AND status=?"
            args.append(status)
        rows = self.execute(sql + " ORDER BY id LIMIT ?", (*args, limit)).fetchall()
        return [orjson.loads(row[0]) for row in rows]

    def count_by_status(self, kind: str, seller_id: str) -> dict[str | None, int]:
        """How many entities of one kind and seller are in each status (one query on the status index)."""
        if self.memory is not None:
            with self.lock:
                return self.memory.entities.count_by_status(kind, seller_id)
        rows = self.execute("SELECT status, COUNT(*) FROM entities WHERE kind=? AND seller_id=? GROUP BY status",
                            (kind, seller_id)).fetchall()
        return {status: count for status, count in rows}

    def get(self, kind: str, seller_id: str, entity_id: str) -> dict | None:
        if self.memory is not None:
            with self.lock:
                row = self.memory.entities.row((kind, seller_id, entity_id))
            return None if row is None else orjson.loads(row.doc)
        row = self.execute("SELECT doc FROM entities WHERE kind=? AND seller_id=? AND id=?",
                           (kind, seller_id, entity_id)).fetchone()
        return None if row is None else orjson.loads(row[0])

    def delete(self, kind: str, seller_id: str, entity_id: str) -> None:
        if self.memory is not None:
            with self.lock:
                self.memory.entities.write((kind, seller_id, entity_id), None)
                self.live.pop((kind, seller_id, entity_id))
            return
        self.execute("DELETE FROM entities WHERE kind=? AND seller_id=? AND id=?", (kind, seller_id, entity_id))
        self.live.pop((kind, seller_id, entity_id))

    def hand_out(self, key: tuple[str, str, str], entity: Any) -> Any:
        """Keep `entity` as the live one for `key`; inside a transaction, remember it in case of a rollback."""
        with self.lock:
            self.live.put(key, entity)
            if self.touched:
                self.touched[-1].add(key)
        return entity

    def scan_ids(self, kind: str, seller_id: str, order_by: str = "created", since: float | None = None,
                 until: float | None = None, after: tuple[float, str] | None = None,
                 statuses: list[str] | None = None, limit: int | None = None) -> list[str]:
        """IDs of one kind and seller in (`order_by`, id) order, filtered on the indexed columns."""
        if order_by not in ("created", "updated"):
            raise ValueError(order_by)
        if self.memory is not None:
            with self.lock:
                return self.memory.entities.scan(kind, seller_id, order_by, since, until, after, statuses, limit)
        sql = ["SELECT id FROM entities WHERE kind=? AND seller_id=?"]
        args: list[Any] = [kind, seller_id]
        if since is not None:
            sql.append(f"AND {order_by} >= ?")
            args.append(since)
        if until is not None:
            sql.append(f"AND {order_by} < ?")
            args.append(until)
        if after is not None:
            sql.append(f"AND ({order_by} > ? OR ({order_by} = ? AND id > ?))")
            args += [after[0], after[0], after[1]]
        if statuses:
            sql.append(f"AND status IN ({','.join('?' * len(statuses))})")
            args += statuses
        sql.append(f"ORDER BY {order_by}, id")
        if limit is not None:
            sql.append("LIMIT ?")
            args.append(limit)
        return [entity_id for (entity_id,) in self.execute(" ".join(sql), tuple(args)).fetchall()]

    # settings
    def setting(self, key: str, default: Any = None) -> Any:
        row = self.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return default if row is None else orjson.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        self.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, orjson.dumps(value).decode()))


class IdentityMap:
    """The decoded entities, by kind, then seller, then ID: nested dictionaries, so that the map keeps no key tuple
    per entity (a month's simulation holds some three hundred thousand) and a lookup builds none."""

    def __init__(self) -> None:
        self.kinds: dict[str, dict[str, dict[str, Any]]] = {}

    def of_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        """One kind's entities, seller -> ID -> entity: the same dictionary for as long as the map lives (`clear`
        empties it), so a collection may keep it and look up in it directly."""
        return self.kinds.setdefault(kind, {})

    def put(self, key: tuple[str, str, str], entity: Any) -> None:
        kind, seller_id, entity_id = key
        sellers = self.of_kind(kind)
        held = sellers.get(seller_id)
        if held is None:
            held = sellers[seller_id] = {}
        held[entity_id] = entity

    def pop(self, key: tuple[str, str, str]) -> None:
        held = self.of_kind(key[0]).get(key[1])
        if held is not None:
            held.pop(key[2], None)

    def clear(self) -> None:
        for sellers in self.kinds.values():
            sellers.clear()

    def __len__(self) -> int:
        return sum(len(held) for sellers in self.kinds.values() for held in sellers.values())


class _Transaction:
    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> Store:
        store = self.store
        store.lock.acquire()
        self.depth = len(store.touched)
        store.touched.append(set())  # SQLite hears of this level with its first statement (Store.execute)
        if store.memory is not None:
            store.memory.open_level()
        return store

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> Literal[False]:
        store = self.store
        try:
            touched = store.touched.pop()
            if store.memory is not None:
                store.memory.close_level(committed=kind is None)
            begun = store.begun > self.depth
            if begun:
                store.begun = self.depth
            if kind is None:
                if begun:
                    store.db.execute("COMMIT" if self.depth == 0 else f"RELEASE level{self.depth}")
                if store.touched:
                    store.touched[-1] |= touched  # the outer level answers for them now
            else:
                if begun and self.depth == 0:
                    store.db.execute("ROLLBACK")
                elif begun:
                    store.db.execute(f"ROLLBACK TO level{self.depth}")
                    store.db.execute(f"RELEASE level{self.depth}")
                if begun:  # rare: rows read inside may have been undone
                    store.position_rows.clear()
                store.generation += 1  # entity rows kept in memory may have been undone too
                for key in touched:
                    store.live.pop(key)
        finally:
            store.lock.release()
        return False


class TimerTable:
    """The timers table, with a heap that mirrors it, so that running one is one DELETE. The heap is read again
    whenever the table may have changed behind it (the store's generation moved); a timer set inside a level that
    was undone, if still in the heap, is found gone when taken."""

    def __init__(self, store: Store):
        self.store = store
        self.heap: list[Timer] | None = None
        self.generation = -1

    def _heap(self) -> list[Timer]:
        if self.heap is None or self.generation != self.store.generation:
            self.heap = [tuple(row) for row in self.store.execute(
                "SELECT at, id, action, seller_id, entity_id FROM timers").fetchall()]
            heapq.heapify(self.heap)
            self.generation = self.store.generation
        return self.heap

    def add(self, at: float, action: str, seller_id: str, entity_id: str) -> None:
        with self.store.lock:
            heap = self._heap()
            timer_id = self.store.execute("INSERT INTO timers (at, action, seller_id, entity_id) VALUES (?, ?, ?, ?)",
                                          (at, action, seller_id, entity_id)).lastrowid
            assert timer_id is not None  # an INSERT's row
            heapq.heappush(heap, (at, timer_id, action, seller_id, entity_id))

    def earliest(self) -> float | None:
        heap = self._heap()
        return heap[0][0] if heap else None

    def take(self, now: float) -> Timer | None:
        """The earliest timer due by `now`, deleted (inside the caller's transaction, so that undoing it puts the
        timer back); None when none is due."""
        heap = self._heap()
        while heap and heap[0][0] <= now:
            timer = heapq.heappop(heap)
            if self.store.execute("DELETE FROM timers WHERE id=?", (timer[1],)).rowcount:
                return timer
        return None


class Remembered:
    """What a backend remembers of the store's rows, forgotten whenever they may have changed behind it (the store's
    generation moved: a wipe, a restore, an undone level that ran statements). `current()` is the dict to use."""

    def __init__(self, store: Store):
        self.store = store
        self.generation = store.generation
        self.values: dict[Any, Any] = {}

    def current(self) -> dict[Any, Any]:
        if self.generation != self.store.generation:
            self.values.clear()
            self.generation = self.store.generation
        return self.values


class StoredPositions(MutableMapping[tuple[str, str], Position]):
    """One seller's inventory positions, as the mapping that `model.inventory.Ledger` keeps them in."""

    def __init__(self, store: Store, seller_id: str, now: Callable[[], float],
                 on_write: Callable[[str, str], None] | None = None):
        self.store, self.seller_id, self.now, self.on_write = store, seller_id, now, on_write

    def __getitem__(self, key: tuple[str, str]) -> Position:
        store = self.store
        cache_key = (self.seller_id, *key)
        with store.lock:
            if cache_key in store.position_rows:
                row = store.position_rows[cache_key]
            else:
                row = store.execute(
                    f"SELECT {', '.join(POSITION_FIELDS)} FROM inventory WHERE seller_id=? AND sku=? AND location=?",
                    cache_key).fetchone()
                store.position_rows[cache_key] = row
        if row is None:
            raise KeyError(key)
        return Position(key[0], key[1], *row)

    def __setitem__(self, key: tuple[str, str], position: Position) -> None:
        row = tuple(getattr(position, f) for f in POSITION_FIELDS)
        with self.store.lock:
            self.store.execute("INSERT OR REPLACE INTO inventory VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               (self.seller_id, key[0], key[1], *row, self.now()))
            if type(row[0]) is str and all(type(count) is int for count in row[1:]):
                self.store.position_rows[(self.seller_id, *key)] = row  # as SQLite gives it back
            else:  # another type may come back changed (a whole float as an int): read it as stored
                self.store.position_rows.pop((self.seller_id, *key), None)
        if self.on_write is not None:
            self.on_write(self.seller_id, key[0])

    def __delitem__(self, key: tuple[str, str]) -> None:
        with self.store.lock:
            self.store.execute("DELETE FROM inventory WHERE seller_id=? AND sku=? AND location=?",
                               (self.seller_id, *key))
            self.store.position_rows[(self.seller_id, *key)] = None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        rows = self.store.execute("SELECT sku, location FROM inventory WHERE seller_id=? ORDER BY sku, location",
                                  (self.seller_id,)).fetchall()
        return iter([(sku, location) for sku, location in rows])

    def __len__(self) -> int:
        return self.store.execute("SELECT COUNT(*) FROM inventory WHERE seller_id=?", (self.seller_id,)).fetchone()[0]

    def values(self) -> list[Position]:  # type: ignore[override]  # a list from one query, not a view
        """Every position of the seller in one query (the mapping's default would query once per key)."""
        rows = self.store.execute(f"SELECT sku, location, {', '.join(POSITION_FIELDS)} FROM inventory "
                                  "WHERE seller_id=? ORDER BY sku, location", (self.seller_id,)).fetchall()
        return [Position(*row) for row in rows]

    def in_channel(self, channel: str) -> list[Position]:
        """The seller's positions in one channel, in one query."""
        rows = self.store.execute(f"SELECT sku, location, {', '.join(POSITION_FIELDS)} FROM inventory "
                                  "WHERE seller_id=? AND channel=? ORDER BY sku, location",
                                  (self.seller_id, channel)).fetchall()
        return [Position(*row) for row in rows]

    def for_sku(self, sku: str) -> list[Position]:
        rows = self.store.execute(
            f"SELECT location, {', '.join(POSITION_FIELDS)} FROM inventory WHERE seller_id=? AND sku=? "
            "ORDER BY location", (self.seller_id, sku)).fetchall()
        return [Position(sku, row[0], *row[1:]) for row in rows]

    def updated(self, sku: str) -> float | None:
        row = self.store.execute("SELECT MAX(updated) FROM inventory WHERE seller_id=? AND sku=?",
                                 (self.seller_id, sku)).fetchone()
        return row[0]


class RememberedPositions(StoredPositions):
    """The positions of a store that keeps them in memory (`Store(write_behind=True)`): the same answers as
    SQLite's table, counts as whole numbers and times as floats, as its column types would give them back."""

    def __init__(self, store: Store, seller_id: str, now: Callable[[], float],
                 on_write: Callable[[str, str], None] | None = None):
        super().__init__(store, seller_id, now, on_write)
        assert store.memory is not None, "a store that keeps its positions in memory"
        self.table = store.memory.positions

    def __getitem__(self, key: tuple[str, str]) -> Position:
        row = self.table.row((self.seller_id, *key))
        if row is None:
            raise KeyError(key)
        return Position(key[0], key[1], *row[:6])

    def __setitem__(self, key: tuple[str, str], position: Position) -> None:
        counts = (position.sellable, position.unsellable, position.reserved, position.inbound, position.sequence)
        if not all(type(count) is int for count in counts):
            counts = tuple(_integer(count) for count in counts)
        with self.store.lock:
            self.table.write((self.seller_id, *key), (str(position.channel), *counts, float(self.now())))
        if self.on_write is not None:
            self.on_write(self.seller_id, key[0])

    def __delitem__(self, key: tuple[str, str]) -> None:
        with self.store.lock:
            self.table.write((self.seller_id, *key), None)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(list(self.table.keys(self.seller_id)))

    def __len__(self) -> int:
        return len(self.table.keys(self.seller_id))

    def values(self) -> list[Position]:  # type: ignore[override]  # a list, not a view
        rows = self.table.rows
        return [Position(sku, location, *rows[(self.seller_id, sku, location)][:6])
                for sku, location in self.table.keys(self.seller_id)]

    def in_channel(self, channel: str) -> list[Position]:
        rows = self.table.rows
        in_order = ((sku, location, rows[(self.seller_id, sku, location)]) for sku, location in
                    self.table.keys(self.seller_id))
        return [Position(sku, location, *row[:6]) for sku, location, row in in_order if row[0] == channel]

    def for_sku(self, sku: str) -> list[Position]:
        rows = self.table.rows
        return [Position(sku, location, *rows[(self.seller_id, sku, location)][:6])
                for location in self.table.of_sku(self.seller_id, sku)]

    def updated(self, sku: str) -> float | None:
        rows = self.table.rows
        return max((rows[(self.seller_id, sku, location)][6] for location in self.table.of_sku(self.seller_id, sku)),
                   default=None)


def _integer(value: Any) -> Any:
    """What an INTEGER column gives back: a whole float or a bool as an int, anything else as it is."""
    if isinstance(value, bool) or isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def positions(store: Store, seller_id: str, now: Callable[[], float],
              on_write: Callable[[str, str], None] | None = None) -> StoredPositions:
    """A seller's positions, as the store keeps them."""
    kind = RememberedPositions if store.memory is not None else StoredPositions
    return kind(store, seller_id, now, on_write)
