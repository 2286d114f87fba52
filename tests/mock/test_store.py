"""The store's identity map: reads hand out the live entity, and a refused or rolled-back change never shows."""
import dataclasses

import pytest

from mock_amazon.entities import Collection, Entity
from mock_amazon.store import Store
from model.clock import VirtualClock
from model.lifecycles import TABLES, Lifecycle


@dataclasses.dataclass(eq=False)
class Thing(Entity):
    note: str = ""
    lines: list = dataclasses.field(default_factory=list)


class Refused(Exception):
    pass


@pytest.fixture
def things():
    store = Store()
    collection = Collection(store, "thing", Thing, Lifecycle(TABLES["processing"], VirtualClock()))
    collection.add(Thing(id="T1", seller_id="S1", created=1.0, updated=1.0, note="first", lines=[1]))
    return collection


def test_reads_hand_out_one_live_entity_and_stored_gives_a_snapshot(things):
    live = things.load("S1", "T1")
    assert things.find("S1", "T1") is live and next(things.scan("S1")) is live
    snapshot = things.stored("S1", "T1")
    assert snapshot is not live and (snapshot.note, snapshot.lines, snapshot.status) == ("first", [1], "IN_QUEUE")


def test_a_change_refused_inside_editing_is_not_seen_by_the_next_read(things):
    with pytest.raises(Refused):
        with things.editing("S1", "T1") as thing:
            thing.note = "changed"
            thing.lines.append(2)  # nested state changed in place, too
            things.fire(thing, "start", 5.0)
            raise Refused()
    again = things.load("S1", "T1")
    assert (again.note, again.lines, again.status, again.history) == ("first", [1], "IN_QUEUE", [])


def test_a_nested_refusal_is_forgotten_while_the_outer_transaction_commits(things):
    things.add(Thing(id="T2", seller_id="S1", created=2.0, updated=2.0))
    with things.store.transaction():
        with things.editing("S1", "T2") as other:
            other.note = "kept"
        with pytest.raises(Refused):
            with things.editing("S1", "T1") as thing:
                thing.note = "refused"
                raise Refused()
    assert things.load("S1", "T1").note == "first"
    assert things.load("S1", "T2").note == "kept" == things.stored("S1", "T2").note


def test_an_outer_rollback_forgets_what_the_inner_editing_saved(things):
    with pytest.raises(Refused):
        with things.store.transaction():
            with things.editing("S1", "T1") as thing:
                things.fire(thing, "start", 5.0)
            things.add(Thing(id="T3", seller_id="S1", created=3.0, updated=3.0))
            raise Refused()
    assert things.load("S1", "T1").status == "IN_QUEUE"
    assert things.find("S1", "T3") is None
    assert [t.id for t in things.scan("S1")] == ["T1"]


def test_a_level_reaches_sqlite_only_with_its_first_statement(things):
    statements: list[str] = []
    things.store.db.set_trace_callback(statements.append)
    with things.store.transaction():
        with things.editing("S1", "T1") as thing:  # a change that runs no statement of its own
            thing.note = "edited"
        with things.store.transaction():
            things.store.set_setting("inner", 1)
    things.store.db.set_trace_callback(None)
    kinds = [sql.split()[0] for sql in statements]
    assert kinds == ["BEGIN", "INSERT", "SAVEPOINT", "INSERT", "RELEASE", "COMMIT"]
    assert things.stored("S1", "T1").note == "edited" and things.store.setting("inner") == 1


def test_a_refused_inner_level_undoes_only_its_own_statements(things):
    with things.store.transaction():
        things.store.set_setting("outer", 1)
        with pytest.raises(Refused):
            with things.store.transaction():
                things.store.set_setting("inner", 2)
                with things.editing("S1", "T1") as thing:
                    thing.note = "refused with the level around it"
                raise Refused()
        things.store.set_setting("after", 3)
    assert [things.store.setting(key) for key in ("outer", "inner", "after")] == [1, None, 3]
    assert things.load("S1", "T1").note == "first" == things.stored("S1", "T1").note


def test_scans_filter_on_the_stored_columns_of_live_entities(things):
    with things.editing("S1", "T1") as thing:
        things.fire(thing, "start", 5.0)
    things.add(Thing(id="T2", seller_id="S1", created=2.0, updated=2.0))
    assert [t.id for t in things.scan("S1", statuses=["IN_PROGRESS"])] == ["T1"]
    assert [t.id for t in things.scan("S1", order_by="updated")] == ["T2", "T1"]
    assert [t.id for t in things.scan("S1", since=1.5)] == ["T2"]


def test_in_memory_stores_are_private_to_each_other():
    first, second = Store(), Store()
    first.set_setting("generation", 7)
    assert second.setting("generation") is None and first.setting("generation") == 7


def test_wipe_and_delete_forget_live_entities(things):
    things.load("S1", "T1")
    things.store.delete("thing", "S1", "T1")
    assert things.find("S1", "T1") is None
    things.add(Thing(id="T4", seller_id="S1", created=4.0, updated=4.0))
    things.store.wipe()
    assert things.find("S1", "T4") is None and len(things.store.live) == 0
