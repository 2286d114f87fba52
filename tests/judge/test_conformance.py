"""Both example connectors, each its own process over real HTTP, in a live `conformance` world judged from
Amazon's side: the reference connector passes every check; the careless one fails its four, each naming the
order, SKU or journal entry behind it. Runs in real time: about a minute each (tests/judge/conftest.py)."""
from __future__ import annotations

import json
import sys

import pytest

from tests.judge.conftest import EXAMPLES, REFERENCE_CMD, judged

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def reference(judged_runs, tmp_path_factory):
    return judged(REFERENCE_CMD, judged_runs, tmp_path_factory.mktemp("reference"))


@pytest.fixture(scope="module")
def careless(judged_runs, tmp_path_factory):
    return judged(f"{sys.executable} {EXAMPLES / 'careless.py'}", judged_runs, tmp_path_factory.mktemp("careless"))


def test_the_reference_connector_passes_every_check(reference):
    code, checks, _ = reference
    assert {check: c["result"] for check, c in checks.items() if c["result"] == "failed"} == {}
    assert code == 0
    judged_checks = [c for c in checks.values() if c["result"] == "passed"]
    assert len(judged_checks) >= 7, "the scenario gives nearly every check something to judge"


def test_careless_calls_again_at_once_after_a_429(careless):
    code, checks, har = careless
    check = checks["rate_limits.backoff"]
    assert code == 1 and check["result"] == "failed" and check["evidence"]["journal"]
    by_id = {entry["_id"]: entry for entry in har}
    for entry_id in check["evidence"]["journal"][:5]:
        operation = by_id[entry_id]["_operation"]
        before = [e for e in har if e["_operation"] == operation and e["_id"] < entry_id][-1]
        assert before["response"]["status"] == 429, "the call came right after a throttled one"


def test_careless_creates_the_timed_out_fulfillment_order_again(careless):
    _, checks, har = careless
    check = checks["mcf.exactly_once"]
    timed_out = [e for e in har if e["_fault"] == "createFulfillmentOrder:timeout after processing"]
    assert len(timed_out) == 1
    shop_order = json.loads(timed_out[0]["request"]["postData"]["text"])["displayableOrderId"]
    assert check["result"] == "failed" and check["figures"]["duplicated"] >= 1
    assert shop_order in check["evidence"]["orders"]


def test_careless_leaves_one_order_unshipped_past_its_latest_ship_date(careless):
    _, checks, har = careless
    check = checks["orders.shipped_on_time"]
    assert check["result"] == "failed" and check["figures"]["never_shipped"] >= 1
    confirmed = {e["request"]["url"].split("/")[-2] for e in har if e["_operation"] == "confirmShipment"}
    # the one it forgot was never even confirmed (its hammering after 429s makes others late as well)
    assert [order for order in check["evidence"]["orders"] if order not in confirmed]


def test_careless_resends_a_stale_sequence_number(careless):
    _, checks, har = careless
    check = checks["inventory.sequence"]
    assert check["result"] == "failed" and check["figures"]["stale"] >= 1 and check["evidence"]["skus"]
    by_id = {entry["_id"]: entry for entry in har}
    for entry_id in check["evidence"]["journal"]:
        answer = json.loads(by_id[entry_id]["response"]["content"]["text"])["responses"][0]
        assert answer["body"]["actionableErrors"][0]["errorType"] == "STALE_SEQUENCE_NUMBER"
