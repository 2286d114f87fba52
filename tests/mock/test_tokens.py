"""Restricted data tokens: getOrderAddress and getOrderBuyerInfo answer only to one for their path; getOrders and
getOrder show buyer info and full addresses only for the data elements one names; an RDT opens nothing else and
lives an hour on the wire's clock."""
import pytest

from mock_amazon.apis.tokens.backend import RDT_SECONDS
from tests.mock.test_orders import place, restricted

V0, TOKENS = "ordersV0", "tokens_2021-03-01"
SINCE = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2025-12-01T00:00:00Z"}


@pytest.fixture
def order(amazon):
    placed = place(amazon, "MFN", 1)
    amazon.advance(amazon.settings.verification_seconds)  # Unshipped: it has a shipping address
    return placed


def rdt(token: str) -> dict:
    return {"x-amz-access-token": token}


@pytest.mark.parametrize("operation_id", ["getOrderAddress", "getOrderBuyerInfo"])
def test_a_plain_access_token_gets_amazons_refusal(sp, order, operation_id):
    answer = sp(V0, operation_id, path={"orderId": order.id})
    assert answer.status == 403 and answer.error_code == "Unauthorized"
    assert answer.body["errors"][0]["message"] == "Access to requested resource is denied."
    assert "restricted data token" in answer.body["errors"][0]["details"]


def test_an_rdt_for_one_order_opens_that_order_only(sp, amazon, order):
    other = place(amazon, "MFN", 1)
    token = restricted(sp, f"/orders/v0/orders/{order.id}/address")
    answer = sp(V0, "getOrderAddress", path={"orderId": order.id}, headers=rdt(token))
    assert answer.status == 200 and answer.body["payload"]["ShippingAddress"]["Name"] == order.ship_to["name"]
    assert sp(V0, "getOrderAddress", path={"orderId": other.id}, headers=rdt(token)).status == 403
    assert sp(V0, "getOrderBuyerInfo", path={"orderId": order.id}, headers=rdt(token)).status == 403, \
        "an address RDT is no buyer-info RDT"


def test_an_rdt_for_the_generic_path_opens_every_order(sp, amazon, order):
    other = place(amazon, "MFN", 1)
    token = restricted(sp, "/orders/v0/orders/{orderId}/buyerInfo")
    for placed in (order, other):
        answer = sp(V0, "getOrderBuyerInfo", path={"orderId": placed.id}, headers=rdt(token))
        assert answer.status == 200 and answer.body["payload"]["BuyerEmail"] == placed.buyer["email"]


def test_an_rdt_opens_nothing_but_its_restricted_operations(sp, order):
    token = restricted(sp, "/orders/v0/orders/{orderId}/buyerInfo")
    answer = sp("reports_2021-06-30", "getReports", query={"reportTypes": "GET_AFN_INVENTORY_DATA"},
                headers=rdt(token))
    assert answer.status == 403 and answer.error_code == "Unauthorized"
    assert sp(V0, "getOrders", query=SINCE, headers=rdt(token)).status == 403


def test_get_orders_shows_personal_data_only_for_the_data_elements_named(sp, order):
    def shown(headers=None):
        orders = sp(V0, "getOrders", query=SINCE, headers=headers).body["payload"]["Orders"]
        return next(o for o in orders if o["AmazonOrderId"] == order.id)

    plain = shown()
    assert "BuyerInfo" not in plain
    assert set(plain["ShippingAddress"]) == {"City", "StateOrRegion", "PostalCode", "CountryCode"}
    buyer = shown(rdt(restricted(sp, "/orders/v0/orders", ["buyerInfo"])))
    assert buyer["BuyerInfo"] == {"BuyerEmail": order.buyer["email"], "BuyerName": order.buyer["name"]}
    assert "Name" not in buyer["ShippingAddress"]
    both = shown(rdt(restricted(sp, "/orders/v0/orders", ["buyerInfo", "shippingAddress"])))
    assert both["ShippingAddress"]["AddressLine1"] == order.ship_to["line1"] and "BuyerInfo" in both
    one = sp(V0, "getOrder", path={"orderId": order.id},
             headers=rdt(restricted(sp, f"/orders/v0/orders/{order.id}", ["shippingAddress"]))).body["payload"]
    assert one["ShippingAddress"]["Name"] == order.ship_to["name"] and "BuyerInfo" not in one


def test_an_rdt_lives_an_hour_on_the_wire_clock(sp, amazon, order):
    token = restricted(sp, "/orders/v0/orders/{orderId}/address")
    amazon.advance(RDT_SECONDS - 1)
    sp.token = sp.renew()
    assert sp(V0, "getOrderAddress", path={"orderId": order.id}, headers=rdt(token)).status == 200
    amazon.advance(1)
    sp.renew = None  # the test caller would retry an expired token with the session's own
    answer = sp(V0, "getOrderAddress", path={"orderId": order.id}, headers=rdt(token))
    assert answer.status == 403 and "expired" in answer.body["errors"][0]["details"]


@pytest.mark.parametrize(("resources", "details"), [
    ([], "Resource not provided."),
    ([{"method": "GET", "path": "/orders/v0/orders/"}], "restrictedResources[0].path"),  # a trailing slash
    ([{"method": "POST", "path": "/orders/v0/orders/{orderId}/address"}], "restrictedResources[0].path"),
    ([{"method": "GET", "path": "/reports/2021-06-30/reports"}], "restrictedResources[0].path"),
    ([{"method": "GET", "path": "/orders/v0/orders"}], "restrictedResources[0].dataElements"),
    ([{"method": "GET", "path": "/orders/v0/orders", "dataElements": ["creditCard"]}],
     "restrictedResources[0].dataElements"),
    ([{"method": "GET", "path": "/orders/v0/orders/{orderId}/orderItems", "dataElements": ["shippingAddress"]}],
     "restrictedResources[0].dataElements"),
    ([{"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}] * 51, "restrictedResources"),
    ([{"method": "FETCH", "path": "/orders/v0/orders/{orderId}/address"}], "restrictedResources[0].method"),
])
def test_what_is_no_restricted_resource_is_refused(sp, resources, details):
    answer = sp(TOKENS, "createRestrictedDataToken", body={"restrictedResources": resources})
    assert answer.status == 400 and answer.body["errors"][0]["details"] == details


def test_a_seller_s_rdt_never_opens_another_seller_s_order(sp, amazon, http, order):
    from tests.conftest import login
    other = amazon.create_seller()
    sp.token = login(http, other)
    token = restricted(sp, f"/orders/v0/orders/{order.id}/buyerInfo")
    assert sp(V0, "getOrderBuyerInfo", path={"orderId": order.id}, headers=rdt(token)).status == 404
