"""Ledger properties: sequence numbers never decrease, quantities never go negative, refused changes change
nothing."""
import copy

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from mock_amazon.store import Store, StoredPositions
from model.inventory import CONDITIONS, InventoryError, Ledger, StaleSequence

SKUS = st.sampled_from(["A", "B"])
LOCATIONS = st.sampled_from(["FC1", "SF1"])
AMOUNTS = st.integers(0, 20)


class LedgerRun(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.ledger = Ledger()
        self.last_sequence = {}

    def attempt(self, change):
        before = copy.deepcopy(dict(self.ledger.positions))
        try:
            change()
        except InventoryError:
            assert self.ledger.positions == before, "a refused change altered the ledger"

    @rule(sku=SKUS, location=LOCATIONS, quantity=AMOUNTS, sequence=st.integers(-1, 12))
    def set_quantity(self, sku, location, quantity, sequence):
        last = self.last_sequence.get((sku, location), 0)
        before = copy.deepcopy(dict(self.ledger.positions))
        if sequence <= last:
            with pytest.raises(InventoryError):
                self.ledger.set_quantity(sku, location, quantity, sequence=sequence)
            assert self.ledger.positions == before
        else:
            self.ledger.set_quantity(sku, location, quantity, sequence=sequence)
            self.last_sequence[(sku, location)] = sequence
            assert self.ledger.get(sku, location).sellable == quantity

    @rule(sku=SKUS, location=LOCATIONS, delta=st.integers(-15, 15), condition=st.sampled_from(CONDITIONS))
    def adjust(self, sku, location, delta, condition):
        self.attempt(lambda: self.ledger.adjust(sku, location, delta, condition))

    @rule(sku=SKUS, location=LOCATIONS, quantity=AMOUNTS,
          operation=st.sampled_from(["reserve", "release", "consume", "receive"]))
    def move(self, sku, location, quantity, operation):
        self.attempt(lambda: getattr(self.ledger, operation)(sku, location, quantity))

    @invariant()
    def nothing_negative_and_sequences_match(self):
        for position in self.ledger:
            assert all(getattr(position, c) >= 0 for c in CONDITIONS)
            assert position.sequence == self.last_sequence.get((position.sku, position.location), 0)


TestLedgerRun = LedgerRun.TestCase
TestLedgerRun.settings = settings(max_examples=80, stateful_step_count=40, deadline=None)


def test_over_reservation_is_refused_with_a_clear_error():
    ledger = Ledger()
    ledger.set_quantity("A", "FC1", 3)
    with pytest.raises(InventoryError, match="cannot reserve 5 of 'A' at 'FC1': only 3 sellable"):
        ledger.reserve("A", "FC1", 5)
    assert ledger.get("A", "FC1").sellable == 3 and ledger.get("A", "FC1").reserved == 0


def test_stale_sequence_names_both_numbers():
    ledger = Ledger()
    ledger.set_quantity("A", "SF1", 10, sequence=1)
    ledger.set_quantity("A", "SF1", 8, sequence=2)
    with pytest.raises(StaleSequence, match="sequence number 2 .* last accepted one \\(2\\)"):
        ledger.set_quantity("A", "SF1", 99, sequence=2)
    assert ledger.get("A", "SF1").sellable == 8


def test_totals_by_channel():
    ledger = Ledger()
    ledger.set_quantity("A", "FC1", 4, channel="AFN")
    ledger.set_quantity("A", "FC2", 5, channel="AFN")
    ledger.set_quantity("A", "HOME", 2, channel="MFN")
    assert ledger.total("A") == 11
    assert ledger.total("A", channel="AFN") == 9
    assert ledger.total("A", channel="MFN") == 2


@pytest.mark.parametrize("stored", [False, True], ids=["in-memory", "sqlite"])
def test_positions_grouped_by_sku_and_filtered_by_channel(stored):
    ledger = Ledger(StoredPositions(Store(), "S1", lambda: 0.0)) if stored else Ledger()
    ledger.set_quantity("A", "FC1", 4, channel="AFN")
    ledger.set_quantity("A", "HOME", 2, channel="MFN")
    ledger.set_quantity("B", "FC2", 7, channel="AFN")
    every = ledger.by_sku()
    assert {sku: sorted(p.location for p in group) for sku, group in every.items()} == {"A": ["FC1", "HOME"],
                                                                                      "B": ["FC2"]}
    afn = ledger.by_sku("AFN")
    assert {sku: [(p.location, p.sellable) for p in group] for sku, group in afn.items()} == {
        "A": [("FC1", 4)], "B": [("FC2", 7)]}
    assert {sku: [p.location for p in group] for sku, group in ledger.by_sku("MFN").items()} == {"A": ["HOME"]}
