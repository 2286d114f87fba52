"""Multi-channel fulfillment: orders move through their lifecycle on the clock, stock is reserved then used,
policies and Hold are respected, and tracking agrees everywhere Amazon shows it."""
import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_amazon import MockAmazon, create_app
from model.clock import VirtualClock
from tests.conftest import login
from tests.mock.mcf import ADDRESS, afn_skus, flat_file, request
from tests.support import Caller, check_notification, flask_sender

F = "fulfillmentOutbound_2020-07-01"
THROUGH = 600 + 1800 + 4 * 3600  # planning, processing and shipping with the default settings


def get(sp, order_id):
    return sp(F, "getFulfillmentOrder", path={"sellerFulfillmentOrderId": order_id}).body["payload"]


def test_order_ships_and_tracking_agrees_everywhere(sp, amazon, http):
    amazon.update_settings({"mcf_split_chance": 1.0})
    destination = sp("notifications", "createDestination", body={
        "name": "q", "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:us-east-1:000000000000:q"}}})
    sp("notifications", "createSubscription", path={"notificationType": "FULFILLMENT_ORDER_STATUS"},
       body={"payloadVersion": "1.0", "destinationId": destination.body["payload"]["destinationId"]})
    seller = amazon.seller.seller_id
    first, second = afn_skus(amazon, 3)[:2]
    ledger = amazon.ledger(seller)
    before = {sku: ledger.total(sku, channel="AFN") for sku in (first, second)}
    assert sp(F, "createFulfillmentOrder", body=request("MCF-1", [(first, 2), (second, 1)])).status == 200
    assert get(sp, "MCF-1")["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Received"
    amazon.advance(600)
    assert get(sp, "MCF-1")["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Planning"
    assert ledger.total(first, "reserved") >= 2
    amazon.advance(THROUGH - 600)
    sp.token = login(http, amazon.seller)
    payload = get(sp, "MCF-1")
    assert payload["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Complete"
    assert ledger.total(first, channel="AFN") == before[first] - 2
    shipments = payload["fulfillmentShipments"]
    assert len(shipments) >= 2, "split into several shipments"
    tracking = {p["packageNumber"]: p["trackingNumber"] for s in shipments for p in s["fulfillmentShipmentPackage"]}

    for number, tracking_number in tracking.items():
        details = sp(F, "getPackageTrackingDetails", query={"packageNumber": str(number)}).body["payload"]
        assert details["trackingNumber"] == tracking_number and details["currentStatus"] == "IN_TRANSIT"

    report_id = sp("reports_2021-06-30", "createReport", body={
        "reportType": "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL", "marketplaceIds": ["ATVPDKIKX0DER"],
        "dataStartTime": "2025-12-01T00:00:00Z"}).body["reportId"]
    amazon.advance(200)
    document_id = sp("reports_2021-06-30", "getReport", path={"reportId": report_id}).body["reportDocumentId"]
    url = sp("reports_2021-06-30", "getReportDocument", path={"reportDocumentId": document_id}).body["url"]
    rows = list(csv.DictReader(io.StringIO(http.get(url.removeprefix("http://mock.test")).get_data(as_text=True)),
                               delimiter="\t"))
    mine = [r for r in rows if r["merchant-order-id"] == "MCF-1"]
    assert {r["tracking-number"] for r in mine} == set(tracking.values())
    assert sum(int(r["quantity-shipped"]) for r in mine) == 3

    messages = http.get("/_testbed/notifications").json["notifications"]
    for message in messages:
        check_notification(message)
    notified = {p["TrackingNumber"] for m in messages
                for p in m["body"]["Payload"]["FulfillmentOrderStatusNotification"]["FulfillmentShipment"][
                    "FulfillmentShipmentPackages"]}
    assert notified == set(tracking.values())
    statuses = [m["body"]["Payload"]["FulfillmentOrderStatusNotification"]["FulfillmentOrderStatus"]
                for m in messages if m["body"]["Payload"]["FulfillmentOrderStatusNotification"]["EventType"] == "Order"]
    assert statuses == ["Received", "Planning", "Processing", "Complete"]
    amazon.advance(5 * 86_400)
    sp.token = login(http, amazon.seller)
    number = next(iter(tracking))
    assert sp(F, "getPackageTrackingDetails", query={"packageNumber": str(number)}).body["payload"][
        "currentStatus"] == "DELIVERED"


def test_fill_or_kill_without_stock_is_unfulfillable_and_reserves_nothing(sp, amazon):
    sku = afn_skus(amazon)[0]
    stock = amazon.ledger(amazon.seller.seller_id).total(sku, channel="AFN")
    sp(F, "createFulfillmentOrder", body=request("MCF-K", [(sku, stock + 1)]))
    amazon.advance(THROUGH)
    payload = get(sp, "MCF-K")
    assert payload["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Unfulfillable"
    assert payload["fulfillmentOrderItems"][0]["unfulfillableQuantity"] == stock + 1
    assert amazon.ledger(amazon.seller.seller_id).total(sku, "reserved") == 0


def test_fill_all_available_ships_what_there_is(sp, amazon):
    sku = afn_skus(amazon)[0]
    stock = amazon.ledger(amazon.seller.seller_id).total(sku, channel="AFN")
    sp(F, "createFulfillmentOrder", body=request("MCF-P", [(sku, stock + 2)], policy="FillAllAvailable"))
    amazon.advance(THROUGH)
    payload = get(sp, "MCF-P")
    assert payload["fulfillmentOrder"]["fulfillmentOrderStatus"] == "CompletePartialled"
    assert payload["fulfillmentOrderItems"][0]["unfulfillableQuantity"] == 2
    assert sum(i["quantity"] for s in payload["fulfillmentShipments"] for i in s["fulfillmentShipmentItem"]) == stock


def test_fill_all_waits_for_stock(sp, amazon):
    seller = amazon.seller.seller_id
    sku = afn_skus(amazon)[0]
    ledger = amazon.ledger(seller)
    stock = ledger.total(sku, channel="AFN")
    sp(F, "createFulfillmentOrder", body=request("MCF-W", [(sku, stock + 5)], policy="FillAll"))
    amazon.advance(600)
    assert get(sp, "MCF-W")["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Planning"
    location = ledger.positions_of(sku)[0].location
    ledger.adjust(sku, location, 5, channel="AFN")  # stock arrives while the order waits
    amazon.advance(THROUGH)
    assert get(sp, "MCF-W")["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Complete"


def test_hold_then_ship_and_cancel_rules(sp, amazon):
    sku = afn_skus(amazon)[0]
    sp(F, "createFulfillmentOrder", body=request("MCF-H", [(sku, 1)], action="Hold"))
    amazon.advance(THROUGH)
    assert get(sp, "MCF-H")["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Received"
    po_box = sp(F, "updateFulfillmentOrder", path={"sellerFulfillmentOrderId": "MCF-H"}, body={
        "shippingSpeedCategory": "Priority", "destinationAddress": {**ADDRESS, "addressLine1": "PO Box 12"}})
    assert po_box.status == 400 and po_box.body["errors"][0]["details"] == "destinationAddress.addressLine1"
    assert sp(F, "updateFulfillmentOrder", path={"sellerFulfillmentOrderId": "MCF-H"},
              body={"fulfillmentAction": "Ship"}).status == 200
    amazon.advance(600 + 1800)
    assert get(sp, "MCF-H")["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Processing"
    late = sp(F, "cancelFulfillmentOrder", path={"sellerFulfillmentOrderId": "MCF-H"})
    assert late.status == 400 and "Processing" in late.body["errors"][0]["message"]

    sp(F, "createFulfillmentOrder", body=request("MCF-C", [(sku, 1)]))
    amazon.advance(600)
    reserved = amazon.ledger(amazon.seller.seller_id).total(sku, "reserved")
    assert sp(F, "cancelFulfillmentOrder", path={"sellerFulfillmentOrderId": "MCF-C"}).status == 200
    assert amazon.ledger(amazon.seller.seller_id).total(sku, "reserved") == reserved - 1
    payload = get(sp, "MCF-C")
    assert payload["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Cancelled"
    assert payload["fulfillmentOrderItems"][0]["cancelledQuantity"] == 1


def test_validation_names_the_field(sp, amazon):
    sku = afn_skus(amazon)[0]
    cases = [
        (request("V1", [(sku, 1)], address={**ADDRESS, "countryCode": "XX"}), "destinationAddress.countryCode"),
        (request("V2", [(sku, 1)], address={**ADDRESS, "stateOrRegion": "ZZ"}), "destinationAddress.stateOrRegion"),
        (request("V3", [("NO-SUCH-SKU", 1)]), "items[0].sellerSku"),
        (request("V4", [(sku, 0)]), "items[0].quantity"),
        (request("V5", [(sku, 1)], speed="Expedited", address={**ADDRESS, "addressLine1": "P.O. Box 7"}),
         "destinationAddress.addressLine1"),
    ]
    for body, field in cases:
        answer = sp(F, "createFulfillmentOrder", body=body)
        assert answer.status == 400 and answer.body["errors"][0]["details"] == field, (field, answer)
    assert sp(F, "getFulfillmentOrder", path={"sellerFulfillmentOrderId": "V1"}).status == 404


def test_preview_list_and_sandbox_status(sp, amazon):
    sku = afn_skus(amazon)[0]
    stock = amazon.ledger(amazon.seller.seller_id).total(sku, channel="AFN")
    previews = sp(F, "getFulfillmentPreview", body={"address": ADDRESS, "items": [
        {"sellerSku": sku, "quantity": stock + 1, "sellerFulfillmentOrderItemId": "1"}]}).body["payload"]
    assert [p["isFulfillable"] for p in previews["fulfillmentPreviews"]] == [False, False, False]
    assert sp(F, "createFulfillmentOrder", body=request("MCF-S", [(sku, 1)])).status == 200
    assert sp(F, "submitFulfillmentOrderStatusUpdate", path={"sellerFulfillmentOrderId": "MCF-S"},
              body={"fulfillmentOrderStatus": "Complete"}).status == 200
    assert get(sp, "MCF-S")["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Complete"
    refused = sp(F, "submitFulfillmentOrderStatusUpdate", path={"sellerFulfillmentOrderId": "MCF-S"},
                 body={"fulfillmentOrderStatus": "Cancelled"})
    assert refused.status == 400
    listed = sp(F, "listAllFulfillmentOrders", query={"queryStartDate": "2025-12-01T00:00:00Z"}).body["payload"]
    assert "MCF-S" in [o["sellerFulfillmentOrderId"] for o in listed["fulfillmentOrders"]]


def test_a_different_request_under_the_same_id_is_refused(sp, amazon):
    first, second = afn_skus(amazon)[:2]
    assert sp(F, "createFulfillmentOrder", body=request("MCF-D", [(first, 1)])).status == 200
    assert sp(F, "createFulfillmentOrder", body=request("MCF-D", [(first, 1)])).status == 200
    clash = sp(F, "createFulfillmentOrder", body=request("MCF-D", [(second, 1)]))
    assert clash.status == 400 and clash.body["errors"][0]["details"] == "sellerFulfillmentOrderId"


SENDS = st.lists(st.tuples(st.sampled_from(["api", "feed"]), st.integers(0, 2), st.booleans()), min_size=1,
                 max_size=8)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sends=SENDS)
def test_retries_by_api_or_feed_create_one_order_each(sends):
    """Random interleavings of retried sends (API or feed, with or without the clock moving): one order per
    request number, and no stock reserved twice."""
    amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test")
    amazon.limits.configure(lifted=True)
    amazon.seller = amazon.create_seller()
    amazon.seed(amazon.seller.seller_id, skus=10, orders=0, seed=2)
    http = create_app(amazon).test_client()
    sp = Caller(flask_sender(http), login(http, amazon.seller))
    skus = afn_skus(amazon, 2)
    requests = [request(f"FR-{n}", [(skus[n % len(skus)], 1)]) for n in range(3)]
    for channel, which, wait in sends:
        if channel == "api":
            assert sp(F, "createFulfillmentOrder", body=requests[which]).status == 200
        else:
            document = sp("feeds_2021-06-30", "createFeedDocument",
                          body={"contentType": "text/tab-separated-values; charset=UTF-8"}).body
            http.put(document["url"].removeprefix("http://mock.test"), data=flat_file([requests[which]]))
            sp("feeds_2021-06-30", "createFeed", body={"feedType": "POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA",
                                                       "marketplaceIds": ["ATVPDKIKX0DER"],
                                                       "inputFeedDocumentId": document["feedDocumentId"]})
        if wait:
            amazon.advance(300)
        sp.token = login(http, amazon.seller)
    amazon.advance(THROUGH + 600)  # a feed's orders start after the feed is processed
    orders = list(amazon.fulfillment_outbound.orders.scan(amazon.seller.seller_id))
    sent = {requests[which]["sellerFulfillmentOrderId"] for _, which, _ in sends}
    assert sorted(o.id for o in orders) == sorted(sent)
    ledger = amazon.ledger(amazon.seller.seller_id)
    assert all(ledger.total(sku, "reserved") == 0 for sku in skus)
    shipped = [i for o in orders for s in o.shipments for i in s["items"]]
    assert len(shipped) == len(sent), "each request shipped exactly once"
