"""Every lifecycle table, driven by random triggers: only declared transitions happen, illegal triggers raise and
change nothing, and the history records every step on the shared clock."""
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from model.clock import VirtualClock
from model.lifecycles import (
    TABLES,
    GuardRefused,
    IllegalTransition,
    Lifecycle,
    Lifecycles,
    render_markdown,
)

# Attributes the guards read, and the values they may take.
GUARD_INPUTS = {
    "fulfillment_channel": st.sampled_from(["AFN", "MFN"]),
    "quantity_unshipped": st.integers(0, 3),
    "invoice_required": st.booleans(),
    "fulfillment_action": st.sampled_from(["Ship", "Hold"]),
    "invoice": st.sampled_from([None, {"id": "INV-1"}]),
}


def expected_outcome(table, state, trigger, entity):
    """What the table says firing `trigger` from `state` does: a destination, or the error class."""
    rows = [row for row in table.rows_for(trigger) if state in row.sources]
    if not rows:
        return IllegalTransition
    for row in rows:
        if all(guard(entity) for guard in row.guards):
            return row.dest
    return GuardRefused


def lifecycle_machine(table):
    class LifecycleRun(RuleBasedStateMachine):
        @initialize(start=st.sampled_from(table.states), inputs=st.fixed_dictionaries(GUARD_INPUTS))
        def restore(self, start, inputs):
            self.clock = VirtualClock()
            self.lifecycle = Lifecycle(table, self.clock)
            self.entity = self.lifecycle.restore(SimpleNamespace(**inputs), status=start)
            self.fired = []

        @rule(name=st.sampled_from(sorted(GUARD_INPUTS)), data=st.data())
        def change_guard_input(self, name, data):
            setattr(self.entity, name, data.draw(GUARD_INPUTS[name]))

        @rule(trigger=st.sampled_from(table.triggers + ("no_such_trigger",)), wait=st.integers(0, 86_400))
        def fire(self, trigger, wait):
            self.clock.advance(wait)
            before = self.entity.status
            expected = expected_outcome(table, before, trigger, self.entity)
            if isinstance(expected, str):
                assert self.lifecycle.fire(self.entity, trigger) == expected
                self.fired.append((self.clock.now(), before, expected, trigger))
            else:
                with pytest.raises(expected) as raised:
                    self.lifecycle.fire(self.entity, trigger)
                assert type(raised.value) is expected
                assert trigger in str(raised.value) and before in str(raised.value)
                assert self.entity.status == before

        @invariant()
        def history_is_complete(self):
            assert [tuple(step) for step in self.entity.history] == self.fired
            assert self.entity.status in table.states

    LifecycleRun.__name__ = f"{table.name}_run"
    return LifecycleRun


@pytest.mark.parametrize("name", sorted(TABLES))
def test_only_declared_transitions_happen(name):
    machine = lifecycle_machine(TABLES[name])
    machine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
    machine.TestCase().runTest()


def test_every_state_is_reachable_from_the_initial_state():
    for table in TABLES.values():
        seen, frontier = {table.initial}, [table.initial]
        while frontier:
            state = frontier.pop()
            for row in table.transitions:
                if state in row.sources and row.dest not in seen:
                    seen.add(row.dest)
                    frontier.append(row.dest)
        unreachable = set(table.states) - seen - {"PendingAvailability"}  # pre-orders start there
        assert not unreachable, f"{table.name}: unreachable {unreachable}"


def test_final_states_have_no_way_out():
    for table in TABLES.values():
        for row in table.transitions:
            leaving = set(row.sources) & set(table.final)
            assert not leaving or row.trigger == "recreate", f"{table.name}: {row.trigger} leaves {leaving}"


def test_afn_order_ships_only_through_amazon():
    clock = VirtualClock()
    orders = Lifecycles(clock).amazon_order
    afn = orders.restore(SimpleNamespace(fulfillment_channel="AFN", quantity_unshipped=0), status="Unshipped")
    with pytest.raises(GuardRefused, match="merchant_fulfilled"):
        orders.fire(afn, "confirm_shipment")
    assert orders.fire(afn, "fulfil_by_amazon") == "Shipped"


def test_models_move_without_being_registered_on_the_machine():
    lifecycle = Lifecycle(TABLES["processing"], VirtualClock())
    report = lifecycle.restore(SimpleNamespace())
    lifecycle.fire(report, "start")
    assert report not in lifecycle.machine.models  # so nothing holds finished models: memory stays flat
    assert report.status == "IN_PROGRESS" and len(report.history) == 1
    with pytest.raises(ValueError, match="unknown state"):
        lifecycle.restore(SimpleNamespace(), status="NO_SUCH_STATE")


def test_diagram_document_is_current():
    document = Path(__file__).resolve().parents[2] / "docs" / "lifecycles.md"
    assert document.read_text() == render_markdown(), "run: python -m model.lifecycles > docs/lifecycles.md"
