"""A store that keeps its entities in memory and writes them behind answers every read exactly as SQLite does, through
transactions, savepoints and refusals, and hands SQLite the same rows when the database is wanted whole."""
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_amazon.journal import ROWS_BATCHED, Filter, Journal
from mock_amazon.store import Store, positions
from model.clock import VirtualClock
from model.inventory import Position

KINDS = ("order", "shipment")
IDS = [f"ID-{n:02d}" for n in range(12)]
TIMES = st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0, 7.25])
STATUSES = st.sampled_from([None, "Pending", "Shipped", "Canceled"])

put = st.tuples(st.just("put"), st.sampled_from(KINDS), st.sampled_from(["S1", "S2"]), st.sampled_from(IDS),
                STATUSES, TIMES, TIMES, st.integers(0, 9))
delete = st.tuples(st.just("delete"), st.sampled_from(KINDS), st.sampled_from(["S1", "S2"]), st.sampled_from(IDS))
step = st.one_of(put, put, put, delete)
# a block: steps, then commit or refuse; blocks nest one level inside another
block = st.recursive(st.lists(step, max_size=6).map(lambda steps: ("block", steps, True)),
                     lambda inner: st.tuples(st.just("block"), st.lists(st.one_of(step, inner), max_size=4),
                                             st.booleans()), max_leaves=12)


class Refused(Exception):
    pass


def in_block(store: Store, block: tuple, perform_step) -> None:
    """A ("block", steps, commits) action: its steps in one transaction, refused at the end unless it commits."""
    _, steps, commits = block
    try:
        with store.transaction():
            for inner in steps:
                perform_step(inner)
            if not commits:
                raise Refused()
    except Refused:
        pass


def perform(store: Store, action: tuple) -> None:
    if action[0] == "put":
        _, kind, seller, entity_id, status, created, updated, n = action
        store.put(kind, seller, entity_id, {"id": entity_id, "n": n, "status": status}, status, created, updated)
    elif action[0] == "delete":
        store.delete(*action[1:])
    else:
        in_block(store, action, lambda inner: perform(store, inner))


def reads(store: Store) -> list:
    seen: list = []
    for kind in KINDS:
        for seller in ("S1", "S2"):
            seen.append(store.count_by_status(kind, seller))
            seen.append(store.documents(kind, seller))
            seen.append(store.documents(kind, seller, status="Shipped", after="ID-03", limit=3))
            seen.append([store.get(kind, seller, entity_id) for entity_id in IDS])
            for order_by in ("created", "updated"):
                seen.append(store.scan_ids(kind, seller, order_by=order_by))
                seen.append(store.scan_ids(kind, seller, order_by=order_by, since=1.0, until=3.0))
                seen.append(store.scan_ids(kind, seller, order_by=order_by, after=(1.5, "ID-04"), limit=4))
                seen.append(store.scan_ids(kind, seller, order_by=order_by, since=2.0, after=(1.0, "ID-09")))
                seen.append(store.scan_ids(kind, seller, order_by=order_by, statuses=["Pending", "Canceled"],
                                           limit=2))
    return seen


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(step, block), max_size=12), st.booleans())
def test_write_behind_answers_every_read_as_sqlite_does(actions, read_as_it_goes):
    """Read after every action, or only at the end: a kind's order by update is made on the first scan that asks
    for it, and made late it is still SQLite's."""
    behind, direct = Store(write_behind=True), Store()
    for action in actions:
        for store in (behind, direct):
            perform(store, action)
        if read_as_it_goes:
            assert reads(behind) == reads(direct)
    assert reads(behind) == reads(direct)
    rows = "SELECT * FROM entities ORDER BY kind, seller_id, id"
    assert behind.backup().execute(rows).fetchall() == direct.execute(rows).fetchall()


def test_a_restored_snapshot_is_read_back_into_memory():
    store = Store(write_behind=True)
    store.put("order", "S1", "A", {"v": 1}, "Pending", 1.0, 1.0)
    saved = store.backup()
    store.put("order", "S1", "A", {"v": 2}, "Shipped", 1.0, 2.0)
    store.put("order", "S1", "B", {"v": 3}, "Pending", 2.0, 2.0)
    store.restore(saved)
    assert store.get("order", "S1", "A") == {"v": 1} and store.get("order", "S1", "B") is None
    assert store.scan_ids("order", "S1", order_by="updated") == ["A"]


def test_only_an_in_memory_database_takes_rows_written_behind(tmp_path):
    try:
        Store(str(tmp_path / "mock.sqlite3"), write_behind=True)
    except ValueError as error:
        assert "in-memory" in str(error)
    else:
        raise AssertionError("a file database took rows written behind")


SKUS = ["A-1", "A-2", "B-1"]
LOCATIONS = ["DEFAULT", "PHX7", "IN-1"]
position_step = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(SKUS), st.sampled_from(LOCATIONS), st.sampled_from(["MFN", "AFN"]),
              st.integers(0, 50), st.one_of(st.integers(0, 5), st.floats(0, 5).map(float), st.booleans())),
    st.tuples(st.just("delete"), st.sampled_from(SKUS), st.sampled_from(LOCATIONS)),
    st.tuples(st.just("tick")))
position_block = st.tuples(st.just("block"), st.lists(position_step, max_size=5), st.booleans())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(position_step, position_block), max_size=12))
def test_positions_kept_in_memory_answer_as_the_inventory_table_does(actions):
    clock = [1.0]
    stores = [Store(write_behind=True), Store()]
    mappings = [positions(store, "S1", lambda: clock[0]) for store in stores]

    def perform_on(store, mapping, action):
        if action[0] == "set":
            _, sku, location, channel, sellable, reserved = action
            mapping[(sku, location)] = Position(sku, location, channel, sellable, 0, reserved)
        elif action[0] == "delete":
            if (action[1], action[2]) in mapping:
                del mapping[(action[1], action[2])]
        elif action[0] == "block":
            in_block(store, action, lambda inner: perform_on(store, mapping, inner))

    def seen(mapping):
        return (list(mapping), len(mapping), mapping.values(), mapping.in_channel("AFN"),
                [(mapping.for_sku(sku), mapping.updated(sku), [mapping.get((sku, loc)) for loc in LOCATIONS])
                 for sku in SKUS])

    for action in actions:
        if action[0] == "tick":
            clock[0] += 1
        for store, mapping in zip(stores, mappings):
            perform_on(store, mapping, action)
        assert repr(seen(mappings[0])) == repr(seen(mappings[1]))  # types too: 3, not 3.0 or True
    rows = "SELECT * FROM inventory ORDER BY seller_id, sku, location"
    assert stores[0].backup().execute(rows).fetchall() == stores[1].execute(rows).fetchall()


def test_a_scan_for_a_rare_status_sorts_the_few_as_sqlite_orders_them():
    stores = [Store(write_behind=True), Store()]
    for n in range(200):
        status = "Pending" if n % 37 == 0 else "Shipped"
        for store in stores:
            store.put("order", "S1", f"O-{n:03d}", {"n": n}, status, float(n % 50), float(n % 7))
    for scan in ({}, {"since": 2.0}, {"until": 5.0}, {"after": (4.0, "O-074")}, {"after": (0.0, "O-111")},
                 {"since": 1.0, "limit": 2}, {"order_by": "created", "since": 11.0, "until": 37.0},
                 {"order_by": "created", "after": (24.0, "O-074")}):
        answers = [store.scan_ids("order", "S1", **{"order_by": "updated", "statuses": ["Pending"], **scan})
                   for store in stores]
        assert answers[0] == answers[1], scan
    assert len(stores[0].scan_ids("order", "S1", statuses=["Pending"])) == 6


timer_step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from([1.0, 2.0, 2.0, 5.0]), st.sampled_from(["ship", "verify"]),
              st.sampled_from(IDS[:4])),
    st.tuples(st.just("take"), st.sampled_from([0.5, 2.0, 9.0])))
timer_block = st.tuples(st.just("block"), st.lists(timer_step, max_size=5), st.booleans())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(timer_step, timer_block), max_size=14))
def test_timers_kept_in_memory_run_in_the_table_order_through_refusals(actions):
    stores = [Store(write_behind=True), Store()]

    def perform_on(store, action, taken):
        if action[0] == "add":
            store.timers.add(action[1], action[2], "S1", action[3])
        elif action[0] == "take":
            with store.transaction():
                timer = store.timers.take(action[1])
            taken.append(None if timer is None else (timer[0], *timer[2:]))  # IDs may differ: not their order
        else:
            in_block(store, action, lambda inner: perform_on(store, inner, taken))

    taken: list[list] = [[], []]
    for action in actions:
        for store, seen in zip(stores, taken):
            perform_on(store, action, seen)
        assert taken[0] == taken[1]
        assert stores[0].timers.earliest() == stores[1].timers.earliest()
    rows = "SELECT at, action, seller_id, entity_id FROM timers ORDER BY at, id"
    assert stores[0].backup().execute(rows).fetchall() == stores[1].execute(rows).fetchall()


def test_a_simulations_journal_rows_wait_and_every_read_and_snapshot_sees_them():
    store = Store(write_behind=True)
    journal = Journal(store, VirtualClock(), lambda: 0.0, threading.RLock(), bodies=False)
    for number in range(ROWS_BATCHED + 5):
        journal.record("getOrders", "GET", "/orders/v0/orders", "", 429 if number % 2 else 200, 0.0, "S1",
                       throttled=bool(number % 2))
    assert store.execute("SELECT COUNT(*) FROM traffic").fetchone()[0] == ROWS_BATCHED, "a full batch, at once"
    assert len(journal.entries(Filter(limit=5000))) == ROWS_BATCHED + 5
    assert journal.throttled_count() == (ROWS_BATCHED + 5) // 2
    journal.record("getOrders", "GET", "/orders/v0/orders", "", 200, 0.0, "S1")
    journal.save()  # what a snapshot does before copying the store
    assert store.backup().execute("SELECT COUNT(*) FROM traffic").fetchone()[0] == ROWS_BATCHED + 6
