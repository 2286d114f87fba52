"""Stored entities: dataclasses that live as JSON documents in the store and move through a lifecycle.

An entity's `status` is never a dataclass field: the lifecycle machine sets it (`Lifecycle.restore` when an
entity is created or loaded) and changes it (`Lifecycle.fire`). Stored entities are never registered on the
machine, so nothing needs releasing.

`find`, `load` and `scan` hand out the store's live entity (see `Store.live`): read it, never change it outside
`editing` (or `save` right after), or the change would be seen without being stored.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
from datetime import datetime
from typing import Any, Generic, Iterator, TypeVar, overload

from mock_amazon.errors import NotFound
from mock_amazon.store import Store
from model.clock import to_datetime
from model.lifecycles import Lifecycle, Stateful, Step


@dataclasses.dataclass(eq=False)  # entities compare by identity, as the machines expect
class Entity(Stateful):
    id: str
    seller_id: str
    created: float
    updated: float
    history: list[Step] = dataclasses.field(default_factory=list)


E = TypeVar("E", bound=Entity)


@overload
def iso(seconds: float) -> str: ...
@overload
def iso(seconds: float | None) -> str | None: ...
@functools.lru_cache(maxsize=65_536)  # the same instants are formatted again and again (reports, listings)
def iso(seconds: float | None) -> str | None:
    """Amazon's timestamp format: UTC to the second, with a Z."""
    # isoformat to the second, its offset cut: what strftime("%Y-%m-%dT%H:%M:%SZ") writes, in half the time
    return None if seconds is None else to_datetime(seconds).isoformat(timespec="seconds")[:19] + "Z"


class Collection(Generic[E]):
    """One kind of entity in the store. `find`/`load`/`scan` give entities to read; `editing` changes one."""

    def __init__(self, store: Store, kind: str, cls: type[E], lifecycle: Lifecycle | None = None,
                 label: str | None = None):
        self.store, self.kind, self.cls, self.lifecycle = store, kind, cls, lifecycle
        self.live = store.live.of_kind(kind)  # seller -> ID -> the decoded entity (Store.live's, for this kind)
        store.kinds.add(kind)
        self.label = label or kind
        self.fields = tuple(f.name for f in dataclasses.fields(cls) if f.name != "history")
        self._attributes = len(self.fields) + 1 + (lifecycle is not None)  # with history, and status if any

    # documents
    def to_doc(self, entity: E) -> dict:
        doc = dict(entity.__dict__)  # its fields, history and status, as attributes: a copy is the quickest read
        if len(doc) != self._attributes:  # something else was set on the entity: only what is declared is stored
            doc = {name: getattr(entity, name) for name in (*self.fields, "history")}
            if self.lifecycle is not None:
                doc["status"] = entity.status
        # A step's time as its datetime: orjson writes it as isoformat() does, and faster
        doc["history"] = [list(step) for step in entity.history]
        return doc

    def from_doc(self, doc: dict) -> E:
        doc = dict(doc)
        status = doc.pop("status", None)
        history = [Step(datetime.fromisoformat(t), s, d, trig) for t, s, d, trig in doc.pop("history", [])]
        entity = self.cls(**doc, history=history)
        if self.lifecycle is not None:
            self.lifecycle.restore(entity, status)
        return entity

    # storing
    def add(self, entity: E, status: str | None = None) -> E:
        """Store a new entity, in its lifecycle's initial state (or `status`, where a table has two entries)."""
        if self.lifecycle is not None:
            self.lifecycle.restore(entity, status)
        self.save(entity)
        return entity

    def save(self, entity: E) -> None:
        self.store.put(self.kind, entity.seller_id, entity.id, self.to_doc(entity),
                       getattr(entity, "status", None), entity.created, entity.updated)
        self.store.hand_out((self.kind, entity.seller_id, entity.id), entity)

    def find(self, seller_id: str, entity_id: str) -> E | None:
        held = self.live.get(seller_id)
        entity = None if held is None else held.get(entity_id)
        if entity is None:
            doc = self.store.get(self.kind, seller_id, entity_id)
            if doc is None:
                return None
            entity = self.from_doc(doc)
        return self.store.hand_out((self.kind, seller_id, entity_id), entity)

    def load(self, seller_id: str, entity_id: str) -> E:
        entity = self.find(seller_id, entity_id)
        if entity is None:
            raise NotFound(f"No {self.label} found with ID {entity_id}.", entity_id)
        return entity

    def stored(self, seller_id: str, entity_id: str) -> E | None:
        """A fresh copy decoded from the stored document, never the live entity: a snapshot to compare with."""
        doc = self.store.get(self.kind, seller_id, entity_id)
        return None if doc is None else self.from_doc(doc)

    @contextlib.contextmanager
    def editing(self, seller_id: str, entity_id: str) -> Iterator[E]:
        """Load, change, save: a refused change stores nothing (the change runs in a transaction of its own, and the
        live entity, changed in place, is forgotten so that the next read decodes the stored one again). The entity
        is saved once that transaction has closed, in the enclosing one if any: a change that runs no statement of
        its own then costs no savepoint."""
        with self.store.lock:  # no other thread sees the changed entity before it is saved
            with self.store.transaction():
                entity = self.load(seller_id, entity_id)
                try:
                    yield entity
                except BaseException:
                    self.store.live.pop((self.kind, seller_id, entity_id))  # also when nested
                    raise
            self.save(entity)

    def scan(self, seller_id: str, **filters: Any) -> Iterator[E]:
        for entity_id in self.store.scan_ids(self.kind, seller_id, **filters):
            entity = self.find(seller_id, entity_id)
            if entity is not None:
                yield entity

    # the lifecycle
    def fire(self, entity: E, trigger: str, at: float, **details: Any) -> str:
        lifecycle = self._lifecycle()
        entity.updated = at
        return lifecycle.fire(entity, trigger, at=to_datetime(at), **details)

    def can_fire(self, entity: E, trigger: str) -> bool:
        return self._lifecycle().can_fire(entity, trigger)

    def allows(self, entity: E, trigger: str) -> bool:
        return self._lifecycle().allows(entity, trigger)

    def _lifecycle(self) -> Lifecycle:
        if self.lifecycle is None:
            raise TypeError(f"{self.label}s have no lifecycle")
        return self.lifecycle
