"""A property-based fuzz: Schemathesis (on hypothesis) sends every operation the mock serves, from Amazon's own
models in ../shared/sp-api-models/, valid and invalid requests over real HTTP to a real `python -m mock_amazon`,
and asserts that none is answered with a 5xx, that every answer meets the model (Schemathesis' check and the
mock's own, spec.answer_problem), and that every request breaking the model is refused (4xx).

Bounded: EXAMPLES examples per operation and mode (positive, negative), derandomized, no example database, so a run
is the same run every time. It runs in real time (about three minutes on two cores; $FUZZ_EXAMPLES sets the
bound); `pytest -m fuzz` runs it (.ci/run does, after the suite), plain `pytest` leaves it out. Authentication is
an auth hook: every request carries the seller's access token, and the two operations that answer only to a
restricted data token carry one.
"""
from __future__ import annotations

import collections
import json
import os
import zlib
from dataclasses import dataclass

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, response_schema_conformance

from mock_amazon.apis.feeds.processors import PROCESSORS
from mock_amazon.apis.reports.generators import GENERATORS
from mock_amazon.apis.tokens.backend import RESTRICTED
from mock_amazon.app import ROUTES
from mock_amazon.spec import answer_problem, load_model, operation
from tests.support import Server

pytestmark = pytest.mark.fuzz
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
SERVED = sorted(ROUTES)  # "model.operationId" of every operation the mock serves
COUNTS: dict[str, collections.Counter] = {}
MARKETPLACE = "ATVPDKIKX0DER"


def render_counts() -> str:
    """The per-operation table: requests sent, answers by status class, 5xx, answers breaking the model."""
    lines = [f"{'operation':<66} {'sent':>5} {'2xx':>5} {'4xx':>5} {'5xx':>5} {'invalid':>7}"]
    for key in sorted(COUNTS):
        c = COUNTS[key]
        lines.append(f"{key:<66} {c['sent']:>5} {c['2xx']:>5} {c['4xx']:>5} {c['5xx']:>5} {c['invalid']:>7}")
    total = sum(COUNTS.values(), collections.Counter())
    lines.append(f"{'all ' + str(len(COUNTS)) + ' operations':<66} {total['sent']:>5} {total['2xx']:>5} "
                 f"{total['4xx']:>5} {total['5xx']:>5} {total['invalid']:>7}")
    return "\n".join(lines)


@dataclass
class Mock:
    """The server under the fuzz, the seller's tokens, and IDs that exist (for the examples that use them)."""
    server: Server
    access: str
    restricted: dict[str, str]           # model.operationId -> the RDT it answers to
    known: dict[str, list[str]]          # parameter name -> values naming something the seller has


@pytest.fixture(scope="module")
def mock():
    """A real server over loopback, its limits lifted (the fuzz would be throttled), one seeded seller with a
    finished report and a seller-flex order besides its orders and listings."""
    server = Server("--sellers", "1", "--threads", "4")
    assert server.control("PUT", "/rate-limits", {"lifted": True})[0] == 200
    seller = server.info["sellers"][0]
    base, seller_id = server.base_url, seller["seller_id"]
    access = requests.post(f"{base}/auth/o2/token", timeout=10, data={
        "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret", "refresh_token")}}
    ).json()["access_token"]
    headers = {"x-amz-access-token": access}
    restricted = {}
    for key, data_elements in RESTRICTED.items():
        if data_elements == ():  # answers only to a restricted data token: one for any order
            op = operation(*key.split(".", 1))
            answer = requests.post(f"{base}/tokens/2021-03-01/restrictedDataToken", headers=headers, timeout=10,
                                   json={"restrictedResources": [{"method": op.method, "path": op.path}]})
            restricted[key] = answer.json()["restrictedDataToken"]
    orders = requests.get(f"{base}/orders/v0/orders", headers=headers, timeout=10, params={
        "MarketplaceIds": MARKETPLACE, "CreatedAfter": "2020-01-01T00:00:00Z"}).json()["payload"]["Orders"]
    skus = [item["sku"] for item in requests.get(f"{base}/listings/2021-08-01/items/{seller_id}", headers=headers,
                                                  params={"marketplaceIds": MARKETPLACE, "pageSize": 20},
                                                  timeout=10).json()["items"]]
    report = requests.post(f"{base}/reports/2021-06-30/reports", headers=headers, timeout=10, json={
        "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [MARKETPLACE]}).json()["reportId"]
    server.control("POST", "/external-fulfillment/locations", {"seller_id": seller_id, "location_id": "FUZZ1"})
    server.control("PUT", "/external-fulfillment/listings", {
        "seller_id": seller_id, "merchant_sku": "FUZZ-SKU", "client_sku": "C-FUZZ",
        "dimensions": {"length": 10, "width": 10, "height": 10, "weight": 1}})
    requests.post(f"{base}/externalFulfillment/inventory/2024-09-11/inventories", headers=headers, timeout=10, json={
        "requests": [{"uri": "/inventory/update?locationId=FUZZ1&skuId=FUZZ-SKU", "method": "POST",
                      "body": {"quantity": 50, "clientSequenceNumber": 1}}]})
    shipment = server.control("POST", "/external-fulfillment/shipments", {
        "seller_id": seller_id, "location_id": "FUZZ1", "lines": [{"sku": "FUZZ-SKU", "units": 1}]})[1]
    server.control("POST", "/clock/advance", {"seconds": 600})  # the report done, the orders and shipment accepted
    document = requests.get(f"{base}/reports/2021-06-30/reports/{report}", headers=headers,
                            timeout=10).json()["reportDocumentId"]
    known = {"orderId": [o["AmazonOrderId"] for o in orders], "sellerId": [seller_id], "sku": skus,
             "reportId": [report], "reportDocumentId": [document], "shipmentId": [shipment["shipment_id"]],
             "locationId": ["FUZZ1"], "marketplaceId": [MARKETPLACE], "granularityId": [MARKETPLACE],
             "MarketplaceIds": [MARKETPLACE], "marketplaceIds": [MARKETPLACE], "sellerSku": skus,
             "reportType": list(GENERATORS), "feedType": list(PROCESSORS), "reportTypes": list(GENERATORS)}
    yield Mock(server, access, restricted, known)
    server.stop()


def _with_known_values(known: dict[str, list[str]], case: Case) -> Case:
    """Half the valid examples name things the seller has (its orders, SKUs, report, shipment, marketplace),
    chosen by the example itself, so the fuzz reaches the answers behind a lookup, not only its 404s."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return case  # an invalid example stays as invalid as Schemathesis made it
    body = case.body if isinstance(case.body, dict) else {}
    for container in (case.path_parameters, case.query, body):
        for name, value in list((container or {}).items()):
            values = known.get(name)
            if values and zlib.crc32(repr(value).encode()) % 2 == 0:
                chosen = values[zlib.crc32(repr(value).encode()) // 2 % len(values)]
                container[name] = [chosen] if isinstance(value, list) else chosen
    return case


def schema_for(model: str, operation_id: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_dict(load_model(model + ".json")).include(operation_id=[operation_id])
    schema.config.update(base_url=None)
    return schema


@pytest.mark.parametrize("key", SERVED)
def test_every_answer_is_4xx_or_better_and_meets_the_model(mock, key):
    server = mock.server
    model, operation_id = key.split(".", 1)
    schema = schema_for(model, operation_id)

    @schema.auth()
    class SellerToken:
        """The auth hook: the seller's access token, or the RDT the operation answers to."""

        def get(self, case, context):
            return mock.restricted.get(key, mock.access)

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "x-amz-access-token": data}

    @schema.hook
    def map_case(context, case):
        return _with_known_values(mock.known, case)

    counts = COUNTS.setdefault(key, collections.Counter())
    session = requests.Session()
    api_operation = next(schema.get_all_operations()).ok()
    model_operation = operation(model, operation_id)
    failures: list[str] = []

    def fuzz(mode: GenerationMode) -> None:
        checks = [not_a_server_error, response_schema_conformance]
        if mode == GenerationMode.NEGATIVE:
            checks.append(negative_data_rejection)

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=api_operation.as_strategy(generation_mode=mode, auth_storage=schema.auth))
        def send(case: Case) -> None:
            response = case.call(base_url=server.base_url, session=session, timeout=30)
            counts["sent"] += 1
            counts[f"{response.status_code // 100}xx"] += 1
            body = json.loads(response.content) if response.content else None
            problem = answer_problem(model_operation, response.status_code, body)
            if problem is not None:
                counts["invalid"] += 1
                failures.append(f"{case.method} {case.formatted_path}: {problem}")
            try:
                case.validate_response(response, checks=checks)
            except Exception as error:  # a FailureGroup naming each failed check
                if problem is None and response.status_code < 500 and "Schema-violating request accepted" \
                        not in str(error):
                    counts["invalid"] += 1  # Schemathesis found the answer breaks the model, spec did not
                failures.append(f"{mode.value} {case.method} {case.formatted_path}: {str(error)[:1500]}")

        try:
            send()
        except Unsatisfiable:
            pass  # a mode with nothing to generate: negative for an operation whose only parameter is any string

    fuzz(GenerationMode.POSITIVE)
    fuzz(GenerationMode.NEGATIVE)
    assert counts["5xx"] == 0 and not failures, "\n".join(failures[:5])
