"""Amazon's own SDK (amzn-sp-api), unmodified, against `python -m mock_amazon` over real HTTP. Its client-side
validation makes it a strict check of the mock's payloads."""
import gzip

import pytest
import requests
from spapi import ApiClient, Configuration, SPAPIClient, SPAPIConfig
from spapi.api.fba_inventory_v1.fba_inventory_api import FbaInventoryApi
from spapi.api.orders_v0.orders_v0_api import OrdersV0Api
from spapi.api.reports_v2021_06_30.reports_api import ReportsApi
from spapi.api.tokens_v2021_03_01.tokens_api import TokensApi
from spapi.models.reports_v2021_06_30.create_report_specification import (
    CreateReportSpecification,
)
from spapi.models.tokens_v2021_03_01.create_restricted_data_token_request import (
    CreateRestrictedDataTokenRequest,
)
from spapi.models.tokens_v2021_03_01.restricted_resource import RestrictedResource
from spapi.rest import ApiException

pytestmark = pytest.mark.conformance


def client(server, seller) -> SPAPIClient:
    config = SPAPIConfig(client_id=seller["client_id"], client_secret=seller["client_secret"],
                         refresh_token=seller["refresh_token"], region="NA")
    return SPAPIClient(config, oauth_endpoint=f"{server.base_url}/auth/o2/token", endpoint=server.base_url)


def test_orders_with_pagination(server, seller):
    orders = OrdersV0Api(client(server, seller).api_client)
    seen, token = [], None
    while True:
        if token:
            page = orders.get_orders(marketplace_ids=["ATVPDKIKX0DER"], next_token=token)
        else:
            page = orders.get_orders(marketplace_ids=["ATVPDKIKX0DER"], created_after="2025-01-01T00:00:00Z",
                                     max_results_per_page=7)
        seen += page.payload.orders
        token = page.payload.next_token
        if not token:
            break
    assert sorted(o.amazon_order_id for o in seen) == sorted(seller["seeded"]["orders"])
    first = seen[0].amazon_order_id
    assert orders.get_order_items(first).payload.order_items[0].quantity_ordered >= 1


@pytest.mark.parametrize("gzip_reports", [False, True])
def test_report_requested_awaited_downloaded(server, seller, gzip_reports):
    server.control("PUT", "/settings", {"gzip_reports": gzip_reports})
    reports = ReportsApi(client(server, seller).api_client)
    created = reports.create_report(CreateReportSpecification(report_type="GET_AFN_INVENTORY_DATA",
                                                              marketplace_ids=["ATVPDKIKX0DER"]))
    server.control("POST", "/clock/advance", {"seconds": 300})
    report = reports.get_report(created.report_id)
    assert report.processing_status == "DONE"
    document = reports.get_report_document(report.report_document_id)
    content = requests.get(document.url, timeout=30).content
    if document.compression_algorithm == "GZIP":
        content = gzip.decompress(content)
    assert (document.compression_algorithm == "GZIP") == gzip_reports
    header = content.decode().splitlines()[0].split("\t")
    assert header == ["seller-sku", "fulfillment-channel-sku", "asin", "condition-type",
                      "Warehouse-Condition-code", "Quantity Available"]
    server.control("PUT", "/settings", {"gzip_reports": False})


def test_inventory_summaries(server, seller):
    inventory = FbaInventoryApi(client(server, seller).api_client)
    answer = inventory.get_inventory_summaries(granularity_type="Marketplace", granularity_id="ATVPDKIKX0DER",
                                               marketplace_ids=["ATVPDKIKX0DER"], details=True)
    skus = [s.seller_sku for s in answer.payload.inventory_summaries]
    assert skus and all(s.inventory_details.fulfillable_quantity >= 0 for s in answer.payload.inventory_summaries)
    batch = inventory.get_inventory_summaries(granularity_type="Marketplace", granularity_id="ATVPDKIKX0DER",
                                              marketplace_ids=["ATVPDKIKX0DER"], seller_skus=skus[:50])
    assert [s.seller_sku for s in batch.payload.inventory_summaries] == skus[:50]


def test_throttling_and_expired_token(server, seller):
    server.control("PUT", "/rate-limits", {"limits": {"getOrder": {"rate": 0.001, "burst": 1}}})
    orders = OrdersV0Api(client(server, seller).api_client)
    order_id = seller["seeded"]["orders"][0]
    orders.get_order(order_id)
    with pytest.raises(ApiException) as throttled:
        orders.get_order(order_id)
    assert throttled.value.status == 429 and "QuotaExceeded" in throttled.value.body
    assert throttled.value.headers["x-amzn-RateLimit-Limit"] == "0.001"
    server.control("PUT", "/rate-limits", {})
    server.control("POST", "/clock/advance", {"seconds": 3700})
    with pytest.raises(ApiException) as expired:
        orders.get_order(order_id)
    assert expired.value.status == 403 and "Unauthorized" in expired.value.body


class RestrictedDataToken:
    """What amzn-sp-api's ApiClient asks its token cache for on every call: here, the RDT in place of the LWA
    access token (the SDK has no RDT switch of its own; this is how an integration gives it one)."""

    def __init__(self, token: str):
        self.token = token

    def get_lwa_access_token(self) -> str:
        return self.token


def test_buyer_info_and_address_through_a_restricted_data_token(server, seller):
    server.control("POST", "/clock/advance", {"seconds": 600})
    order_id = seller["seeded"]["orders"][0]
    plain = OrdersV0Api(client(server, seller).api_client)
    with pytest.raises(ApiException) as refused:
        plain.get_order_buyer_info(order_id)
    assert refused.value.status == 403
    answer = TokensApi(client(server, seller).api_client).create_restricted_data_token(
        CreateRestrictedDataTokenRequest(restricted_resources=[
            RestrictedResource(method="GET", path="/orders/v0/orders/{orderId}/buyerInfo"),
            RestrictedResource(method="GET", path=f"/orders/v0/orders/{order_id}/address"),
            RestrictedResource(method="GET", path="/orders/v0/orders", data_elements=["buyerInfo"])]))
    assert answer.expires_in == 3600
    configuration = Configuration()
    configuration.host = server.base_url
    configuration.access_token_cache = RestrictedDataToken(answer.restricted_data_token)
    restricted = OrdersV0Api(ApiClient(configuration))
    buyer = restricted.get_order_buyer_info(order_id).payload
    assert buyer.amazon_order_id == order_id and buyer.buyer_email.endswith("@marketplace.amazon.com")
    assert restricted.get_order_address(order_id).payload.shipping_address.country_code == "US"
    orders = restricted.get_orders(marketplace_ids=["ATVPDKIKX0DER"], created_after="2025-01-01T00:00:00Z")
    assert all(order.buyer_info.buyer_email for order in orders.payload.orders)
