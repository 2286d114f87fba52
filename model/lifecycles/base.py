"""How a lifecycle table becomes a running state machine.

Rules, as in h11: every lifecycle is a literal table (`Table`) of states and transitions; a `Lifecycle` turns one
table into ONE `transitions` Machine shared by many models (a Machine per object is slow); every status change
of every entity goes through `Lifecycle.fire`, which stamps the shared clock into the model's history. Nothing
else assigns a status.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any, Callable, Iterable, NamedTuple, TypeVar, cast

from transitions import EventData, Machine, MachineError

from model.clock import Clock

Guard = Callable[[Any], bool]


class T(NamedTuple):
    """One row of a lifecycle table: `trigger` moves `source` (one state or several) to `dest` if every guard holds.

    Rows sharing a trigger are tried in order; the first whose guards all hold wins.
    """
    trigger: str
    source: str | tuple[str, ...]
    dest: str
    guards: tuple[Guard, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)


class Step(NamedTuple):
    """One entry of a model's history."""
    time: datetime
    source: str
    dest: str
    trigger: str


class Stateful:
    """What a lifecycle's machine gives a model: `status` (set by `Lifecycle.restore`, changed only by
    `Lifecycle.fire`) and `history`, the steps so far. Declarations for the type checker only: a model lists this
    as a base class, and a dataclass makes no fields of a plain base class's annotations."""
    status: str
    history: list[Step]


M = TypeVar("M", bound=Stateful)


@dataclass(frozen=True)
class Table:
    name: str
    states: tuple[str, ...]
    initial: str
    transitions: tuple[T, ...]
    final: tuple[str, ...] = ()
    doc: str = ""

    def __post_init__(self) -> None:
        known = set(self.states)
        for row in self.transitions:
            for state in (*row.sources, row.dest):
                if state not in known:
                    raise ValueError(f"{self.name}: transition {row.trigger} names unknown state {state!r}")
        if self.initial not in known or not set(self.final) <= known:
            raise ValueError(f"{self.name}: initial or final state is not declared")

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(row.trigger for row in self.transitions))

    def rows_for(self, trigger: str) -> tuple[T, ...]:
        return self._rows_by_trigger.get(trigger, ())

    @functools.cached_property
    def _rows_by_trigger(self) -> dict[str, tuple[T, ...]]:
        """Each trigger's rows in table order (guards ask before most moves: one lookup, not a pass)."""
        rows: dict[str, list[T]] = {}
        for row in self.transitions:
            rows.setdefault(row.trigger, []).append(row)
        return {trigger: tuple(found) for trigger, found in rows.items()}

    def allowed_triggers(self, state: str) -> list[str]:
        return [t for t in self.triggers if any(state in row.sources for row in self.rows_for(t))]


class IllegalTransition(Exception):
    """A trigger that the table does not allow from the model's current state; the state is unchanged."""

    def __init__(self, lifecycle: str, state: str, trigger: str, reason: str):
        self.lifecycle, self.state, self.trigger = lifecycle, state, trigger
        super().__init__(f"{lifecycle}: cannot {trigger} from {state}: {reason}")


class GuardRefused(IllegalTransition):
    """The trigger is allowed from this state, but a guard said no."""


def _guard_condition(guard: Guard) -> Callable[[EventData], bool]:
    def condition(event: EventData) -> bool:
        return bool(guard(event.model))
    condition.__name__ = guard.__name__
    return condition


class Lifecycle:
    """One Machine for one table, shared by every model of that lifecycle, stamping history with `clock`."""

    def __init__(self, table: Table, clock: Clock):
        self.table = table
        self.clock = clock
        self.machine = Machine(
            model=None,
            states=list(table.states),
            initial=table.initial,
            transitions=[
                {"trigger": row.trigger, "source": list(row.sources), "dest": row.dest,
                 "conditions": [_guard_condition(g) for g in row.guards]}
                for row in table.transitions
            ],
            model_attribute="status",
            auto_transitions=False,
            send_event=True,
            after_state_change=self._record,
        )

    def _record(self, event: EventData) -> None:
        at = event.kwargs.get("at") or self.clock.now()
        transition = event.transition
        # after_state_change runs only for a transition, and every row of a Table has a destination
        assert transition is not None and transition.dest is not None
        cast(Stateful, event.model).history.append(Step(at, transition.source, transition.dest, event.event.name))

    def restore(self, entity: M, status: str | None = None) -> M:
        """Put `entity` in `status` (a stored one) or the table's initial state, through the machine but without
        registering it as one of the machine's models: `fire` works on it all the same, nothing has to be
        released, and it costs a few microseconds where `Machine.add_model` costs hundreds (it binds a method
        per trigger onto the model)."""
        status = status or self.table.initial
        if status not in self.table.states:
            raise ValueError(f"{self.table.name}: unknown state {status!r}")
        if not hasattr(entity, "history"):
            entity.history = []
        self.machine.set_state(status, model=entity)
        return entity

    def fire(self, entity: Stateful, trigger: str, at: datetime | None = None, **details: Any) -> str:
        """Fire `trigger` on `entity`; return the new status or raise IllegalTransition (state unchanged).

        `at` stamps the history with the time the change was due, when it is applied later than that.
        """
        state = entity.status
        if trigger not in self.machine.events:
            raise IllegalTransition(self.table.name, state, trigger, "no such trigger")
        try:
            moved = self.machine.events[trigger].trigger(entity, at=at, **details)
        except MachineError:
            allowed = ", ".join(self.table.allowed_triggers(state)) or "nothing (final state)"
            raise IllegalTransition(self.table.name, state, trigger, f"allowed from {state}: {allowed}") from None
        if not moved:
            names = sorted({g.__name__ for row in self.table.rows_for(trigger) if state in row.sources
                            for g in row.guards})
            raise GuardRefused(self.table.name, state, trigger, "guard refused: " + ", ".join(names))
        return entity.status

    def allows(self, entity: Stateful, trigger: str) -> bool:
        """Whether the table has `trigger` from the entity's state at all (guards not asked): for checks made
        before the entity is changed in ways its guards read."""
        return any(entity.status in row.sources for row in self.table.rows_for(trigger))

    def can_fire(self, entity: Stateful, trigger: str) -> bool:
        return any(entity.status in row.sources and all(g(entity) for g in row.guards)
                   for row in self.table.rows_for(trigger))

    def is_final(self, entity: Stateful) -> bool:
        return entity.status in self.table.final


def mermaid(table: Table) -> str:
    """The table as a Mermaid state diagram, drawn from the data so it cannot drift from the code."""
    def node(state: str) -> str:
        return state.replace(" ", "_")
    lines = ["stateDiagram-v2", f"    [*] --> {node(table.initial)}"]
    for row in table.transitions:
        guard = f" [{', '.join(g.__name__ for g in row.guards)}]" if row.guards else ""
        for source in row.sources:
            lines.append(f"    {node(source)} --> {node(row.dest)} : {row.trigger}{guard}")
    for state in table.final:
        lines.append(f"    {node(state)} --> [*]")
    return "\n".join(lines)


def tables_in(modules: Iterable[ModuleType]) -> dict[str, Table]:
    return {module.TABLE.name: module.TABLE for module in modules}
