"""python-amazon-sp-api, unmodified, against `python -m mock_amazon` over real HTTP (CLIENTS.md)."""
import pytest
from sp_api.api import Inventories, Orders, Reports, Tokens
from sp_api.auth import AccessTokenClient
from sp_api.base import (
    Marketplaces,
    SellingApiForbiddenException,
    SellingApiRequestThrottledException,
)

pytestmark = pytest.mark.conformance


def client(api_class, server, seller):
    class MockTokenClient(AccessTokenClient):
        scheme = "http://"
        host = f"127.0.0.1:{server.port}"

    api = api_class(credentials={"refresh_token": seller["refresh_token"], "lwa_app_id": seller["client_id"],
                                 "lwa_client_secret": seller["client_secret"]},
                    marketplace=Marketplaces.US, auth_token_client_class=MockTokenClient)
    api.endpoint = server.base_url
    return api


def test_get_orders_with_pagination(server, seller):
    orders = client(Orders, server, seller)
    seen, token = [], None
    while True:
        page = orders.get_orders(NextToken=token) if token else orders.get_orders(
            CreatedAfter="2025-01-01T00:00:00Z", MaxResultsPerPage=10)
        seen += page.payload["Orders"]
        token = page.next_token
        if not token:
            break
    assert sorted(o["AmazonOrderId"] for o in seen) == sorted(seller["seeded"]["orders"])
    assert page.rate_limit == "0.0167"
    items = orders.get_order_items(seen[0]["AmazonOrderId"]).payload["OrderItems"]
    assert items[0]["QuantityOrdered"] >= 1


@pytest.mark.parametrize("gzip_reports", [False, True])
def test_report_requested_awaited_downloaded(server, seller, gzip_reports):
    server.control("PUT", "/settings", {"gzip_reports": gzip_reports})
    reports = client(Reports, server, seller)
    report_id = reports.create_report(reportType="GET_MERCHANT_LISTINGS_ALL_DATA",
                                      marketplaceIds=["ATVPDKIKX0DER"]).payload["reportId"]
    assert reports.get_report(report_id).payload["processingStatus"] == "IN_QUEUE"
    server.control("POST", "/clock/advance", {"seconds": 300})
    report = reports.get_report(report_id).payload
    assert report["processingStatus"] == "DONE"
    document = reports.get_report_document(report["reportDocumentId"], download=True)
    assert ("compressionAlgorithm" in document.payload) == gzip_reports
    lines = document.payload["document"].splitlines()
    assert lines[0].split("\t")[:4] == ["item-name", "item-description", "listing-id", "seller-sku"]
    assert len(lines) == 31
    server.control("PUT", "/settings", {"gzip_reports": False})


def test_inventory_summaries_in_batches_of_fifty(server, seller):
    inventories = client(Inventories, server, seller)
    for index in range(60):
        server.control("PUT", "/rate-limits", {"lifted": True})
        inventories.create_inventory_item(sellerSku=f"BATCH-{index:02d}", marketplaceId="ATVPDKIKX0DER",
                                          productName=f"Batch item {index}")
    skus = [f"BATCH-{index:02d}" for index in range(60)]
    found = []
    for start in range(0, 60, 50):
        answer = inventories.get_inventory_summary_marketplace(details=True, sellerSkus=skus[start:start + 50])
        found += [s["sellerSku"] for s in answer.payload["inventorySummaries"]]
    assert found == skus


def test_throttled_once_the_burst_is_spent(server, seller):
    server.control("PUT", "/rate-limits", {"limits": {"getOrder": {"rate": 0.001, "burst": 2}}})
    orders = client(Orders, server, seller)
    order_id = seller["seeded"]["orders"][0]
    orders.get_order(order_id)
    orders.get_order(order_id)
    with pytest.raises(SellingApiRequestThrottledException) as raised:
        orders.get_order(order_id)
    assert raised.value.code == 429


def test_forbidden_once_the_token_expired_on_the_clock(server, seller):
    orders = client(Orders, server, seller)
    orders.get_order(seller["seeded"]["orders"][0])
    server.control("POST", "/clock/advance", {"seconds": 3700})
    # the client keeps its cached token (it trusts its own 3200 s of real time); the mock's clock says expired
    with pytest.raises(SellingApiForbiddenException):
        orders.get_order(seller["seeded"]["orders"][0])


def test_buyer_info_through_a_restricted_data_token(server, seller):
    """The RDT flow python-amazon-sp-api documents: Tokens().create_restricted_data_token, then an Orders client
    holding the RDT; and its shortcut, RestrictedResources on get_orders, which asks for the RDT itself."""
    server.control("POST", "/clock/advance", {"seconds": 600})  # Unshipped orders have shipping addresses
    order_id = seller["seeded"]["orders"][0]
    with pytest.raises(SellingApiForbiddenException):
        client(Orders, server, seller).get_order_buyer_info(order_id)
    token = client(Tokens, server, seller).create_restricted_data_token(restrictedResources=[
        {"method": "GET", "path": "/orders/v0/orders/{orderId}/buyerInfo"}]).payload["restrictedDataToken"]
    restricted = client(Orders, server, seller)
    restricted.restricted_data_token = token
    buyer = restricted.get_order_buyer_info(order_id).payload
    assert buyer["AmazonOrderId"] == order_id and buyer["BuyerEmail"].endswith("@marketplace.amazon.com")
    orders = client(Orders, server, seller).get_orders(RestrictedResources=["buyerInfo", "shippingAddress"],
                                                       CreatedAfter="2025-01-01T00:00:00Z").payload["Orders"]
    assert all("BuyerInfo" in order for order in orders)
    assert any("AddressLine1" in order.get("ShippingAddress", {}) for order in orders)
