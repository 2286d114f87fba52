"""Stored entities: dataclasses that live as JSON documents in the store and move through a lifecycle.

An entity's `status` is never a dataclass field: the lifecycle machine sets it (`Lifecycle.restore` when an
entity is created or loaded) and changes it (`Lifecycle.fire`). Stored entities are short-lived copies, so they
are never registered on the machine and nothing needs releasing.
"""
from __future__ import annotations

import contextlib
import dataclasses
from datetime import datetime
from typing import Generic, Iterator, TypeVar

from model.clock import to_datetime
from model.lifecycles import Lifecycle, Step
from mock_amazon.errors import NotFound
from mock_amazon.store import Store


@dataclasses.dataclass(eq=False)  # entities compare by identity, as the machines expect
class Entity:
    id: str
    seller_id: str
    created: float
    updated: float
    history: list = dataclasses.field(default_factory=list)


E = TypeVar("E", bound=Entity)


def iso(seconds: float | None) -> str | None:
    """Amazon's timestamp format: UTC to the second, with a Z."""
    return None if seconds is None else to_datetime(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


class Collection(Generic[E]):
    """One kind of entity in the store. `find`/`load`/`scan` give read-only copies; `editing` changes one."""

    def __init__(self, store: Store, kind: str, cls: type[E], lifecycle: Lifecycle | None = None,
                 label: str | None = None):
        self.store, self.kind, self.cls, self.lifecycle = store, kind, cls, lifecycle
        self.label = label or kind

    # documents
    def to_doc(self, entity: E) -> dict:
        doc = {f.name: getattr(entity, f.name) for f in dataclasses.fields(entity) if f.name != "history"}
        doc["history"] = [[step.time.isoformat(), step.source, step.dest, step.trigger] for step in entity.history]
        if self.lifecycle is not None:
            doc["status"] = entity.status
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

    def find(self, seller_id: str, entity_id: str) -> E | None:
        doc = self.store.get(self.kind, seller_id, entity_id)
        return None if doc is None else self.from_doc(doc)

    def load(self, seller_id: str, entity_id: str) -> E:
        entity = self.find(seller_id, entity_id)
        if entity is None:
            raise NotFound(f"No {self.label} found with ID {entity_id}.", entity_id)
        return entity

    @contextlib.contextmanager
    def editing(self, seller_id: str, entity_id: str) -> Iterator[E]:
        """Load, change, save: inside one transaction, so a refused change stores nothing."""
        with self.store.transaction():
            entity = self.load(seller_id, entity_id)
            yield entity
            self.save(entity)

    def scan(self, seller_id: str, **filters) -> Iterator[E]:
        for doc in self.store.scan(self.kind, seller_id, **filters):
            yield self.from_doc(doc)

    def fire(self, entity: E, trigger: str, at: float, **details) -> str:
        entity.updated = at
        return self.lifecycle.fire(entity, trigger, at=to_datetime(at), **details)
