"""The traffic journal: what every call at Amazon's doors looked like, filtered, with bodies (secrets redacted,
capped), bounded, and exported as HAR 1.2."""
import base64
import gzip
import json
import sqlite3

import jsonschema
import pytest

from mock_amazon import MockAmazon, create_app
from mock_amazon.client import InProcess
from mock_amazon.journal import (
    BODY_CAP,
    BUDGET_CHECKED_EVERY,
    ENTRIES_BATCHED,
    JSON,
    JSON_SECRETS,
    MEMORY_BUDGET,
    REDACTED,
    Message,
)
from mock_amazon.spec import answers_may_hold_key
from mock_amazon.store import Store
from model.clock import VirtualClock
from model.workflows.protocol import Request
from tests.conftest import login
from tests.mock.flex import INV, LOCATION, set_up, update
from tests.support import HAR_SCHEMA, FakeWall, seeded_amazon

ORDERS = "ordersV0"
REPORTS = "reports_2021-06-30"
FEEDS = "feeds_2021-06-30"


@pytest.fixture
def amazon() -> MockAmazon:
    """The shared fixture's mock, with a fake wall clock so latencies and wall times are known."""
    return seeded_amazon(wall=FakeWall())


def journal_text(http) -> str:
    """Everything the journal would show anyone, as one string."""
    entries = http.get("/_testbed/traffic?limit=100000").json["traffic"]
    full = [http.get(f"/_testbed/traffic/{e['id']}").json for e in entries]
    return json.dumps(full) + http.get("/_testbed/traffic.har").get_data(as_text=True)


def test_every_call_is_journalled_with_its_bodies(sp, http, amazon):
    answer = sp(ORDERS, "getOrders", query={"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2025-12-01T00:00:00Z"})
    listing = http.get("/_testbed/traffic").json
    assert listing["dropped"] == 0
    token_call, call = listing["traffic"][-2:]
    assert token_call["operation"] == "lwa.token" and token_call["status"] == 200
    assert token_call["seller_id"] == amazon.seller.seller_id and token_call["request_id"] is None
    assert call["operation"] == "getOrders" and call["method"] == "GET" and call["path"] == "/orders/v0/orders"
    assert call["query"] == "MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2025-12-01T00%3A00%3A00Z"
    assert call["status"] == 200 and call["seller_id"] == amazon.seller.seller_id and call["throttled"] is False
    assert call["request_id"] == answer.headers["x-amzn-RequestId"]
    assert call["time"] == amazon.clock.now().isoformat()
    assert call["latency_ms"] == 4.0 and call["wall_time"].startswith("2026-05-28T")
    assert "request" not in call, "the listing leaves bodies out"

    entry = http.get(f"/_testbed/traffic/{call['id']}").json
    assert entry["response"]["text"] and json.loads(entry["response"]["text"]) == answer.body
    assert entry["response"]["mime_type"] == "application/json" and entry["response"]["truncated"] is False
    assert dict(entry["response"]["headers"])["x-amzn-RequestId"] == call["request_id"]
    assert {name.lower(): value for name, value in entry["request"]["headers"]}["x-amz-access-token"] == REDACTED
    assert entry["request"]["text"] is None and entry["request"]["size"] == 0
    missing = http.get("/_testbed/traffic/999999")
    assert missing.status_code == 404 and missing.json["errors"][0]["code"] == "NotFound"


def test_filters_by_operation_status_seller_and_id(sp, http, amazon):
    other = amazon.create_seller()
    other_token = login(http, other)
    sp(ORDERS, "getOrders", query={"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2025-12-01T00:00:00Z"})
    sp(ORDERS, "getOrder", path={"orderId": "111-0000000-0000000"})
    http.get("/orders/v0/orders/111-0000000-0000000", headers={"x-amz-access-token": other_token})
    everything = http.get("/_testbed/traffic").json["traffic"]

    def ids(query: str) -> list[int]:
        answer = http.get(f"/_testbed/traffic?{query}")
        assert answer.status_code == 200, answer.json
        return [e["id"] for e in answer.json["traffic"]]

    assert ids("operation=getOrder") == [e["id"] for e in everything if e["operation"] == "getOrder"]
    assert ids("status=404") == [e["id"] for e in everything if e["status"] == 404] and len(ids("status=404")) == 2
    assert ids("status=2xx") == [e["id"] for e in everything if 200 <= e["status"] < 300]
    assert ids(f"seller_id={other.seller_id}") == [e["id"] for e in everything if e["seller_id"] == other.seller_id]
    assert ids(f"seller_id={other.seller_id}&operation=getOrder&status=404") == [everything[-1]["id"]]
    assert ids(f"since_id={everything[-3]['id']}") == [e["id"] for e in everything[-2:]]
    assert ids(f"since={everything[-3]['id']}") == ids(f"since_id={everything[-3]['id']}"), "the old name still works"
    assert ids("limit=2") == [e["id"] for e in everything[:2]]
    assert amazon.traffic(operation="getOrder", status=404) == [e for e in everything
                                                                 if e["operation"] == "getOrder" and e["status"] == 404]
    for query, named in [("since_id=-1", "since_id"), ("since=x", "since_id"), ("limit=0", "limit"),
                         ("limit=100001", "limit"), ("status=600", "status"), ("status=bad", "status")]:
        refused = http.get(f"/_testbed/traffic?{query}")
        assert refused.status_code == 400 and refused.json["errors"][0]["details"] == named, query
        assert refused.json["errors"][0]["code"] == "InvalidInput"
    assert http.get("/_testbed/traffic.har?limit=0").status_code == 400


def test_tokens_and_secrets_never_reach_the_journal(http, amazon):
    seller = amazon.seller
    token = login(http, seller)
    code = http.post(f"/_testbed/sellers/{seller.seller_id}/authorize").json["spapi_oauth_code"]
    by_code = http.post("/auth/o2/token", data={"grant_type": "authorization_code", "code": code,
                                                "client_id": seller.client_id, "client_secret": seller.client_secret})
    assert by_code.status_code == 200
    wrong = http.post("/auth/o2/token", data={"grant_type": "refresh_token", "client_id": seller.client_id,
                                              "client_secret": "wrong", "refresh_token": seller.refresh_token})
    assert wrong.status_code == 400
    http.get("/orders/v0/orders/111-0000000-0000000", headers={"x-amz-access-token": token,
                                                                "Authorization": "Bearer something-secret"})
    amazon.journal.record("createRestrictedDataToken", "POST", "/tokens/2021-03-01/restrictedDataToken", "", 200,
                          amazon.wall(), seller.seller_id, response=Message(
                              {}, {"restrictedDataToken": "Atz.sprdt|secret-rdt", "expiresIn": 3600}))
    text = journal_text(http)
    for secret in (token, by_code.json["access_token"], seller.client_secret, seller.refresh_token, code,
                   "something-secret", "Atz.sprdt|secret-rdt"):
        assert secret not in text
    tokens = [e for e in amazon.traffic() if e["operation"] == "lwa.token"]
    assert [e["status"] for e in tokens] == [200, 200, 400]
    first = amazon.journal.entry(tokens[0]["id"])
    assert f"client_id={seller.client_id}" in first["request"]["text"], "what is not secret stays readable"
    assert json.loads(first["response"]["text"]) == {"access_token": REDACTED, "token_type": "bearer",
                                                     "expires_in": 3600, "refresh_token": REDACTED}
    error = json.loads(amazon.journal.entry(tokens[2]["id"])["response"]["text"])
    assert error["error"] == "invalid_client"


def test_documents_are_journalled_and_bodies_capped(sp, http, amazon):
    document = sp(FEEDS, "createFeedDocument", body={"contentType": "text/plain; charset=UTF-8"}).body
    path = document["url"].removeprefix("http://mock.test")
    content = ("a" + "é" * 40_000).encode()  # two-byte characters after one: the cap falls inside one
    assert http.put(path, data=content, content_type="text/plain; charset=UTF-8").status_code == 200
    amazon.documents.create(amazon.seller.seller_id, "amzn1.spdoc.binary", b"report\tline\n" * 10, "text/plain",
                            gzip_it=True)
    assert http.get("/_documents/amzn1.spdoc.binary").status_code == 200
    assert http.get("/_documents/amzn1.spdoc.nothing").status_code == 404

    put, get, missing = amazon.traffic()[-3:]
    assert (put["operation"], put["method"], put["path"]) == ("document.put", "PUT", path.partition("?")[0])
    assert "X-Amz-Signature=%5Bredacted%5D" in put["query"], "an upload URL's signature is a secret"
    assert (get["operation"], get["status"], missing["status"]) == ("document.get", 200, 404)
    uploaded = amazon.journal.entry(put["id"])["request"]
    assert uploaded["size"] == len(content) and uploaded["truncated"] is True
    assert uploaded["text"] == "a" + "é" * (BODY_CAP // 2 - 1), "cut before the character the cap splits"
    downloaded = amazon.journal.entry(get["id"])["response"]
    assert downloaded["encoding"] == "base64" and downloaded["mime_type"] == "application/octet-stream"
    har = http.get("/_testbed/traffic.har").json["log"]["entries"]
    by_id = {entry["_id"]: entry for entry in har}
    assert by_id[get["id"]]["response"]["content"]["encoding"] == "base64"
    assert by_id[put["id"]]["request"]["postData"]["mimeType"] == "text/plain; charset=UTF-8"
    assert by_id[put["id"]]["request"]["bodySize"] == len(content)
    assert gzip.decompress(amazon.documents.download("amzn1.spdoc.binary")[0]).startswith(b"report")


def test_a_batch_refused_per_item_shows_each_result(sp, http, amazon):
    skus = set_up(amazon)
    answer = sp(INV, "batchInventory", body={"requests": [update(skus[0], 7, 2), update(skus[1], 3, 1)]})
    assert answer.status == 207
    entry = http.get("/_testbed/traffic?operation=batchInventory").json["traffic"][-1]
    assert entry["status"] == 207
    detail = http.get(f"/_testbed/traffic/{entry['id']}").json
    results = json.loads(detail["response"]["text"])["responses"]
    assert [r["status"]["statusCode"] for r in results] == [200, 400]
    assert results[1]["body"]["actionableErrors"][0]["errorType"] == "STALE_SEQUENCE_NUMBER"
    sent = json.loads(detail["request"]["text"])["requests"]
    assert sent[1]["body"]["clientSequenceNumber"] == 1 and f"locationId={LOCATION}" in sent[1]["uri"]


def test_a_bounded_journal_drops_the_oldest_and_counts_them():
    amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", wall=FakeWall(), journal_limit=5)
    seller = amazon.create_seller()
    client = create_app(amazon).test_client()
    token = login(client, seller)
    for n in range(7):
        client.get(f"/orders/v0/orders/111-0000000-{n:07d}", headers={"x-amz-access-token": token})
    answer = client.get("/_testbed/traffic").json
    assert [e["path"][-7:] for e in answer["traffic"]] == [f"{n:07d}" for n in range(2, 7)]
    assert answer["dropped"] == 3  # the token call and the first two reads
    assert [e["id"] for e in answer["traffic"]] == list(range(4, 9))
    client.post("/_testbed/reset")
    assert client.get("/_testbed/traffic").json == {"traffic": [], "dropped": 0}
    with pytest.raises(ValueError):
        MockAmazon(journal_limit=0)


def _store_bytes(store) -> int:
    pages, free, size = (store.execute(f"PRAGMA {name}").fetchone()[0]
                         for name in ("page_count", "freelist_count", "page_size"))
    return (pages - free) * size


def test_an_in_memory_store_stays_within_its_budget_by_dropping_the_oldest_entries(tmp_path):
    """memdb fails every write past 1 GiB: the journal gives up its oldest entries before the store gets there."""
    amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", wall=FakeWall())
    journal = amazon.journal
    assert journal.store_budget == MEMORY_BUDGET
    assert MockAmazon(store=Store(str(tmp_path / "mock.sqlite3"))).journal.store_budget is None  # a file grows
    journal.store_budget = _store_bytes(amazon.store) + 2 * 2 ** 20
    body = json.dumps({"payload": {"Orders": [{"AmazonOrderId": "x" * 8000}]}}).encode()
    for number in range(3000):  # 24 MB of answers
        journal.record("getOrders", "GET", "/orders/v0/orders", f"n={number}", 200, amazon.wall(),
                       response=Message({}, body, JSON))
    entry_bytes = len(body) * 1.2
    assert _store_bytes(amazon.store) <= journal.store_budget + BUDGET_CHECKED_EVERY * entry_bytes
    kept = amazon.traffic(limit=100_000)
    assert journal.dropped == 3000 - len(kept) > 2000
    assert [entry["query"] for entry in kept] == [f"n={n}" for n in range(3000 - len(kept), 3000)]


def test_answers_are_searched_for_secrets_only_where_their_model_allows_one():
    assert answers_may_hold_key("createRestrictedDataToken", JSON_SECRETS)  # declares restrictedDataToken
    assert answers_may_hold_key("getListingsItem", JSON_SECRETS)  # attributes: any keys
    assert answers_may_hold_key("lwa.token", JSON_SECRETS)  # no model's: searched
    assert not answers_may_hold_key("getOrders", JSON_SECRETS)
    assert not answers_may_hold_key("getInventorySummaries", JSON_SECRETS)


def test_bodies_read_back_as_sent_whatever_they_hold():
    """Texts are stored after the sides' JSON, not escaped into it: newlines, quotes, non-ASCII and binary bodies
    read back exactly, on both sides, in each side's order of keys."""
    amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", wall=FakeWall())
    request_text = 'line one\nline "two" \\ Zoë 🚚\n\n{"x": 1}'
    answer = {"payload": {"note": "a\nb", "name": "Ünal"}}
    amazon.journal.record("createFeed", "POST", "/feeds/2021-06-30/feeds", "", 202, amazon.wall(),
                          request=Message({"content-type": "text/plain"}, request_text, "text/plain"),
                          response=Message({"x-amzn-RequestId": "r"}, answer))
    amazon.journal.record("document.get", "GET", "/documents/d1", "", 200, amazon.wall(),
                          response=Message({}, gzip.compress(b"binary \xff\x00"), "application/gzip"))
    amazon.journal.record("getOrders", "GET", "/orders/v0/orders", "", 200, amazon.wall(),
                          request=Message({}, None), response=Message({}, None))
    first, binary, empty = (amazon.journal.entry(entry["id"]) for entry in amazon.traffic())
    assert first["request"] == {"headers": [["content-type", "text/plain"]], "mime_type": "text/plain",
                                "size": len(request_text.encode()), "text": request_text, "truncated": False}
    assert list(first["response"]) == ["headers", "mime_type", "size", "text", "truncated"]
    assert json.loads(first["response"]["text"]) == answer
    assert binary["request"] is None and binary["response"]["encoding"] == "base64"
    assert gzip.decompress(base64.b64decode(binary["response"]["text"])) == b"binary \xff\x00"
    assert empty["request"]["text"] is None and empty["response"]["text"] is None
    har = amazon.journal.har()["log"]["entries"]
    assert har[0]["request"]["postData"]["text"] == request_text
    assert json.loads(har[0]["response"]["content"]["text"]) == answer


def test_entries_stored_as_one_json_object_still_read(tmp_path):
    """A store file from before keeps each entry's sides as one JSON object, texts escaped inside it."""
    amazon = MockAmazon(store=Store(str(tmp_path / "mock.sqlite3")), clock=VirtualClock(), wall=FakeWall())
    before = {"request": {"headers": [["Host", "h"]], "mime_type": "application/json", "size": 8,
                          "text": '{"a": 1}', "truncated": False},
              "response": {"headers": [], "mime_type": "application/json", "size": 10, "text": '{"b":"x\ny"}',
                           "truncated": False}}
    amazon.store.execute("INSERT INTO traffic (time, operation, method, path, status, throttled, request_id, wall, "
                         "query, latency, detail) VALUES (0, 'getOrders', 'GET', '/orders/v0/orders', 200, 0, 'r', 0, "
                         "'', 0, ?)", (json.dumps(before),))
    entry_id = amazon.traffic()[0]["id"]
    assert {key: amazon.journal.entry(entry_id)[key] for key in ("request", "response")} == before
    assert amazon.journal.har()["log"]["entries"][0]["response"]["content"]["text"] == '{"b":"x\ny"}'


def test_rows_waiting_for_the_table_are_seen_by_every_reader(tmp_path):
    """An in-memory store with bodies takes the journal's rows in batches: every read sees each entry at once, with
    IDs in order; a store in a file holds each entry as soon as it is recorded (a restart finds it), and so does a
    store with bodies off (the simulator's reports count the table's rows)."""
    def record(journal, number):
        journal.record("getOrders", "GET", "/orders/v0/orders", f"n={number}", 200, 0.0, "S1",
                       response=Message({}, {"payload": {"n": number}}))

    batched = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", wall=FakeWall())
    for number in range(ENTRIES_BATCHED + 5):
        record(batched.journal, number)
        newest = batched.traffic(since_id=batched.journal.last_id() - 1)
        assert [entry["query"] for entry in newest] == [f"n={number}"]
    assert [entry["id"] for entry in batched.traffic()] == list(range(1, ENTRIES_BATCHED + 6))
    assert json.loads(batched.journal.entry(ENTRIES_BATCHED + 5)["response"]["text"]) == {"payload": {"n": 36}}
    record(batched.journal, 99)
    assert [row for row in batched.store.execute("SELECT query FROM traffic WHERE query = 'n=99'")] == []  # waiting
    assert batched.journal.touching("n=99", "S1")["entries"][0]["query"] == "n=99"

    path = tmp_path / "mock.sqlite3"
    in_a_file = MockAmazon(store=Store(str(path)), clock=VirtualClock(), wall=FakeWall())
    bodies_off = MockAmazon(clock=VirtualClock(), wall=FakeWall(), journal_bodies=False)
    for amazon in (in_a_file, bodies_off):
        record(amazon.journal, 1)
    assert sqlite3.connect(path).execute("SELECT query FROM traffic").fetchall() == [("n=1",)]
    assert bodies_off.store.execute("SELECT query FROM traffic").fetchall() == [("n=1",)]


def test_bodies_can_be_switched_off():
    amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", wall=FakeWall(), journal_bodies=False)
    seller = amazon.create_seller()
    client = create_app(amazon).test_client()
    client.get("/orders/v0/orders/111-0000000-0000000", headers={"x-amz-access-token": login(client, seller)})
    entry = client.get("/_testbed/traffic").json["traffic"][-1]
    assert entry["operation"] == "getOrder" and entry["status"] == 404 and entry["latency_ms"] == 4.0
    detail = client.get(f"/_testbed/traffic/{entry['id']}").json
    assert detail["request"] is None and detail["response"] is None
    har = client.get("/_testbed/traffic.har").json
    jsonschema.Draft7Validator(HAR_SCHEMA).validate(har)
    assert har["log"]["entries"][-1]["comment"] == "bodies were not recorded"


def test_the_in_process_client_is_journalled_too():
    amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", wall=FakeWall())
    seller = amazon.create_seller()
    send = InProcess(amazon)
    answer = send(Request("lwa.token", body={"grant_type": "refresh_token", "client_id": seller.client_id,
                                             "client_secret": seller.client_secret,
                                             "refresh_token": seller.refresh_token}))
    assert answer.status == 200
    assert send(Request("document.get", url="http://mock.test/_documents/none")).status == 404
    assert [(e["operation"], e["status"]) for e in amazon.traffic()] == [("lwa.token", 200), ("document.get", 404)]
    assert REDACTED in amazon.journal.entry(amazon.traffic()[0]["id"])["request"]["text"]


def test_a_store_file_from_before_gains_the_journal_columns(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE traffic (id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, seller_id TEXT, "
                "operation TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL, "
                "throttled INTEGER NOT NULL, fault TEXT, request_id TEXT NOT NULL)")
    old.execute("INSERT INTO traffic (time, operation, method, path, status, throttled, request_id) "
                "VALUES (1767571200, 'getOrders', 'GET', '/orders/v0/orders', 200, 0, 'r-1')")
    old.commit()
    old.close()
    amazon = MockAmazon(store=Store(str(path)), clock=VirtualClock(), wall=FakeWall())
    amazon.journal.record("getOrder", "GET", "/orders/v0/orders/1", "", 404, amazon.wall())
    before, after = amazon.traffic()
    assert before["request_id"] == "r-1" and before["wall_time"] is None and before["latency_ms"] is None
    assert after["operation"] == "getOrder" and amazon.journal.entry(after["id"])["response"] is None


def test_the_journal_exports_as_har_1_2(sp, http, amazon):
    skus = set_up(amazon)
    sp(ORDERS, "getOrders", query={"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2025-12-01T00:00:00Z"})
    sp(INV, "batchInventory", body={"requests": [update(skus[0], 7, 2), update(skus[1], 3, 1)]})
    sp(ORDERS, "getOrder", path={"orderId": "111-0000000-0000000"})
    exported = http.get("/_testbed/traffic.har")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    assert "traffic.har" in exported.headers["Content-Disposition"]
    har = exported.json
    jsonschema.Draft7Validator(HAR_SCHEMA).validate(har)
    entries = har["log"]["entries"]
    assert [e["_id"] for e in entries] == [e["id"] for e in amazon.traffic()], "each entry names its journal ID"
    for entry in entries:
        timings = entry["timings"]
        assert entry["time"] == timings["send"] + timings["wait"] + timings["receive"]
    orders, batch, missing = entries[-3:]
    assert orders["request"]["url"] == ("http://mock.test/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER"
                                        "&CreatedAfter=2025-12-01T00%3A00%3A00Z")
    assert {"name": "CreatedAfter", "value": "2025-12-01T00:00:00Z"} in orders["request"]["queryString"]
    assert orders["_operation"] == "getOrders" and orders["_simulatedTime"] == amazon.clock.now().isoformat()
    assert batch["response"]["status"] == 207 and batch["response"]["statusText"] == "Multi-Status"
    assert "STALE_SEQUENCE_NUMBER" in batch["response"]["content"]["text"]
    assert batch["request"]["postData"]["mimeType"] == "application/json"
    assert missing["response"]["status"] == 404 and missing["response"]["content"]["mimeType"] == "application/json"
    only = http.get(f"/_testbed/traffic.har?operation=batchInventory&since_id={batch['_id'] - 1}").json
    assert [e["_id"] for e in only["log"]["entries"]] == [batch["_id"]]
