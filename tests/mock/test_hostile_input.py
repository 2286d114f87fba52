"""Hostile input never reaches a 500: every bad body, query, path or header is a 4xx in Amazon's error shape, and
the limits on body size, nesting depth and integer range hold (docs/constraints.md lists them)."""
import functools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_amazon.app import ROUTES
from mock_amazon.errors import InvalidInput
from mock_amazon.spec import INT32, INT64, MAX_JSON_DEPTH, _check_within_limits, read_json

SINCE = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2025-12-01T00:00:00Z"}
WITH_BODY = sorted(key for key, route in ROUTES.items() if any(p["in"] == "body" for p in route.operation.parameters))
HOSTILE_BODIES = {
    "not UTF-8": b'{"name": "caf\xe9"}',
    "nested too deep": b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    "nested past the parser": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "integer beyond 64 bits": b'{"quantity": 123456789012345678901234567890}',
    "NaN": b'{"quantity": NaN}',
    "Infinity": b'{"quantity": Infinity}',
    "a number too large": b'{"quantity": 1e400}',
    "a lone surrogate": b'{"name": "\\ud800"}',
    "a lone surrogate as a key": b'{"\\udfff": 1}',
    "digits Python will not convert": b'{"quantity": ' + b"9" * 5000 + b"}",
}


def path_of(key: str) -> dict:
    """Every path parameter of an operation, filled with a plausible value."""
    return {p["name"]: "ABC123" for p in ROUTES[key].operation.parameters if p["in"] == "path"}


@pytest.mark.parametrize("key", WITH_BODY)
@pytest.mark.parametrize("kind", HOSTILE_BODIES)
def test_every_operation_with_a_body_refuses_hostile_bodies_with_a_400(sp, amazon, key, kind):
    amazon.limits.configure(lifted=True)
    model, operation_id = key.split(".", 1)
    answer = sp(model, operation_id, path=path_of(key), raw_body=HOSTILE_BODIES[kind],
                headers={"x-amzn-idempotency-token": "idem-1"})
    assert 400 <= answer.status < 500, answer  # the Caller has checked the body against the model too
    assert answer.body["errors"][0]["code"] in ("InvalidInput", "NotFound", "SC_00002", "SC_00003")


def test_a_body_over_the_size_limit_is_refused_unread(sp, amazon):
    amazon.update_settings({"max_body_bytes": 1000})
    answer = sp("reports_2021-06-30", "createReport", raw_body=b" " * 1001)
    assert answer.status == 400 and "larger than 1000 bytes" in answer.body["errors"][0]["message"]


@pytest.mark.parametrize(("value", "accepted"), [
    (INT32[1], True), (INT32[1] + 1, False), (INT32[0] - 1, False), (1.0, False), (True, False)])
def test_an_int32_in_a_body_is_an_int32_and_never_1_0(sp, amazon, value, accepted):
    """`format: int32` bounds an integer, and draft 4 (Swagger 2.0's JSON Schema) does not take 1.0 for 1."""
    sku = amazon.seed(amazon.seller.seller_id, skus=4, orders=0, seed=9)["fba_skus"][0]
    answer = sp("fulfillmentOutbound_2020-07-01", "createFulfillmentOrder", body={
        "sellerFulfillmentOrderId": "MCF-1", "displayableOrderId": "MCF-1",
        "displayableOrderDate": "2026-01-01T00:00:00Z", "displayableOrderComment": "thanks",
        "shippingSpeedCategory": "Standard",
        "destinationAddress": {"name": "A", "addressLine1": "1 Main St", "city": "Seattle", "stateOrRegion": "WA",
                               "postalCode": "98101", "countryCode": "US"},
        "items": [{"sellerSku": sku, "sellerFulfillmentOrderItemId": "1", "quantity": value}]})
    if accepted:  # the int32 passes the model; the mock's own rule (at most 250 units) refuses it
        assert answer.status == 400 and answer.body["errors"][0]["details"] != "items[0].quantity"
    else:
        assert answer.status == 400 and answer.body["errors"][0]["details"] == "items[0].quantity"


def test_an_integer_beyond_64_bits_in_a_query_is_refused(sp):
    answer = sp("ordersV0", "getOrders", query={**SINCE, "MaxResultsPerPage": str(INT64[1] + 1)})
    assert answer.status == 400 and answer.body["errors"][0]["details"] == "MaxResultsPerPage"


@pytest.mark.parametrize("text", ["１２", "1_0", " 12", "0x10", "1.5", "9" * 50])
def test_query_integers_are_plain_ascii_digits(sp, text):
    answer = sp("ordersV0", "getOrders", query={**SINCE, "MaxResultsPerPage": text})
    assert answer.status == 400 and answer.body["errors"][0]["details"] == "MaxResultsPerPage"


@pytest.mark.parametrize("url", [
    "/orders/v0/orders/%ED%A0%80", "/orders/v0/orders/%FF%FE",
    "/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2025-12-01T00:00:00Z&SellerOrderId=%ED%A0%80",
    "/orders/v0/orders?MarketplaceIds=%FF&CreatedAfter=%FF"])
def test_path_and_query_bytes_that_are_no_utf_8_never_reach_a_5xx(http, sp, url):
    """Werkzeug decodes them with U+FFFD in place of what is no UTF-8: an unknown ID, or a value the model refuses."""
    response = http.get(url, headers={"x-amz-access-token": sp.token})
    assert response.status_code < 500
    assert response.status_code == 200 or response.json["errors"]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/_testbed/clock/advance", b'{"seconds": 1e400}'),
    ("POST", "/_testbed/clock/advance", b"\xff\xfe"),
    ("POST", "/_testbed/seed", b"[" * 5000 + b"]" * 5000),
    ("PUT", "/_testbed/rate-limits", b'{"limits": {"getOrders": 5}}'),
    ("PUT", "/_testbed/rate-limits", b'{"limits": {"getOrders": {"rate": "fast"}}}'),
    ("PUT", "/_testbed/rate-limits", b'{"limits": {"getOrders": {"rate": 1e400, "burst": 1}}}'),
    ("PUT", "/_testbed/faults", b'{"faults": [1]}'),
    ("PUT", "/_testbed/faults", b'{"faults": [{"operation": "getOrders", "status": 99999999999999999999999}]}'),
    ("PUT", "/_testbed/settings", b'{"verification_seconds": 1e400}'),
    ("PUT", "/_testbed/settings", b'{"verification_seconds": 99999999999999999999999}'),
    ("GET", "/_testbed/traffic/99999999999999999999999", b""),
    ("GET", "/_testbed/traffic?limit=99999999999999999999999", b""),
    ("GET", "/_testbed/traffic?since_id=99999999999999999999999", b""),
    ("GET", "/_testbed/notifications?limit=99999999999999999999999", b""),
    ("POST", "/_testbed/seed", b'{"seller_id": "SELLER", "skus": 99999999999999999999}'),
    ("POST", "/_testbed/orders", b'{"seller_id": "SELLER", "lines": [{"sku": "x", "quantity": 99999999999999999999}]}'),
    ("PUT", "/_testbed/webhooks", b'{"webhooks": {"arn": 1}}'),
    ("PUT", "/_testbed/notification-faults", b'{"faults": [{"type": 1}]}'),
    ("POST", "/_testbed/snapshots", b'{"name": 5}'),
    ("POST", "/_testbed/external-fulfillment/locations", b'{"seller_id": "SELLER", "location_id": {"a": 1}}'),
    ("PUT", "/_testbed/external-fulfillment/listings",
     b'{"seller_id": "SELLER", "merchant_sku": "a", "client_sku": "b", "dimensions": {"length": "x"}}'),
    ("POST", "/_testbed/external-fulfillment/shipments",
     b'{"seller_id": "SELLER", "location_id": "L", "lines": [{"sku": 1, "units": "x"}]}'),
    ("PUT", "/_testbed/clock", b"[1]"),
    ("POST", "/_testbed/no-such-route", b""),
    ("PATCH", "/_testbed/clock", b""),
])
def test_bad_control_api_input_is_a_4xx_with_an_errors_body(http, amazon, method, path, body):
    body = body.replace(b"SELLER", amazon.seller.seller_id.encode())
    response = http.open(path, method=method, data=body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert json.loads(response.get_data())["errors"][0]["code"]


@pytest.mark.parametrize("body", [b"\xff\xfe", b"[" * 5000 + b"]" * 5000, b'{"QueueName": NaN}',
                                  b'{"QueueName": "q", "MaxNumberOfMessages": 123456789012345678901234567890}'])
def test_hostile_bodies_at_the_mock_s_sqs_are_its_serialization_error(http, body):
    response = http.post("/", data=body, headers={"X-Amz-Target": "AmazonSQS.CreateQueue",
                                                  "Content-Type": "application/x-amz-json-1.0"})
    assert response.status_code == 400
    assert json.loads(response.get_data())["__type"].endswith("SerializationException")


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2 ** 70, max_value=2 ** 70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.just("<1e400>") | st.just("\ud800") | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES, st.integers(min_value=0, max_value=MAX_JSON_DEPTH + 2))
def test_a_body_reads_as_json_reads_it_and_is_refused_exactly_when_it_breaks_a_limit(document, wrapping):
    """read_json takes the quick paths (orjson, a quick pass over the limits) only where they agree with json's
    reading and the full check: what it accepts is what json reads; what it refuses, and how it words it, is what
    the full check says of the same document."""
    document = functools.reduce(lambda inner, _: [inner], range(wrapping), document)
    text = json.dumps(document).replace('"<1e400>"', "1e400")  # a number JSON allows and a float cannot hold

    def outcome(read):
        try:
            return "accepted", read()
        except InvalidInput as refused:
            return "refused", str(refused)

    def carefully():
        parsed = json.loads(text)
        _check_within_limits(parsed, "body")
        return parsed
    assert outcome(lambda: read_json(text.encode(), "body")) == outcome(carefully)
