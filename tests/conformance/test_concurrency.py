"""Races, on a real server over loopback with many client threads (real time, a few seconds each): operations are
atomic with respect to each other, control routes included; IDs are unique; every acknowledged write survives.

Before the store held its lock for every statement, a control-API write could land inside an API call's open
transaction and be rolled back with it (24 of 600 acknowledged locations lost), and a report's ID counter could be
rolled back after the ID was handed out (54 of 400 createReport calls got an ID already given)."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support import Server

R = "reports_2021-06-30"
REPORT_TYPES = ("GET_MERCHANT_LISTINGS_ALL_DATA", "GET_AFN_INVENTORY_DATA")


@pytest.fixture(scope="module")
def server():
    running = Server("--sellers", "1", "--threads", "8")
    status, _ = running.control("PUT", "/rate-limits", {"lifted": True})
    assert status == 200
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(server) -> str:
    seller = server.info["sellers"][0]
    answer = requests.post(f"{server.base_url}/auth/o2/token", data={
        "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret", "refresh_token")}},
        timeout=10)
    return answer.json()["access_token"]


def in_threads(calls, threads: int = 16) -> list:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_concurrent_create_report_gives_unique_ids_and_loses_none(server, token):
    session = requests.Session()
    headers = {"x-amz-access-token": token}

    def create(number: int):
        def call() -> tuple[int, dict, str]:
            report_type = REPORT_TYPES[number % 2]
            answer = session.post(f"{server.base_url}/reports/2021-06-30/reports", headers=headers, timeout=30,
                                  json={"reportType": report_type, "marketplaceIds": ["ATVPDKIKX0DER"]})
            return answer.status_code, answer.json(), report_type
        return call

    def failing_cancel():  # an operation that rolls back, racing the ones that commit
        answer = session.delete(f"{server.base_url}/reports/2021-06-30/reports/999999", headers=headers, timeout=30)
        return answer.status_code, answer.json(), None

    def failing_control_write():  # a control route whose transaction rolls back
        answer = session.post(f"{server.base_url}/_testbed/external-fulfillment/returns/NO-SUCH-RETURN/cancel",
                              json={"seller_id": server.info["sellers"][0]["seller_id"]}, timeout=30,
                              headers=server.headers())
        return answer.status_code, answer.json(), None

    creates, failures = [create(n) for n in range(400)], [failing_cancel, failing_control_write] * 200
    results = in_threads([call for pair in zip(creates, failures) for call in pair])
    created = [(body["reportId"], report_type) for status, body, report_type in results if report_type]
    assert [status for status, _, kind in results if kind] == [202] * 400
    ids = [report_id for report_id, _ in created]
    assert len(set(ids)) == len(ids) == 400, f"{len(ids) - len(set(ids))} duplicated IDs"

    server.control("POST", "/clock/advance", {"seconds": 300})
    lost = []
    for report_id, report_type in created:
        answer = session.get(f"{server.base_url}/reports/2021-06-30/reports/{report_id}", headers=headers, timeout=30)
        if answer.status_code != 200 or answer.json()["reportType"] != report_type or \
                answer.json()["processingStatus"] != "DONE":
            lost.append((report_id, answer.status_code, answer.text[:100]))
    assert lost == [], f"{len(lost)} acknowledged reports lost or unfinished"


def test_control_api_writes_racing_api_transactions_all_survive(server, token):
    seller = server.info["sellers"][0]["seller_id"]
    session = requests.Session()
    headers = {"x-amz-access-token": token}
    base = server.base_url

    def add_location(number: int):
        def call() -> tuple[str, int]:
            answer = session.post(f"{base}/_testbed/external-fulfillment/locations", timeout=30,
                                  headers=server.headers(),
                                  json={"seller_id": seller, "location_id": f"RACE{number:04d}"})
            return f"RACE{number:04d}", answer.status_code
        return call

    def rolled_back_transaction():  # updates that fail inside their transaction
        answer = session.put(f"{base}/fba/outbound/2020-07-01/fulfillmentOrders/NO-SUCH-ORDER", headers=headers,
                             json={"displayableOrderComment": "x"}, timeout=30)
        return "", answer.status_code

    def committed_transaction():
        answer = session.post(f"{base}/reports/2021-06-30/reports", headers=headers, timeout=30,
                              json={"reportType": REPORT_TYPES[0], "marketplaceIds": ["ATVPDKIKX0DER"]})
        return "", answer.status_code

    calls = []
    for number in range(600):
        calls += [add_location(number), rolled_back_transaction if number % 2 else committed_transaction]
    results = in_threads(calls)
    acknowledged = [location for location, status in results if location and status == 201]
    assert len(acknowledged) == 600
    assert {status for location, status in results if not location} <= {202, 404}

    sku = "RACE-SKU"
    assert server.control("PUT", "/external-fulfillment/listings", {
        "seller_id": seller, "merchant_sku": sku, "client_sku": "C-RACE",
        "dimensions": {"length": 10, "width": 10, "height": 10, "weight": 1}})[0] == 200
    missing = []
    for start in range(0, 600, 10):
        batch = [{"uri": f"/inventory/fetch?locationId={location}&skuId={sku}", "method": "POST", "body": {}}
                 for location in acknowledged[start:start + 10]]
        answer = session.post(f"{base}/externalFulfillment/inventory/2024-09-11/inventories", headers=headers,
                              json={"requests": batch}, timeout=30)
        missing += [r["body"]["locationId"] for r in answer.json()["responses"] if r["status"]["statusCode"] != 200]
    assert missing == [], f"{len(missing)} acknowledged locations lost"
