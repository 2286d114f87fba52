"""A store that keeps its entities in memory and writes them behind answers every read exactly as SQLite does, through
transactions, savepoints and refusals, and hands SQLite the same rows when the database is wanted whole."""
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_amazon.store import Store

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


def perform(store: Store, action: tuple) -> None:
    if action[0] == "put":
        _, kind, seller, entity_id, status, created, updated, n = action
        store.put(kind, seller, entity_id, {"id": entity_id, "n": n, "status": status}, status, created, updated)
    elif action[0] == "delete":
        store.delete(*action[1:])
    else:
        _, steps, commits = action
        try:
            with store.transaction():
                for inner in steps:
                    perform(store, inner)
                if not commits:
                    raise Refused()
        except Refused:
            pass


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


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(step, block), max_size=12))
def test_write_behind_answers_every_read_as_sqlite_does(actions):
    behind, direct = Store(write_behind=True), Store()
    for action in actions:
        for store in (behind, direct):
            perform(store, action)
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
