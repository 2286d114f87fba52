"""The judge against a real `python -m mock_amazon`, over HTTP as it always works: a connector's faults are
played through Amazon's API and the control API (the clock jumped, never waited for), and each check names the
orders and journal entries behind its verdict. Exit codes and the JUnit file are checked as CI reads them."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest
import requests
from junitparser import Failure, JUnitXml, Skipped

from mock_amazon.launcher import Server


@pytest.fixture(scope="module")
def server():
    started = Server("--sellers", "1", "--empty", "--seed", "5")
    yield started
    started.stop()


@pytest.fixture
def seller(server: Server) -> dict[str, Any]:
    """A fresh seller with a catalog, and Amazon's usage plans as they are."""
    assert server.control("POST", "/reset")[0] == 200
    status, made = server.control("POST", "/sellers")
    assert status == 201
    seeded = server.control("POST", "/seed", {"seller_id": made["seller_id"], "skus": 6, "orders": 0, "seed": 2})[1]
    made["mfn_skus"] = [sku for sku in seeded["skus"] if sku not in seeded["fba_skus"]]
    return made


def token(server: Server, seller: dict[str, Any]) -> str:
    answer = requests.post(f"{server.base_url}/auth/o2/token", timeout=10, data={
        "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret", "refresh_token")}})
    access: str = answer.json()["access_token"]
    return access


def place(server: Server, seller: dict[str, Any]) -> str:
    status, order = server.control("POST", "/orders", {"seller_id": seller["seller_id"], "channel": "MFN",
                                                       "lines": [{"sku": seller["mfn_skus"][0], "quantity": 1}]})
    assert status == 201
    order_id: str = order["order_id"]
    return order_id


def confirm(server: Server, access: str, order_id: str, tracking: str) -> int:
    items = requests.get(f"{server.base_url}/orders/v0/orders/{order_id}/orderItems", timeout=10,
                         headers={"x-amz-access-token": access}).json()["payload"]["OrderItems"]
    answer = requests.post(f"{server.base_url}/orders/v0/orders/{order_id}/shipmentConfirmation", timeout=10,
                           headers={"x-amz-access-token": access}, json={
                               "marketplaceId": "ATVPDKIKX0DER", "packageDetail": {
                                   "packageReferenceId": tracking[-4:], "carrierCode": "UPS",
                                   "trackingNumber": tracking, "shipDate": "2026-01-01T00:00:00Z",
                                   "orderItems": [{"orderItemId": i["OrderItemId"], "quantity": i["QuantityOrdered"]}
                                                  for i in items]}})
    return answer.status_code


def judge(server: Server, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run([sys.executable, "-m", "judge", "--url", server.base_url, "--json",
                           str(tmp_path / "verdict.json"), "--junit", str(tmp_path / "verdict.xml"), *extra],
                          capture_output=True, text=True, timeout=120)
    verdict = json.loads((tmp_path / "verdict.json").read_text()) if (tmp_path / "verdict.json").exists() else {}
    return done.returncode, {c["id"]: c for c in verdict.get("checks", [])}, done.stdout + done.stderr


def test_an_order_shipped_late_and_one_shipped_twice_fail_naming_them(server, seller, tmp_path):
    access = token(server, seller)
    on_time, late, twice = place(server, seller), place(server, seller), place(server, seller)
    server.control("POST", "/clock/advance", {"seconds": 300})           # verified: Unshipped
    assert confirm(server, access, on_time, "1Z0000000000000001") == 204
    assert confirm(server, access, twice, "1Z0000000000000002") == 204
    confirm(server, access, twice, "1Z0000000000000003")                   # the same item, other tracking
    server.control("POST", "/clock/advance", {"seconds": 3 * 86_400})    # past every LatestShipDate
    code, checks, output = judge(server, tmp_path)
    assert code == 1, output
    shipped = checks["orders.shipped_on_time"]
    assert shipped["result"] == "failed" and shipped["evidence"]["orders"] == [late]
    assert shipped["figures"]["on_time"] == 2 and shipped["figures"]["never_shipped"] == 1
    double = checks["orders.no_double_shipment"]
    assert double["result"] == "failed" and double["evidence"]["orders"] == [twice]
    assert len(double["evidence"]["journal"]) == 2, "both confirmations of it, by journal entry"
    assert checks["mcf.exactly_once"]["result"] == "not judged", "no live world: no webstore orders"
    suite = ElementTree.parse(tmp_path / "verdict.xml").getroot().find("testsuite")
    assert suite is not None and len(suite.findall("testcase")) == len(checks) == 9
    assert int(suite.get("failures", "0")) == sum(c["result"] == "failed" for c in checks.values())
    assert int(suite.get("skipped", "0")) == len(suite.findall("testcase/skipped"))
    # read back as CI tools read JUnit XML: every check a testcase whose result matches the verdict
    expected = {"failed": Failure, "not judged": Skipped, "passed": None}
    for case in next(iter(JUnitXml.fromfile(str(tmp_path / "verdict.xml")))):
        kinds = [type(result) for result in case.result]
        assert kinds == ([expected[checks[case.name]["result"]]] if expected[checks[case.name]["result"]] else [])
    assert "orders.shipped_on_time" in output and late in output


def test_calling_again_at_once_after_a_429_fails_the_backoff_check(server, seller, tmp_path):
    server.control("PUT", "/rate-limits", {"limits": {"getOrders": {"rate": 0.5, "burst": 1}}})
    access = token(server, seller)
    statuses = [requests.get(f"{server.base_url}/orders/v0/orders", timeout=10, headers={
        "x-amz-access-token": access}, params={"MarketplaceIds": "ATVPDKIKX0DER",
                                               "CreatedAfter": "2026-01-01T00:00:00Z"}).status_code
                for _ in range(3)]
    assert statuses == [200, 429, 429]
    code, checks, _ = judge(server, tmp_path)
    backoff = checks["rate_limits.backoff"]
    assert code == 1 and backoff["result"] == "failed"
    assert backoff["figures"]["throttled"] == 2 and backoff["figures"]["called_again_too_soon"] == 1
    journal = requests.get(f"{server.base_url}/_testbed/traffic", params={"operation": "getOrders"},
                           timeout=10).json()["traffic"]
    assert backoff["evidence"]["journal"] == [journal[2]["id"]], "the call made too soon"


def test_a_token_per_call_fails_token_reuse(server, seller, tmp_path):
    for _ in range(12):
        requests.get(f"{server.base_url}/orders/v0/orders", timeout=10, headers={
            "x-amz-access-token": token(server, seller)}, params={"MarketplaceIds": "ATVPDKIKX0DER",
                                                                  "CreatedAfter": "2026-01-01T00:00:00Z"})
    code, checks, _ = judge(server, tmp_path)
    reuse = checks["auth.token_reuse"]
    assert code == 1 and reuse["result"] == "failed" and reuse["figures"]["share_after_exchange"] == 1.0


def test_a_careful_connector_passes_and_the_mock_serves_the_same_verdict(server, seller, tmp_path):
    access = token(server, seller)
    order = place(server, seller)
    server.control("POST", "/clock/advance", {"seconds": 300})
    assert confirm(server, access, order, "1Z0000000000000009") == 204
    code, checks, output = judge(server, tmp_path)
    assert code == 0, output
    assert {c["result"] for c in checks.values()} <= {"passed", "not judged"}
    served = requests.get(f"{server.base_url}/_testbed/verdict", timeout=60).json()
    assert {c["id"]: c["result"] for c in served["checks"]} == {k: c["result"] for k, c in checks.items()}


def test_nothing_to_judge_is_exit_2(server, tmp_path):
    assert server.control("POST", "/reset")[0] == 200
    code, _, output = judge(server, tmp_path)
    assert code == 2 and "no seller" in output
    unreachable = subprocess.run([sys.executable, "-m", "judge", "--url", "http://127.0.0.1:9"],
                                 capture_output=True, text=True, timeout=60)
    assert unreachable.returncode == 2 and "cannot be reached" in unreachable.stderr
    bad = subprocess.run([sys.executable, "-m", "judge"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
