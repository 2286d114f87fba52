"""The live world end to end, as real processes over loopback: `python -m mock_amazon --scenario live-demo
--clock-scale 600 --reference-integration` (the mock and the world in one process, the reference connector in
another). These tests run in real time (about 30 seconds of wall time, five simulated hours) and say so."""
from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta

import jsonschema
import pytest
import requests

from tests.support import HAR_SCHEMA, Server

pytestmark = pytest.mark.live
SCALE = 600
WALL_SECONDS = 30
# Time an order may take at most in live-demo before it must have reached its end: the poll interval, the
# warehouse's pick and pack (1 hour, up to 1.5), and slack for the connector's own pace.
MFN_DUE = timedelta(minutes=15 + 90 + 30)
FLEX_DUE = timedelta(minutes=5 + 90 + 30)
WEBSTORE_DUE = timedelta(minutes=30)


@pytest.fixture(scope="module")
def world():
    server = Server("--scenario", "live-demo", "--clock-scale", str(SCALE), "--reference-integration")
    try:
        # At 600x the reference connector polls on the world's clock, 600 times as often in real seconds as
        # Amazon's real quotas allow; this run judges correctness, so the quotas are lifted (benchmarks/
        # live_world.py finds the scale at which the connector keeps up under them).
        assert server.control("PUT", "/rate-limits", {"lifted": True})[0] == 200
        time.sleep(WALL_SECONDS)  # the world runs in real time: this is the run being judged
        yield server
    finally:
        server.stop()


def amazon_get(server: Server, path: str, params: dict | None = None) -> dict:
    """A call as the seller makes it (the test reads Amazon's records through Amazon's API)."""
    seller = server.info["sellers"][0]
    token = requests.post(f"{server.base_url}/auth/o2/token", timeout=30, data={
        "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret", "refresh_token")}})
    answer = requests.get(f"{server.base_url}{path}", params=params, timeout=30,
                          headers={"x-amz-access-token": token.json()["access_token"]})
    assert answer.status_code == 200, answer.text
    return answer.json()


def world_now(server: Server) -> datetime:
    return datetime.fromisoformat(requests.get(f"{server.base_url}/_world/clock", timeout=10).json()["now"])


def test_every_due_amazon_order_shipped_none_twice(world):
    now = world_now(world)
    orders, token = [], None
    while True:
        params = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": (now - timedelta(days=2)).isoformat(),
                  "FulfillmentChannels": "MFN", **({"NextToken": token} if token else {})}
        payload = amazon_get(world, "/orders/v0/orders", params)["payload"]
        orders += payload["Orders"]
        token = payload.get("NextToken")
        if not token:
            break
    assert orders, "the world placed merchant-fulfilled orders"
    due = [o for o in orders if datetime.fromisoformat(o["PurchaseDate"].replace("Z", "+00:00")) < now - MFN_DUE]
    assert due, "some orders are old enough to judge"
    late = [o["AmazonOrderId"] for o in due if o["OrderStatus"] not in ("Shipped", "Canceled")]
    assert late == []
    assert len({o["AmazonOrderId"] for o in orders}) == len(orders)


def test_every_due_seller_flex_shipment_handed_over(world):
    now = world_now(world)
    catalog = requests.get(f"{world.base_url}/_world/catalog", timeout=10).json()
    shipments = amazon_get(world, "/externalFulfillment/2024-09-11/shipments",
                           {"locationId": catalog["location"], "status": "SHIPPED",
                            "lastUpdatedAfter": (now - timedelta(days=2)).isoformat(),
                            "maxResults": 100})["shipments"]
    open_ones = []
    for status in ("ACCEPTED", "CONFIRMED", "PACKAGE_CREATED", "INVOICE_GENERATED", "SHIPLABEL_GENERATED"):
        open_ones += amazon_get(world, "/externalFulfillment/2024-09-11/shipments",
                                {"locationId": catalog["location"], "status": status,
                                 "lastUpdatedAfter": (now - timedelta(days=2)).isoformat(),
                                 "maxResults": 100})["shipments"]
    assert shipments, "the connector shipped seller-flex orders"
    stuck = [s["id"] for s in open_ones
             if datetime.fromisoformat(s["creationDateTime"].replace("Z", "+00:00")) < now - FLEX_DUE]
    assert stuck == []


def test_every_due_webstore_order_became_exactly_one_fulfillment_order(world):
    now = world_now(world)
    webstore = requests.get(f"{world.base_url}/_world/webstore/orders", params={"limit": 1000},
                            timeout=10).json()["orders"]
    assert webstore, "customers ordered on the webstore"
    start = (now - timedelta(days=2)).isoformat()
    fulfillment = amazon_get(world, "/fba/outbound/2020-07-01/fulfillmentOrders",
                             {"queryStartDate": start})["payload"]["fulfillmentOrders"]
    per_order = Counter(f["displayableOrderId"] for f in fulfillment)
    assert all(count == 1 for count in per_order.values()), per_order
    due = [o for o in webstore if datetime.fromisoformat(o["created"].replace("Z", "+00:00")) < now - WEBSTORE_DUE]
    assert due, "some webstore orders are old enough to judge"
    # the order number the customer knows (the shop's) is the fulfillment order's displayable ID
    assert [o["id"] for o in due if o["id"] not in per_order] == []


def test_the_journal_exports_the_run_as_har(world):
    """The connector's calls, with bodies, in the format browsers and HAR viewers open."""
    har = requests.get(f"{world.base_url}/_testbed/traffic.har", params={"limit": 500}, timeout=30).json()
    jsonschema.Draft7Validator(HAR_SCHEMA).validate(har)
    entries = har["log"]["entries"]
    assert {e["request"]["url"].split("?")[0].rsplit("/", 1)[-1] for e in entries} >= {"orders", "token"}
    assert all(isinstance(e["_id"], int) for e in entries)
    assert any(e["response"]["content"].get("text") for e in entries), "bodies are kept in the live world"


def test_the_reference_connector_reads_its_notifications_from_the_queue(world):
    """It subscribed ORDER_CHANGE to a queue of the mock's SQS, and nothing is left unread there."""
    subscribed = requests.get(f"{world.base_url}/_testbed/traffic", params={"operation": "createSubscription"},
                              timeout=10).json()["traffic"]
    assert [entry["status"] for entry in subscribed] == [200]
    left = requests.get(f"{world.base_url}/_testbed/notifications", params={"consume": "false", "limit": 1000},
                        timeout=10).json()["notifications"]
    changes = [n for n in left if n.get("NotificationType") == "ORDER_CHANGE"]
    assert any(n.get("NotificationType") for n in left) or not left, left[:1]
    assert len(changes) <= 3, f"the connector deletes what it has handled, {len(changes)} left"
