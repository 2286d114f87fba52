"""Named snapshots of the whole mock, like LocalStack's: save the marketplace as it is, change it, and bring it back.

A snapshot is a copy of the store (SQLite's backup API, into a private in-memory database, also when the mock keeps
its state in a file: snapshots live only as long as the process) plus every piece of state kept outside SQLite,
each saved and restored by a part registered in `MockAmazon.snapshot_parts`:

    amazon.snapshot_parts["world"] = (save, restore)   # save() -> value; restore(value) -> None

A part's value is deep-copied when saved and again each time it is restored, so a snapshot can be restored any
number of times and later changes never reach it. Restoring sets the clock back to the snapshot's time: the one
case where the clock goes backwards.
"""
from __future__ import annotations

import copy
import random
import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from mock_amazon.errors import InvalidInput, NotFound
from model.clock import to_datetime

if TYPE_CHECKING:  # snapshots are a part of MockAmazon, which imports this module
    from mock_amazon.core import MockAmazon

NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")

SnapshotPart = tuple[Callable[[], Any], Callable[[Any], None]]


def attributes_part(owner: object, *names: str) -> SnapshotPart:
    """A part for plain attributes of `owner`; restoring replaces them (with copies), never mutates them."""
    def save() -> dict[str, Any]:
        return {name: getattr(owner, name) for name in names}

    def restore(saved: dict[str, Any]) -> None:
        for name, value in saved.items():
            setattr(owner, name, value)
    return save, restore


def random_part(rng: random.Random) -> SnapshotPart:
    """A part for a random generator that others hold too: its state is set back in place."""
    return rng.getstate, rng.setstate


@dataclass
class Snapshot:
    name: str
    seconds: float        # the simulated time it was taken at
    taken: float          # the wall time it was taken at
    database: sqlite3.Connection
    parts: dict[str, Any]

    def describe(self) -> dict:
        pages, page_size = (self.database.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size"))
        return {"name": self.name, "time": to_datetime(self.seconds).isoformat(), "seconds": self.seconds,
                "taken": to_datetime(self.taken).isoformat(), "size_bytes": pages * page_size}


class Snapshots:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon
        self.saved: dict[str, Snapshot] = {}

    def save(self, name: Any) -> dict:
        """Save the mock as it is now under `name`, replacing any snapshot of that name."""
        checked = _checked(name)
        amazon = self.amazon
        with amazon.lock:
            # the parts before the store's copy: a part may write what the copy must hold (the journal's waiting rows)
            parts = {key: copy.deepcopy(save()) for key, (save, _) in amazon.snapshot_parts.items()}
            snapshot = Snapshot(checked, amazon.clock.seconds(), amazon.wall(), amazon.store.backup(), parts)
            replaced = self.saved.pop(checked, None)
            if replaced is not None:
                replaced.database.close()
            self.saved[checked] = snapshot
        return snapshot.describe()

    def restore(self, name: str) -> dict:
        """Bring back the mock as it was when `name` was saved, its clock included."""
        snapshot = self._find(name)
        amazon = self.amazon
        with amazon.lock:
            try:
                amazon.clock.restore(snapshot.seconds)
            except ValueError as error:
                raise InvalidInput(f"The snapshot cannot be restored: {error}.", "name") from None
            amazon.store.restore(snapshot.database)
            for key, (_, restore) in amazon.snapshot_parts.items():
                if key in snapshot.parts:
                    restore(copy.deepcopy(snapshot.parts[key]))
        return snapshot.describe()

    def describe(self) -> list[dict]:
        """Every snapshot, in the order they were saved."""
        with self.amazon.lock:
            return [snapshot.describe() for snapshot in self.saved.values()]

    def delete(self, name: str) -> None:
        with self.amazon.lock:
            self.saved.pop(self._find(name).name).database.close()

    def _find(self, name: str) -> Snapshot:
        snapshot = self.saved.get(_checked(name))
        if snapshot is None:
            raise NotFound(f"No snapshot named {name}.", name)
        return snapshot


def _checked(name: Any) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise InvalidInput("'name' must be 1 to 100 characters of letters, digits, '.', '_' and '-'.", "name")
    return name
