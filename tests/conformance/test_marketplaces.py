"""A UK seller (EU region) and an Amazon.in seller next to a US seller on one `python -m mock_amazon`, each read by
both real clients configured for the seller's own region and pointed at the mock: each sees only its own
marketplace's orders, in its currency, with addresses of its country; a call naming another marketplace is refused
as Amazon refuses it; Amazon's time rules on order searches hold in every marketplace."""
from datetime import datetime, timedelta

import pytest
from sp_api.api import ExternalFulfillmentShipping, Orders, Sellers
from sp_api.auth import AccessTokenClient, access_token_client
from sp_api.base import Marketplaces, SellingApiBadRequestException, SellingApiForbiddenException
from spapi import SPAPIClient, SPAPIConfig
from spapi.api.external_fulfillment_inventory_v2024_09_11.batch_inventory_api import BatchInventoryApi
from spapi.api.orders_v0.orders_v0_api import OrdersV0Api
from spapi.api.sellers_v1.sellers_api import SellersApi
from spapi.rest import ApiException

from tests.mock.flex import DIMENSIONS, update
from tests.support import Server

pytestmark = pytest.mark.conformance

# seller: (python-amazon-sp-api's marketplace, amzn-sp-api's region, currency, country)
SELLERS = {"US": (Marketplaces.US, "NA", "USD", "US"), "UK": (Marketplaces.UK, "EU", "GBP", "GB"),
           "IN": (Marketplaces.IN, "EU", "INR", "IN")}
SINCE = "2025-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def sellers(server):
    access_token_client.cache.clear()
    made = {}
    for code in SELLERS:
        status, seller = server.control("POST", "/sellers", {"marketplace_ids": [code]})
        assert status == 201 and seller["marketplace_ids"] == [SELLERS[code][0].marketplace_id]
        status, seeded = server.control("POST", "/seed", {"seller_id": seller["seller_id"], "skus": 10, "orders": 12,
                                                          "seed": 5})
        assert status == 200
        made[code] = {**seller, "orders": seeded["orders"]}
    server.control("POST", "/clock/advance", {"seconds": 900})  # verified: Unshipped orders have addresses
    return made


def sp_api(api_class, server, seller, marketplace, **options):
    """python-amazon-sp-api configured for `marketplace` (its region's host), pointed at the mock."""
    class MockTokenClient(AccessTokenClient):
        scheme = "http://"
        host = f"127.0.0.1:{server.port}"

    api = api_class(credentials={"refresh_token": seller["refresh_token"], "lwa_app_id": seller["client_id"],
                                 "lwa_client_secret": seller["client_secret"]},
                    marketplace=marketplace, auth_token_client_class=MockTokenClient, **options)
    assert api.endpoint == marketplace.endpoint  # the region's own host, until pointed at the mock
    api.endpoint = server.base_url
    return api


def spapi_client(server, seller, region):
    config = SPAPIConfig(client_id=seller["client_id"], client_secret=seller["client_secret"],
                         refresh_token=seller["refresh_token"], region=region)
    return SPAPIClient(config, oauth_endpoint=f"{server.base_url}/auth/o2/token", endpoint=server.base_url)


@pytest.mark.parametrize("code", SELLERS)
def test_each_seller_sees_its_marketplace_in_its_currency_and_country(server, sellers, code):
    marketplace, _, currency, country = SELLERS[code]
    seller = sellers[code]
    orders = sp_api(Orders, server, seller, marketplace).get_orders(
        CreatedAfter=SINCE, RestrictedResources=["buyerInfo", "shippingAddress"]).payload["Orders"]
    assert sorted(o["AmazonOrderId"] for o in orders) == sorted(seller["orders"])  # its own, no other seller's
    for order in orders:
        assert order["MarketplaceId"] == marketplace.marketplace_id
        assert order["OrderTotal"]["CurrencyCode"] == currency
        assert order["ShippingAddress"]["CountryCode"] == country and order["ShippingAddress"]["AddressLine1"]
        if country == "IN":
            assert order["ShippingAddress"]["PostalCode"].isdigit() and len(order["ShippingAddress"]["PostalCode"]) == 6
    items = sp_api(Orders, server, seller, marketplace).get_order_items(orders[0]["AmazonOrderId"]).payload
    assert {item["ItemPrice"]["CurrencyCode"] for item in items["OrderItems"]} == {currency}
    participations = sp_api(Sellers, server, seller, marketplace).get_marketplace_participation().payload
    assert [(p["marketplace"]["id"], p["marketplace"]["defaultCurrencyCode"], p["marketplace"]["countryCode"])
            for p in participations] == [(marketplace.marketplace_id, currency, country)]


@pytest.mark.parametrize("code", SELLERS)
def test_amzn_sp_api_configured_for_the_sellers_region(server, sellers, code):
    marketplace, region, currency, country = SELLERS[code]
    client = spapi_client(server, sellers[code], region)
    page = OrdersV0Api(client.api_client).get_orders(marketplace_ids=[marketplace.marketplace_id],
                                                     created_after=SINCE)
    assert sorted(o.amazon_order_id for o in page.payload.orders) == sorted(sellers[code]["orders"])
    assert {(o.marketplace_id, o.order_total.currency_code, o.shipping_address.country_code)
            for o in page.payload.orders} == {(marketplace.marketplace_id, currency, country)}
    participations = SellersApi(client.api_client).get_marketplace_participations().payload
    assert [p.marketplace.id for p in participations] == [marketplace.marketplace_id]


def test_a_foreign_marketplace_is_refused_as_amazon_refuses_it(server, sellers):
    uk, india = sellers["UK"], sellers["IN"]
    with pytest.raises(SellingApiForbiddenException) as refused:  # a UK client asking for Amazon.com's orders
        sp_api(Orders, server, uk, Marketplaces.UK).get_orders(CreatedAfter=SINCE,
                                                                MarketplaceIds=[Marketplaces.US.marketplace_id])
    assert refused.value.code == 403
    assert refused.value.error[0]["code"] == "Unauthorized"
    with pytest.raises(ApiException) as refused_too:
        OrdersV0Api(spapi_client(server, india, "EU").api_client).get_orders(
            marketplace_ids=[Marketplaces.UK.marketplace_id], created_after=SINCE)
    assert refused_too.value.status == 403
    # A MarketplaceId the client adds where the model has none is not looked at, as at Amazon: the UK seller's
    # order through a client configured for Amazon.com (python-amazon-sp-api adds MarketplaceId(s) to every call).
    order_id = uk["orders"][0]
    assert sp_api(Orders, server, uk, Marketplaces.US).get_order_items(order_id).payload["AmazonOrderId"] == order_id


@pytest.mark.parametrize("code", ["UK", "IN"])
def test_order_searches_keep_amazons_time_rules_in_every_marketplace(server, sellers, code):
    """CreatedBefore and LastUpdatedBefore "must be no later than two minutes before" the request (ordersV0)."""
    marketplace = SELLERS[code][0]
    status, clock = server.control("GET", "/clock")
    assert status == 200
    now = datetime.fromisoformat(clock["now"])
    orders = sp_api(Orders, server, sellers[code], marketplace)
    for window in ({"CreatedAfter": SINCE, "CreatedBefore": now.isoformat()},
                   {"LastUpdatedAfter": SINCE, "LastUpdatedBefore": (now - timedelta(seconds=60)).isoformat()}):
        with pytest.raises(SellingApiBadRequestException):
            orders.get_orders(**window)
    fine = orders.get_orders(CreatedAfter=SINCE, CreatedBefore=(now - timedelta(minutes=3)).isoformat())
    assert fine.payload["Orders"]


def test_the_server_makes_its_sellers_in_the_marketplaces_it_is_given():
    server = Server("--marketplaces", "UK,DE", "--sellers", "2")
    try:
        for seller in server.info["sellers"]:
            assert seller["marketplace_ids"] == ["A1F83G8C2ARO7P", "A1PA6795UKMFR9"]
            assert seller["marketplace_id"] == "A1F83G8C2ARO7P"
        seller_id = server.info["sellers"][0]["seller_id"]
        status, found = server.control("GET", f"/records/order?seller_id={seller_id}")
        assert status == 200 and found["records"]  # seeded in its home marketplace, Amazon.co.uk
        assert {(o["marketplace_id"], o["currency"]) for o in found["records"]} == {("A1F83G8C2ARO7P", "GBP")}
    finally:
        server.stop()


def test_the_amazon_in_seller_flex_seller_sees_inr_and_indian_addresses(server, sellers):
    """SmartConnect's seller-flex on Amazon.in (seed 003): a site of the Amazon.in seller, its order read by
    python-amazon-sp-api configured for Amazon.in (EU region)."""
    india = sellers["IN"]
    status, site = server.control("POST", "/external-fulfillment/locations",
                                  {"seller_id": india["seller_id"], "location_id": "DEL1"})
    assert status == 201 and site["marketplace_id"] == Marketplaces.IN.marketplace_id
    server.control("PUT", "/external-fulfillment/listings", {"seller_id": india["seller_id"], "merchant_sku": "FLEX-IN",
                                                             "client_sku": "EAN-IN", "dimensions": DIMENSIONS})
    client = spapi_client(server, india, "EU")
    BatchInventoryApi(client.api_client).batch_inventory({"requests": [update("FLEX-IN", 4, 1, "DEL1")]})
    status, placed = server.control("POST", "/external-fulfillment/shipments", {
        "seller_id": india["seller_id"], "location_id": "DEL1", "lines": [{"sku": "FLEX-IN", "units": 2}]})
    assert status == 201
    server.control("POST", "/clock/advance", {"seconds": 60})
    shipping = sp_api(ExternalFulfillmentShipping, server, india, Marketplaces.IN, version="2024-09-11")
    listed = shipping.get_shipments(locationId="DEL1", status="ACCEPTED",
                                    marketplaceId=Marketplaces.IN.marketplace_id).payload["shipments"]
    assert [s["id"] for s in listed] == [placed["shipment_id"]]
    shipment = listed[0]
    assert shipment["marketplaceAttributes"]["marketplaceId"] == Marketplaces.IN.marketplace_id
    assert {c["totalCharge"]["netAmount"]["currencyCode"] for c in shipment["charges"]} == {"INR"}
    address = shipment["shippingInfo"]["shipToAddress"]
    assert address["countryCode"] == "IN" and len(address["postalCode"]) == 6 and address["postalCode"].isdigit()
    with pytest.raises(SellingApiForbiddenException):
        shipping.get_shipments(locationId="DEL1", status="ACCEPTED", marketplaceId=Marketplaces.UK.marketplace_id)
