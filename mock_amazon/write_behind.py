"""Tables kept in memory, for a simulation's store (`Store(write_behind=True)`): the entities (kind, seller, ID,
status, created, updated, the JSON document, with the same orderings for scans as SQLite's indexes), the inventory
positions and the timers, each with undo logs for the store's transaction levels. SQLite receives the rows only
when the database is wanted whole (a snapshot's backup): writing them behind spares each change an upsert into
indexes, and most calls a commit, which were a fifth of a month's simulation.

Never for a file database: its rows must be on disk when the call that made them answers (kill -9 loses nothing).
"""
from __future__ import annotations

import heapq
import sqlite3
from collections import Counter
from typing import Any, Callable, Iterable, NamedTuple, Sequence

from sortedcontainers import SortedList

Key = tuple[str, str, str]  # (kind, seller, id)


class Row(NamedTuple):
    status: str | None
    created: float
    updated: float
    doc: str  # the document as JSON text (a copy of exactly its length: orjson's bytes keep their whole buffer)


class KindIndex:
    """One kind of one seller: each ID's row, the IDs in (created, id) and (updated, id) order, and the IDs in each
    status (a scan for a few in one status, a poll for what waits, need not walk them all). The order by update is
    made when a scan first asks for it: most kinds are never scanned that way, and keeping it costs every save."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.by_created: SortedList = SortedList()
        self._by_updated: SortedList | None = None
        self.by_status: dict[str | None, set[str]] = {}

    @property
    def by_updated(self) -> SortedList:
        if self._by_updated is None:
            self._by_updated = SortedList((row.updated, entity_id) for entity_id, row in self.rows.items())
        return self._by_updated

    def put(self, entity_id: str, row: Row | None) -> None:
        old = self.rows.get(entity_id)
        by_updated = self._by_updated
        if row is None:
            if old is not None:
                del self.rows[entity_id]
                self.by_created.remove((old.created, entity_id))
                if by_updated is not None:
                    by_updated.remove((old.updated, entity_id))
                self.by_status[old.status].discard(entity_id)
            return
        self.rows[entity_id] = row
        if old is None or old.created != row.created:  # most changes move `updated` alone
            if old is not None:
                self.by_created.remove((old.created, entity_id))
            self.by_created.add((row.created, entity_id))
        if by_updated is not None and (old is None or old.updated != row.updated):
            if old is not None:
                by_updated.remove((old.updated, entity_id))
            by_updated.add((row.updated, entity_id))
        if old is None or old.status != row.status:
            if old is not None:
                self.by_status[old.status].discard(entity_id)
            self.by_status.setdefault(row.status, set()).add(entity_id)


class EntityMemory:
    def __init__(self) -> None:
        self.kinds: dict[tuple[str, str], KindIndex] = {}
        self.undo: list[dict[Key, Row | None]] = []  # per open level: each key's row before the level first wrote it

    # rows
    def row(self, key: Key) -> Row | None:
        index = self.kinds.get(key[:2])
        return None if index is None else index.rows.get(key[2])

    def write(self, key: Key, row: Row | None) -> None:
        """Put (or, with None, delete) a row; inside a level, remember what it replaces."""
        if self.undo and key not in self.undo[-1]:
            self.undo[-1][key] = self.row(key)
        self._set(key, row)

    def _set(self, key: Key, row: Row | None) -> None:
        index = self.kinds.get(key[:2])
        if index is None:
            if row is None:
                return
            index = self.kinds[key[:2]] = KindIndex()
        index.put(key[2], row)

    # transaction levels (the store's, one to one)
    def open_level(self) -> None:
        open_level(self.undo)

    def close_level(self, committed: bool) -> None:
        close_level(self.undo, committed, self._set)

    # reads
    def scan(self, kind: str, seller_id: str, order_by: str, since: float | None, until: float | None,
             after: tuple[float, str] | None, statuses: list[str] | None, limit: int | None) -> list[str]:
        """What `Store.scan_ids` answers from SQLite, in the same order: ties on the time go by ID."""
        index = self.kinds.get((kind, seller_id))
        if index is None:
            return []
        ordered = index.by_created if order_by == "created" else index.by_updated
        lowest: tuple | None = None if since is None else (since, "")  # "" sorts before every ID
        strictly_after = False
        if after is not None and (lowest is None or tuple(after) >= lowest):
            lowest, strictly_after = tuple(after), True
        highest = None if until is None else (until, "")
        if statuses:
            candidates = set().union(*(index.by_status.get(status, ()) for status in statuses))
            if len(candidates) * 8 < len(index.rows):  # few in those states: sort them, not walk every ID
                column = 1 if order_by == "created" else 2
                ranked = sorted((index.rows[entity_id][column], entity_id) for entity_id in candidates)
                found = [point[1] for point in ranked
                         if (lowest is None or point > lowest or point == lowest and not strictly_after)
                         and (highest is None or point < highest)]
                return found if limit is None else found[:limit]
        found = []
        wanted = set(statuses) if statuses else None
        for _, entity_id in ordered.irange(lowest, highest, inclusive=(not strictly_after, False)):
            if wanted is not None and index.rows[entity_id].status not in wanted:
                continue
            found.append(entity_id)
            if limit is not None and len(found) >= limit:
                break
        return found

    def ids(self, kind: str, seller_id: str, status: str | None, after: str, limit: int) -> list[str]:
        index = self.kinds.get((kind, seller_id))
        if index is None:
            return []
        return sorted(entity_id for entity_id, row in index.rows.items()
                      if entity_id > after and (status is None or row.status == status))[:limit]

    def count_by_status(self, kind: str, seller_id: str) -> dict[str | None, int]:
        index = self.kinds.get((kind, seller_id))
        return {} if index is None else dict(Counter(row.status for row in index.rows.values()))

    # behind: SQLite
    def write_behind(self, db: sqlite3.Connection) -> None:
        """Make SQLite's entities table these rows (inside the caller's SQLite transaction). All of them: a snapshot
        is rare, and remembering which rows changed since the last one cost a set of every key ever written."""
        db.execute("DELETE FROM entities")
        db.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?)",
                       ((kind, seller_id, entity_id, *row) for (kind, seller_id), index in self.kinds.items()
                        for entity_id, row in index.rows.items()))

    def read_back(self, rows: Iterable[tuple]) -> None:
        """Replace every row by SQLite's (after a restore): (kind, seller, id, status, created, updated, doc)."""
        self.kinds.clear()
        for kind, seller_id, entity_id, status, created, updated, doc in rows:
            index = self.kinds.setdefault((kind, seller_id), KindIndex())
            index.put(entity_id, Row(status, created, updated, doc))


def open_level(undo: list[dict]) -> None:
    undo.append({})


def close_level(undo: list[dict], committed: bool, put_back: Callable[[Any, Any], None]) -> None:
    """End a level: its undo log joins the outer one (which undoes to what it saw first), or is played back."""
    undone = undo.pop()
    if committed:
        if undo:
            outer = undo[-1]
            for key, before in undone.items():
                outer.setdefault(key, before)
    else:
        for key, before in undone.items():
            put_back(key, before)


PositionKey = tuple[str, str, str]  # (seller, sku, location)
#: channel, sellable, unsellable, reserved, inbound, sequence, updated: an inventory row after its key
PositionRow = tuple[str, int, int, int, int, int, float]
POSITION_COLUMNS = 7


class PositionMemory:
    """The inventory table: each position's row, each seller's SKUs' locations, and each seller's keys in the order
    of the table's primary key."""

    def __init__(self) -> None:
        self.rows: dict[PositionKey, PositionRow] = {}
        self.locations: dict[tuple[str, str], set[str]] = {}  # (seller, sku) -> its locations
        self.ordered: dict[str, SortedList] = {}  # seller -> its (sku, location) pairs, sorted
        self.undo: list[dict[PositionKey, PositionRow | None]] = []

    def row(self, key: PositionKey) -> PositionRow | None:
        return self.rows.get(key)

    def write(self, key: PositionKey, row: PositionRow | None) -> None:
        if self.undo and key not in self.undo[-1]:
            self.undo[-1][key] = self.rows.get(key)
        self._set(key, row)

    def _set(self, key: PositionKey, row: PositionRow | None) -> None:
        seller_id, sku, location = key
        if row is None:
            if self.rows.pop(key, None) is not None:
                self.locations[(seller_id, sku)].discard(location)
                self.ordered[seller_id].remove((sku, location))
        else:
            if key not in self.rows:
                self.locations.setdefault((seller_id, sku), set()).add(location)
                self.ordered.setdefault(seller_id, SortedList()).add((sku, location))
            self.rows[key] = row

    def open_level(self) -> None:
        open_level(self.undo)

    def close_level(self, committed: bool) -> None:
        close_level(self.undo, committed, self._set)

    def keys(self, seller_id: str) -> Sequence[tuple[str, str]]:
        """The seller's (sku, location) pairs in order, as SQLite's primary key orders them."""
        return self.ordered.get(seller_id, ())

    def of_sku(self, seller_id: str, sku: str) -> list[str]:
        return sorted(self.locations.get((seller_id, sku), ()))

    def write_behind(self, db: sqlite3.Connection) -> None:
        """Make SQLite's inventory table these rows, all of them (as the entities)."""
        db.execute("DELETE FROM inventory")
        db.executemany("INSERT INTO inventory VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       ((*key, *row) for key, row in self.rows.items()))

    def read_back(self, rows: Iterable[tuple]) -> None:
        self.rows.clear()
        self.locations.clear()
        self.ordered.clear()
        for seller_id, sku, location, *fields in rows:
            self._set((seller_id, sku, location), tuple(fields))


#: (at, id, action, seller, entity): a timer, in the order timers run (ties in the order they were set)
Timer = tuple[float, int, str, str, str]


class TimerMemory:
    """The timers table as a heap. A level logs what it added and took: undone, what it added is cancelled (and
    skipped when reached) and what it took is put back."""

    def __init__(self) -> None:
        self.heap: list[Timer] = []
        self.cancelled: set[int] = set()
        self.last_id = 0
        self.undo: list[list[tuple[str, Timer]]] = []

    def add(self, at: float, action: str, seller_id: str, entity_id: str) -> None:
        self.last_id += 1
        timer = (at, self.last_id, action, seller_id, entity_id)
        heapq.heappush(self.heap, timer)
        if self.undo:
            self.undo[-1].append(("added", timer))

    def earliest(self) -> float | None:
        while self.heap and self.heap[0][1] in self.cancelled:
            self.cancelled.discard(heapq.heappop(self.heap)[1])
        return self.heap[0][0] if self.heap else None

    def take(self, now: float) -> Timer | None:
        due = self.earliest()
        if due is None or due > now:
            return None
        timer = heapq.heappop(self.heap)
        if self.undo:
            self.undo[-1].append(("taken", timer))
        return timer

    def open_level(self) -> None:
        self.undo.append([])

    def close_level(self, committed: bool) -> None:
        log = self.undo.pop()
        if committed:
            if self.undo:
                self.undo[-1].extend(log)
            return
        for change, timer in reversed(log):
            if change == "added":
                self.cancelled.add(timer[1])
            else:
                heapq.heappush(self.heap, timer)

    def write_behind(self, db: sqlite3.Connection) -> None:
        self.earliest()  # drops cancelled timers at the top; the rest are dropped below
        live = [timer for timer in self.heap if timer[1] not in self.cancelled]
        db.execute("DELETE FROM timers")
        db.executemany("INSERT INTO timers (at, id, action, seller_id, entity_id) VALUES (?, ?, ?, ?, ?)", live)
        if db.execute("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'timers'",
                      (self.last_id,)).rowcount == 0:
            db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('timers', ?)", (self.last_id,))

    def read_back(self, db: sqlite3.Connection) -> None:
        self.heap = [tuple(row) for row in db.execute("SELECT at, id, action, seller_id, entity_id FROM timers")]
        heapq.heapify(self.heap)
        self.cancelled.clear()
        row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'timers'").fetchone()
        self.last_id = max(self.last_id, row[0] if row else 0)


class Tables:
    """Every table a simulation's store keeps in memory, moving through the store's levels together."""

    def __init__(self) -> None:
        self.entities = EntityMemory()
        self.positions = PositionMemory()
        self.timers = TimerMemory()

    def open_level(self) -> None:
        self.entities.open_level()
        self.positions.open_level()
        self.timers.open_level()

    def close_level(self, committed: bool) -> None:
        self.entities.close_level(committed)
        self.positions.close_level(committed)
        self.timers.close_level(committed)

    def write_behind(self, db: sqlite3.Connection) -> None:
        """Bring SQLite up to these tables, at once, between the store's transactions."""
        if self.entities.undo:
            raise RuntimeError("rows are written behind only between transactions")
        db.execute("BEGIN")
        try:
            self.entities.write_behind(db)
            self.positions.write_behind(db)
            self.timers.write_behind(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def read_back(self, db: sqlite3.Connection) -> None:
        """Take SQLite's rows (after a restore or a wipe)."""
        self.entities.read_back(db.execute("SELECT * FROM entities").fetchall())
        self.positions.read_back(db.execute("SELECT * FROM inventory").fetchall())
        self.timers.read_back(db)
