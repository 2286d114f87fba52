"""Issue 4's surfaces through the real clients over real HTTP: python-amazon-sp-api's feed submission and both
clients' fulfillment-order calls."""
import io

import pytest
from sp_api.api import Feeds, FulfillmentOutbound, Notifications
from sp_api.auth import access_token_client
from spapi.api.fulfillment_outbound_v2020_07_01.fba_outbound_api import FbaOutboundApi
from spapi.models.fulfillment_outbound_v2020_07_01.address import Address
from spapi.models.fulfillment_outbound_v2020_07_01.create_fulfillment_order_item import (
    CreateFulfillmentOrderItem,
)
from spapi.models.fulfillment_outbound_v2020_07_01.create_fulfillment_order_request import (
    CreateFulfillmentOrderRequest,
)

from tests.conformance.test_amzn_sp_api import client as sdk_client
from tests.conformance.test_python_amazon_sp_api import client
from tests.mock.mcf import ADDRESS, flat_file, request

pytestmark = pytest.mark.conformance


def afn_sku(server, seller) -> str:
    return seller["seeded"]["fba_skus"][0]


def test_python_amazon_sp_api_submits_a_fulfillment_feed(server, seller):
    sku = afn_sku(server, seller)
    feeds = client(Feeds, server, seller)
    content = flat_file([request("PY-FEED-1", [(sku, 1)]), request("PY-FEED-2", [("NOPE", 1)])])
    document, feed = feeds.submit_feed("POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA", io.BytesIO(content),
                                       content_type="text/tab-separated-values; charset=UTF-8")
    feed_id = feed.payload["feedId"]
    server.control("POST", "/clock/advance", {"seconds": 200})
    finished = feeds.get_feed(feed_id).payload
    assert finished["processingStatus"] == "DONE"
    report = feeds.get_feed_result_document(finished["resultFeedDocumentId"])
    assert "Number of records successful\t\t1" in report and "PY-FEED-2" in report


def test_python_amazon_sp_api_fulfillment_orders(server, seller):
    sku = afn_sku(server, seller)
    outbound = client(FulfillmentOutbound, server, seller)
    outbound.create_fulfillment_order(**request("PY-MCF", [(sku, 1)]))
    outbound.create_fulfillment_order(**request("PY-MCF", [(sku, 1)]))  # a retry: still one order
    server.control("PUT", "/settings", {"mcf_split_chance": 0})
    server.control("POST", "/clock/advance", {"seconds": 600 + 1800 + 4 * 3600})
    access_token_client.cache.clear()  # the client trusts its cached token for 3200 real seconds; the mock's
    #                                    clock just moved hours on, so the token must be fetched again
    order = outbound.get_fulfillment_order("PY-MCF").payload
    assert order["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Complete"
    package = order["fulfillmentShipments"][0]["fulfillmentShipmentPackage"][0]
    tracking = outbound.get_package_tracking_details(packageNumber=package["packageNumber"]).payload
    assert tracking["trackingNumber"] == package["trackingNumber"]
    listed = outbound.list_all_fulfillment_orders(queryStartDate="2020-01-01T00:00:00Z").payload
    assert [o["sellerFulfillmentOrderId"] for o in listed["fulfillmentOrders"]] == ["PY-MCF"]


def test_python_amazon_sp_api_grantless_destination(server, seller):
    notifications = client(Notifications, server, seller)
    created = notifications.create_destination(name="queue", arn="arn:aws:sqs:us-east-1:000000000000:py")
    assert created.payload["resource"]["sqs"]["arn"].endswith(":py")


def test_amzn_sp_api_fulfillment_orders(server, seller):
    sku = afn_sku(server, seller)
    outbound = FbaOutboundApi(sdk_client(server, seller).api_client)
    body = CreateFulfillmentOrderRequest(
        seller_fulfillment_order_id="SDK-MCF", displayable_order_id="SDK-MCF",
        displayable_order_date="2026-01-05T00:00:00Z", displayable_order_comment="Thanks",
        shipping_speed_category="Expedited",
        destination_address=Address(name=ADDRESS["name"], address_line1=ADDRESS["addressLine1"], city=ADDRESS["city"],
                                    state_or_region=ADDRESS["stateOrRegion"], postal_code=ADDRESS["postalCode"],
                                    country_code=ADDRESS["countryCode"]),
        items=[CreateFulfillmentOrderItem(seller_sku=sku, seller_fulfillment_order_item_id="1", quantity=1)])
    outbound.create_fulfillment_order(body)
    order = outbound.get_fulfillment_order("SDK-MCF").payload
    assert order.fulfillment_order.fulfillment_order_status == "Received"
    outbound.cancel_fulfillment_order("SDK-MCF")
    order = outbound.get_fulfillment_order("SDK-MCF").payload
    assert order.fulfillment_order.fulfillment_order_status == "Cancelled"
    assert order.fulfillment_order_items[0].cancelled_quantity == 1
