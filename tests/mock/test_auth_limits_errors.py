"""Login with Amazon, token expiry on the clock, rate limits, fault rules and Amazon's error bodies."""
import json

import pytest

from mock_amazon.spec import operation
from tests.conftest import login
from tests.mock.mcf import afn_skus, request

ORDERS = ("ordersV0", "getOrders")


def amazon_op(operation_id):
    return operation("ordersV0", operation_id)
QUERY = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2025-12-01T00:00:00Z"}


def test_token_exchange_errors_use_lwa_shape(http, amazon):
    seller = amazon.seller
    form = {"grant_type": "refresh_token", "client_id": seller.client_id, "client_secret": seller.client_secret,
            "refresh_token": "Atzr|not-it"}
    answer = http.post("/auth/o2/token", data=form)
    assert answer.status_code == 400 and answer.json["error"] == "invalid_grant"
    answer = http.post("/auth/o2/token", data={**form, "client_id": "nobody"})
    assert answer.status_code == 400 and answer.json["error"] == "invalid_client"
    answer = http.post("/auth/o2/token", data={**form, "grant_type": "password"})
    assert answer.status_code == 400 and answer.json["error"] == "unsupported_grant_type"
    grantless = {"grant_type": "client_credentials", "client_id": seller.client_id,
                 "client_secret": seller.client_secret}
    answer = http.post("/auth/o2/token", data={**grantless, "scope": "sellingpartnerapi::everything"})
    assert answer.status_code == 400 and answer.json["error"] == "invalid_scope"
    answer = http.post("/auth/o2/token", data={**grantless, "scope": "sellingpartnerapi::notifications"})
    assert answer.status_code == 200 and "refresh_token" not in answer.json


@pytest.mark.parametrize("token", [None, "Atza|forged"])
def test_missing_or_unknown_token_is_403(sp, token):
    sp.token = token
    answer = sp(*ORDERS, query=QUERY)
    assert answer.status == 403 and answer.error_code == "Unauthorized"


def test_token_expires_after_an_hour_on_the_clock(sp, amazon):
    sp.renew = None  # see the expiry itself, not a client renewing past it
    assert sp(*ORDERS, query=QUERY).status == 200
    amazon.advance(3599)
    assert sp(*ORDERS, query=QUERY).status == 200
    amazon.advance(1)
    answer = sp(*ORDERS, query=QUERY)
    assert answer.status == 403 and "expired" in answer.body["errors"][0]["details"]


def test_burst_then_quota_exceeded_then_refill(sp, amazon):
    # getOrders: burst 20, rate 0.0167/s (one token a minute)
    for _ in range(20):
        answer = sp(*ORDERS, query=QUERY)
        assert answer.status == 200
        assert answer.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    throttled = sp(*ORDERS, query=QUERY)
    assert throttled.status == 429 and throttled.error_code == "QuotaExceeded"
    assert throttled.body["errors"][0]["message"] == "You exceeded your quota for the requested resource."
    amazon.advance(60)
    assert sp(*ORDERS, query=QUERY).status == 200
    assert sp(*ORDERS, query=QUERY).status == 429
    log = amazon.traffic()
    assert sum(entry["throttled"] for entry in log) == 2


def test_limits_are_per_seller_and_can_be_changed(sp, amazon, http):
    amazon.limits.configure({"getOrders": {"rate": 1, "burst": 2}})
    assert [sp(*ORDERS, query=QUERY).status for _ in range(3)] == [200, 200, 429]
    other = amazon.create_seller()
    sp.token = login(http, other)
    assert sp(*ORDERS, query=QUERY).status == 200
    amazon.limits.configure(lifted=True)
    assert all(sp(*ORDERS, query=QUERY).status == 200 for _ in range(30))
    amazon.limits.configure()  # back to Amazon's plans: the bucket starts full again
    assert amazon.limits.plan(amazon_op("getOrders"))["burst"] == 20


def test_invalid_input_names_the_parameter(sp):
    cases = [
        ({"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "yesterday"}, "CreatedAfter"),
        ({"MarketplaceIds": "ATVPDKIKX0DER"}, "CreatedAfter"),
        ({**QUERY, "LastUpdatedAfter": "2025-12-01T00:00:00Z"}, "LastUpdatedAfter"),
        ({**QUERY, "MaxResultsPerPage": "500"}, "MaxResultsPerPage"),
        ({**QUERY, "MaxResultsPerPage": "ten"}, "MaxResultsPerPage"),
        ({**QUERY, "CreatedBefore": "2025-11-01T00:00:00Z"}, "CreatedBefore"),
        ({"CreatedAfter": "2025-12-01T00:00:00Z"}, "MarketplaceIds"),
        ({**QUERY, "NextToken": "garbage!"}, "NextToken"),
    ]
    for query, parameter in cases:
        answer = sp(*ORDERS, query=query)
        assert answer.status == 400, query
        assert answer.error_code == "InvalidInput" and answer.body["errors"][0]["details"] == parameter, answer


def test_enum_and_list_limits(sp):
    answer = sp("reports_2021-06-30", "getReports", query={"reportTypes": "GET_AFN_INVENTORY_DATA",
                                                           "processingStatuses": "DONE,SLEEPING"})
    assert answer.status == 400 and answer.body["errors"][0]["details"] == "processingStatuses"
    skus = ",".join(f"SKU{i}" for i in range(51))
    answer = sp("fbaInventory", "getInventorySummaries", query={
        "granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER", "marketplaceIds": "ATVPDKIKX0DER",
        "sellerSkus": skus})
    assert answer.status == 400 and answer.body["errors"][0]["details"] == "sellerSkus"


def test_malformed_and_oversized_bodies(sp, amazon):
    answer = sp("reports_2021-06-30", "createReport", raw_body=b"{not json")
    assert answer.status == 400 and answer.body["errors"][0]["details"] == "body"
    answer = sp("reports_2021-06-30", "createReport", raw_body='{"reportType": "café"}'.encode("latin-1"))
    assert answer.status == 400 and answer.body["errors"][0]["details"] == "body"  # not UTF-8: no JSON, no 500
    answer = sp("reports_2021-06-30", "createReport", body={"reportType": "GET_AFN_INVENTORY_DATA"})
    assert answer.status == 400 and "marketplaceIds" in answer.body["errors"][0]["message"]
    amazon.update_settings({"max_body_bytes": 100})
    answer = sp("reports_2021-06-30", "createReport", body={"reportType": "GET_AFN_INVENTORY_DATA",
                                                            "marketplaceIds": ["ATVPDKIKX0DER"] * 20})
    assert answer.status == 400 and answer.body["errors"][0]["details"] == "body"


def test_unknown_ids_and_paths_are_404_in_amazon_shape(sp, http):
    answer = sp("ordersV0", "getOrder", path={"orderId": "111-0000000-0000000"})
    assert answer.status == 404 and answer.error_code == "NotFound"
    response = http.get("/orders/v0/nothing-here")
    assert response.status_code == 404 and response.json["errors"][0]["code"] == "NotFound"


def test_fault_rules_for_next_n_calls_and_by_probability(sp, amazon):
    amazon.faults.configure([{"operation": "getOrders", "status": 503, "count": 2}])
    statuses = [sp(*ORDERS, query=QUERY).status for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert [e["fault"] for e in amazon.traffic()][-3:] == ["getOrders:status=503"] * 2 + [None]

    amazon.limits.configure(lifted=True)
    amazon.faults.configure([{"operation": "*", "status": 500, "probability": 0.25}], seed=3)
    first = [sp(*ORDERS, query=QUERY).status for _ in range(200)]
    amazon.faults.configure([{"operation": "*", "status": 500, "probability": 0.25}], seed=3)
    second = [sp(*ORDERS, query=QUERY).status for _ in range(200)]
    assert first == second, "fault rules are seeded"
    assert 25 < first.count(500) < 75


def test_latency_and_timeout_faults(sp, amazon):
    amazon.faults.configure([{"operation": "getOrders", "latency": 2.5, "count": 1},
                             {"operation": "getOrder", "timeout": True, "count": 1}])
    answer = sp(*ORDERS, query=QUERY)
    assert answer.status == 200 and answer.headers["x-testbed-latency"] == "2.5"
    order_id = answer.body["payload"]["Orders"][0]["AmazonOrderId"]
    # 504 is not in the model's responses: a client sees a timeout, so this is checked by hand.
    response = sp.send("GET", f"/orders/v0/orders/{order_id}", {"x-amz-access-token": sp.token}, None)
    assert response[0] == 504


def test_a_timeout_after_processing_keeps_the_work_and_answers_504(sp, amazon):
    """The case a retry must survive: Amazon created the order, the client only saw the time-out."""
    amazon.faults.configure([{"operation": "createFulfillmentOrder", "timeout": True, "processed": True,
                              "count": 1}])
    body = json.dumps(request("WEB-1", [(afn_skus(amazon)[0], 1)])).encode()
    status = sp.send("POST", "/fba/outbound/2020-07-01/fulfillmentOrders",
                     {"x-amz-access-token": sp.token, "content-type": "application/json"}, body)[0]
    assert status == 504
    assert amazon.fulfillment_outbound.orders.find(amazon.seller.seller_id, "WEB-1") is not None
    assert amazon.traffic()[-1]["fault"] == "createFulfillmentOrder:timeout after processing"
    with pytest.raises(ValueError, match=r"faults\[0\].processed goes with timeout"):
        amazon.faults.configure([{"status": 500, "processed": True}])


def test_bad_fault_rules_are_refused_naming_the_key(amazon):
    with pytest.raises(ValueError, match=r"faults\[0\] has unknown keys: colour"):
        amazon.faults.configure([{"operation": "*", "status": 500, "colour": "red"}])
    with pytest.raises(ValueError, match=r"faults\[1\].probability"):
        amazon.faults.configure([{"status": 500}, {"status": 500, "probability": 2}])


def test_authorization_code_buys_the_refresh_token_once_within_five_minutes(http, amazon):
    seller = amazon.seller
    form = {"grant_type": "authorization_code", "client_id": seller.client_id,
            "client_secret": seller.client_secret}
    code = http.post(f"/_testbed/sellers/{seller.seller_id}/authorize").json
    assert code["selling_partner_id"] == seller.seller_id
    answer = http.post("/auth/o2/token", data={**form, "code": code["spapi_oauth_code"]})
    assert answer.status_code == 200 and answer.json["refresh_token"] == seller.refresh_token
    assert answer.json["access_token"].startswith("Atza|")
    again = http.post("/auth/o2/token", data={**form, "code": code["spapi_oauth_code"]})
    assert again.status_code == 400 and again.json["error"] == "invalid_grant"
    late = http.post(f"/_testbed/sellers/{seller.seller_id}/authorize").json["spapi_oauth_code"]
    amazon.advance(301)
    assert http.post("/auth/o2/token", data={**form, "code": late}).json["error"] == "invalid_grant"
    other = amazon.create_seller()
    foreign = http.post(f"/_testbed/sellers/{other.seller_id}/authorize").json["spapi_oauth_code"]
    assert http.post("/auth/o2/token", data={**form, "code": foreign}).json["error"] == "invalid_grant"
    missing = http.post("/auth/o2/token", data=form)
    assert missing.status_code == 400 and "code" in missing.json["error_description"]
    assert http.post("/_testbed/sellers/NOBODY/authorize").status_code == 400
