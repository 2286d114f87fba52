"""Named snapshots: save the whole mock, change it, restore it, and the marketplace and its clock are as they
were; what happens next happens the same way again."""
import copy

import pytest
import simpy

from mock_amazon import MockAmazon, create_app
from mock_amazon.errors import InvalidInput
from mock_amazon.store import Store
from model.clock import WallClock
from tests.conftest import login
from tests.support import FakeWall, seeded_amazon

ORDERS = "ordersV0"
QUERY = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2025-12-01T00:00:00Z"}
TABLES = ("sellers", "tokens", "authorization_codes", "entities", "inventory", "timers", "blobs", "settings")


@pytest.fixture
def amazon() -> MockAmazon:
    return seeded_amazon(wall=FakeWall())


def stored(amazon: MockAmazon) -> dict[str, list[tuple]]:
    """Everything the store holds but the journal, table by table."""
    return {table: sorted(amazon.store.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in TABLES}


def test_restore_brings_back_the_marketplace_and_what_happens_next_happens_again(sp, http, amazon):
    seller = amazon.seller.seller_id
    skus = {i.channel: i.sku for i in amazon.listings.items.scan(seller)}
    assert sp(ORDERS, "getOrders", query=QUERY).status == 200  # a bucket with a token spent
    http.put("/_testbed/faults", json={"faults": [{"operation": "getOrders", "status": 503, "count": 1}]})
    saved = http.post("/_testbed/snapshots", json={"name": "before-rush"})
    assert saved.status_code == 201 and saved.json["name"] == "before-rush"
    assert saved.json["time"] == amazon.clock.now().isoformat() and saved.json["size_bytes"] > 0
    at_save, clock_at_save, token_at_save = stored(amazon), amazon.clock.seconds(), sp.token
    buckets_at_save = copy.deepcopy(amazon.limits.buckets)
    last_entry = amazon.traffic()[-1]["id"]

    def rush() -> tuple:
        """Orders come in, two days pass, the connector reads: the same steps after each restore."""
        placed = [http.post("/_testbed/orders", json={"seller_id": seller, "channel": channel,
                                                      "lines": [{"sku": sku, "quantity": 1}]}).json["order_id"]
                  for channel, sku in sorted(skus.items())]
        faulted = sp(ORDERS, "getOrders", query=QUERY)
        advanced = http.post("/_testbed/clock/advance", json={"seconds": 2 * 86_400}).json
        answer = sp(ORDERS, "getOrders", query=QUERY)
        return placed, faulted.status, advanced, answer.body, answer.headers["x-amzn-RequestId"], stored(amazon)

    first = rush()
    assert first[1] == 503 and first[2]["timers_run"] > 0
    assert stored(amazon) != at_save and amazon.clock.seconds() > clock_at_save
    ids_first = [e["id"] for e in amazon.traffic(since_id=last_entry)]

    restored = http.post("/_testbed/snapshots/before-rush/restore")
    sp.token = token_at_save  # the connector's own state goes back with the marketplace: a test's choice
    assert restored.status_code == 200 and restored.json["time"] == saved.json["time"]
    assert amazon.clock.seconds() == clock_at_save, "the clock goes back to the snapshot's time"
    assert stored(amazon) == at_save
    assert amazon.limits.buckets == buckets_at_save
    assert amazon.traffic(since_id=last_entry) == [], "the journal goes back too"

    second = rush()
    assert second == first, "the same order IDs, the same fault, the same timers, the same answers"
    assert min(e["id"] for e in amazon.traffic(since_id=last_entry)) > max(ids_first), "journal IDs are not reused"


def test_snapshots_are_listed_replaced_and_deleted(http, amazon):
    assert http.get("/_testbed/snapshots").json == {"snapshots": []}
    first = http.post("/_testbed/snapshots", json={"name": "day-1"}).json
    amazon.advance(3600)
    http.post("/_testbed/snapshots", json={"name": "day-1.later_v2"})
    http.post("/_testbed/snapshots", json={"name": "day-1"})  # saved again: replaces the first
    listed = http.get("/_testbed/snapshots").json["snapshots"]
    assert [s["name"] for s in listed] == ["day-1.later_v2", "day-1"]
    assert listed[1]["seconds"] == first["seconds"] + 3600 and listed[1]["taken"] > first["taken"]
    assert set(listed[0]) == {"name", "time", "seconds", "taken", "size_bytes"}
    deleted = http.delete("/_testbed/snapshots/day-1")
    assert deleted.status_code == 200 and deleted.json == {"deleted": "day-1"}
    assert [s["name"] for s in http.get("/_testbed/snapshots").json["snapshots"]] == ["day-1.later_v2"]


def test_bad_and_unknown_names_are_refused_and_nothing_is_lost(http, amazon):
    http.post("/_testbed/snapshots", json={"name": "kept"})
    for body in ({"name": ""}, {"name": "x" * 101}, {"name": "a b"}, {"name": "a/b"}, {"name": 5}, {}):
        refused = http.post("/_testbed/snapshots", json=body)
        assert refused.status_code == 400, body
        assert refused.json["errors"][0]["code"] == "InvalidInput" and refused.json["errors"][0]["details"] == "name"
    assert http.post("/_testbed/snapshots", data="not json", content_type="application/json").status_code == 400
    for method, path in (("post", "/_testbed/snapshots/nothing/restore"), ("delete", "/_testbed/snapshots/nothing")):
        missing = getattr(http, method)(path)
        assert missing.status_code == 404 and missing.json["errors"][0] == {
            "code": "NotFound", "message": "No snapshot named nothing.", "details": "nothing"}
    assert http.post("/_testbed/snapshots/bad%20name/restore").status_code == 400
    assert [s["name"] for s in http.get("/_testbed/snapshots").json["snapshots"]] == ["kept"]
    assert http.post("/_testbed/snapshots/kept/restore").status_code == 200


def test_a_registered_part_is_saved_and_restored_as_a_copy(amazon):
    world = {"stock": {"SKU-1": 5}}
    amazon.snapshot_parts["world"] = (lambda: world["stock"], lambda saved: world.update(stock=saved))
    amazon.snapshots.save("start")
    world["stock"]["SKU-1"] = 1  # changed in place after the save
    amazon.snapshots.restore("start")
    assert world["stock"] == {"SKU-1": 5}
    world["stock"]["SKU-1"] = 2
    amazon.snapshots.restore("start")
    assert world["stock"] == {"SKU-1": 5}, "a snapshot can be restored any number of times"


def test_a_wall_clock_and_a_file_store_are_restored(tmp_path):
    real = FakeWall(step=0.0)
    amazon = MockAmazon(store=Store(str(tmp_path / "mock.sqlite3")), clock=WallClock(scale=60, source=real),
                        base_url="http://mock.test", wall=real)
    seller = amazon.create_seller()
    client = create_app(amazon).test_client()
    token = login(client, seller)
    saved = client.post("/_testbed/snapshots", json={"name": "empty"}).json
    amazon.seed(seller.seller_id, skus=3, orders=2, seed=4)
    real.now += 600  # ten simulated hours
    assert amazon.clock.seconds() == pytest.approx(saved["seconds"] + 36_000)
    client.post("/_testbed/snapshots/empty/restore")
    assert amazon.clock.seconds() == saved["seconds"]
    assert amazon.store.execute("SELECT COUNT(*) FROM entities").fetchone()[0] == 0
    real.now += 1
    assert amazon.clock.seconds() == saved["seconds"] + 60, "the clock runs on from the snapshot's time"
    orders = client.get("/orders/v0/orders", query_string=QUERY, headers={"x-amz-access-token": token})
    assert orders.status_code == 200 and orders.json["payload"]["Orders"] == []


def test_a_clock_that_follows_simpy_is_not_set_back(amazon):
    amazon.snapshots.save("start")
    env = simpy.Environment()
    amazon.clock.follow(env)
    env.run(until=60)
    before = stored(amazon)
    with pytest.raises(InvalidInput, match="follows a SimPy environment"):
        amazon.snapshots.restore("start")
    assert stored(amazon) == before
