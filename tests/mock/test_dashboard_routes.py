"""The control routes the dashboard reads (counts by lifecycle state, one record's history and the calls that named
it, buckets and 429s, fault rules, served operations, the journal's newest entries) and the page itself: each
answers what the store holds, refuses bad input in Amazon's error shape, and reads one seller's data only."""
import pytest

from mock_amazon import create_app
from model.lifecycles import TABLES
from tests.conftest import login
from tests.support import seeded_amazon


def seller_of(amazon) -> str:
    return amazon.seller.seller_id


def test_counts_list_every_state_of_the_lifecycle_tables(http, amazon):
    counts = http.get(f"/_testbed/counts?seller_id={seller_of(amazon)}").json["counts"]
    assert set(counts) == {"order", "fulfillment_order", "ef_shipment", "ef_return"}
    assert list(counts["order"]["states"]) == list(TABLES["amazon_order"].states)
    assert list(counts["ef_return"]["states"]) == list(TABLES["return"].states)
    stored = list(amazon.orders.orders.scan(seller_of(amazon)))
    assert counts["order"]["total"] == len(stored) == 8
    for state, count in counts["order"]["states"].items():
        assert count == sum(order.status == state for order in stored)


def test_a_placed_order_moves_the_count_and_a_day_ships_it(http, amazon):
    seller = seller_of(amazon)
    sku = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "AFN")
    before = http.get(f"/_testbed/counts?seller_id={seller}").json["counts"]["order"]["states"]
    placed = http.post("/_testbed/orders", json={"seller_id": seller, "channel": "AFN",
                                                 "lines": [{"sku": sku, "quantity": 1}]}).json
    after = http.get(f"/_testbed/counts?seller_id={seller}").json["counts"]["order"]["states"]
    assert after["Pending"] == before["Pending"] + 1
    http.post("/_testbed/clock/advance", json={"seconds": 86_400})
    record = http.get(f"/_testbed/records/order/{placed['order_id']}?seller_id={seller}").json
    assert record["status"] in ("Shipped", "PartiallyShipped")
    assert [(step["from"], step["to"]) for step in record["history"]][0] == ("Pending", "Unshipped")
    assert record["history"][0]["trigger"] == "verify_payment"


def test_a_records_page_names_the_calls_that_touched_it(http, amazon):
    seller = seller_of(amazon)
    order_id = next(amazon.orders.orders.scan(seller)).id
    other = sorted(o.id for o in amazon.orders.orders.scan(seller) if o.id != order_id)[0]
    token = login(http, amazon.seller)
    http.get(f"/orders/v0/orders/{order_id}", headers={"x-amz-access-token": token})
    http.get(f"/orders/v0/orders/{order_id}/orderItems", headers={"x-amz-access-token": token})
    http.get(f"/orders/v0/orders/{other}", headers={"x-amz-access-token": token})
    calls = http.get(f"/_testbed/records/order/{order_id}?seller_id={seller}").json["calls"]
    assert [call["operation"] for call in calls] == ["getOrder", "getOrderItems"]
    assert all(order_id in call["path"] for call in calls)
    scanned = http.get(f"/_testbed/records/order/{order_id}?seller_id={seller}&scan=1").json
    assert scanned["calls"] == []  # the newest entry only: the call for the other order


def test_bucket_state_and_throttles(http, amazon):
    seller = seller_of(amazon)
    http.put("/_testbed/rate-limits", json={"limits": {"getOrder": {"rate": 0.5, "burst": 2}}})
    token = login(http, amazon.seller)
    order_id = next(amazon.orders.orders.scan(seller)).id
    statuses = [http.get(f"/orders/v0/orders/{order_id}", headers={"x-amz-access-token": token}).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    state = http.get(f"/_testbed/rate-limits?seller_id={seller}").json
    bucket = next(b for b in state["buckets"] if b["operation_id"] == "getOrder")
    assert bucket == {"operation": "ordersV0.getOrder", "operation_id": "getOrder", "rate": 0.5, "burst": 2.0,
                      "tokens": 0.0}
    assert state["throttled"]["getOrder"]["count"] == 1
    http.post("/_testbed/clock/advance", json={"seconds": 1})
    refilled = http.get(f"/_testbed/rate-limits?seller_id={seller}").json["buckets"]
    assert next(b for b in refilled if b["operation_id"] == "getOrder")["tokens"] == 0.5


def test_faults_read_back_and_operations_listed(http):
    http.put("/_testbed/faults", json={"faults": [{"operation": "getOrders", "status": 503}]})
    rules = http.get("/_testbed/faults").json["faults"]
    assert rules[0]["operation"] == "getOrders" and rules[0]["status"] == 503
    operations = http.get("/_testbed/operations").json["operations"]
    assert {"operation": "getOrders", "key": "ordersV0.getOrders", "api": "ordersV0"} in operations


def test_the_newest_journal_entries_come_oldest_first(http, amazon):
    token = login(http, amazon.seller)
    for _ in range(5):
        http.get("/orders/v0/orders/none", headers={"x-amz-access-token": token})
    everything = [e["id"] for e in http.get("/_testbed/traffic").json["traffic"]]
    newest = [e["id"] for e in http.get("/_testbed/traffic?newest=true&limit=3").json["traffic"]]
    assert newest == everything[-3:]
    assert http.get("/_testbed/traffic?newest=maybe").json["errors"][0]["details"] == "newest"


@pytest.mark.parametrize(("path", "named"), [
    ("/_testbed/counts", "seller_id"),
    ("/_testbed/counts?seller_id=NOPE", "seller_id"),
    ("/_testbed/records/order/X?seller_id=NOPE", "seller_id"),
    ("/_testbed/records/order/X?seller_id={seller}&scan=lots", "scan"),
    ("/_testbed/records/order/X?seller_id={seller}&scan=0", "scan"),
    ("/_testbed/records/order/NO-SUCH-ORDER?seller_id={seller}", "NO-SUCH-ORDER"),
    ("/_testbed/records/nothing/X?seller_id={seller}", "nothing"),
    ("/_testbed/rate-limits?seller_id={seller}&since_id=-1", "since_id"),
])
def test_bad_input_is_refused_in_amazons_shape(http, amazon, path, named):
    response = http.get(path.format(seller=seller_of(amazon)))
    assert response.status_code in (400, 404)
    assert response.json["errors"][0]["details"] == named


def test_one_sellers_records_are_not_anothers(http, amazon):
    other = http.post("/_testbed/sellers").json["seller_id"]
    order_id = next(amazon.orders.orders.scan(seller_of(amazon))).id
    response = http.get(f"/_testbed/records/order/{order_id}?seller_id={other}")
    assert response.status_code == 404
    assert http.get(f"/_testbed/counts?seller_id={other}").json["counts"]["order"]["total"] == 0


def test_the_page_needs_no_token_but_its_calls_do():
    amazon = seeded_amazon(control_token="secret")
    http = create_app(amazon).test_client()
    page = http.get("/_testbed/ui")
    assert page.status_code == 200 and b"dashboard.js" in page.data
    assert http.get("/_testbed/ui/static/dashboard.js").status_code == 200
    assert http.get(f"/_testbed/counts?seller_id={amazon.seller.seller_id}").status_code == 401
