"""Feeds: document, upload, feed, processing on the clock, and a processing report with a result per request."""
import json
import xml.etree.ElementTree as ElementTree

import jsonschema

from mock_amazon.spec import models_dir
from model.workflows.orders import acknowledgement_feed
from tests.mock.mcf import ADDRESS, afn_skus, flat_file, request
from tests.support import check_notification

FEEDS = "feeds_2021-06-30"
MCF_FEED = "POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA"


def submit(sp, http, feed_type, content: bytes, content_type="text/tab-separated-values; charset=UTF-8"):
    document = sp(FEEDS, "createFeedDocument", body={"contentType": content_type})
    assert document.status == 201
    upload = http.put(document.body["url"].removeprefix("http://mock.test"), data=content,
                      content_type=content_type)
    assert upload.status_code == 200
    answer = sp(FEEDS, "createFeed", body={"feedType": feed_type, "marketplaceIds": ["ATVPDKIKX0DER"],
                                           "inputFeedDocumentId": document.body["feedDocumentId"]})
    assert answer.status == 202, answer
    return answer.body["feedId"]


def result(sp, http, feed_id) -> tuple[dict, bytes]:
    feed = sp(FEEDS, "getFeed", path={"feedId": feed_id}).body
    document = sp(FEEDS, "getFeedDocument", path={"feedDocumentId": feed["resultFeedDocumentId"]}).body
    return feed, http.get(document["url"].removeprefix("http://mock.test")).get_data()


def test_fulfillment_requests_by_feed_report_each_failure(sp, amazon, http):
    sku = afn_skus(amazon)[0]
    good = request("FR-1", [(sku, 1)])
    bad_country = request("FR-2", [(sku, 1)], address={**ADDRESS, "countryCode": "ZZ"})
    bad_sku = request("FR-3", [("NOT-A-SKU", 1)])
    po_box = request("FR-4", [(sku, 1)], speed="Priority", address={**ADDRESS, "addressLine1": "PO Box 9"})
    zero = request("FR-5", [(sku, 0)])
    feed_id = submit(sp, http, MCF_FEED, flat_file([good, bad_country, bad_sku, po_box, zero]))
    assert sp(FEEDS, "getFeed", path={"feedId": feed_id}).body["processingStatus"] == "IN_QUEUE"
    amazon.advance(30)
    assert sp(FEEDS, "getFeed", path={"feedId": feed_id}).body["processingStatus"] == "IN_PROGRESS"
    amazon.advance(120)
    feed, report = result(sp, http, feed_id)
    assert feed["processingStatus"] == "DONE"
    text = report.decode()
    assert "Number of records processed\t\t5" in text and "Number of records successful\t\t1" in text
    errors = {line.split("\t")[1]: line.split("\t")[5] for line in text.splitlines()[5:] if line}
    assert set(errors) == {"FR-2", "FR-3", "FR-4", "FR-5"}
    assert "ISO 3166-1" in errors["FR-2"] and "NOT-A-SKU" in errors["FR-3"]
    assert "PO boxes" in errors["FR-4"] and "above 0" in errors["FR-5"]
    orders = [o.id for o in amazon.fulfillment_outbound.orders.scan(amazon.seller.seller_id)]
    assert orders == ["FR-1"]


def test_json_listings_feed_sets_quantity_and_handling_time(sp, amazon, http):
    seller = amazon.seller.seller_id
    sku = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "MFN")
    document = {"header": {"sellerId": seller, "version": "2.0"}, "messages": [
        {"messageId": 1, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT", "patches": [
            {"op": "replace", "path": "/attributes/fulfillment_availability",
             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 42, "lead_time_to_ship_max_days": 3}]}]},
        {"messageId": 2, "sku": "NOT-LISTED", "operationType": "PATCH", "productType": "PRODUCT", "patches": [
            {"op": "replace", "path": "/attributes/fulfillment_availability",
             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}]}]}]}
    feed_id = submit(sp, http, "JSON_LISTINGS_FEED", json.dumps(document).encode(), "application/json")
    amazon.advance(150)
    feed, report = result(sp, http, feed_id)
    assert feed["processingStatus"] == "DONE"
    report = json.loads(report)
    schema = json.loads((models_dir() / "listings-feed-processing-report-schema-v2.json").read_text())
    jsonschema.Draft7Validator(schema).validate(report)
    assert report["summary"] == {"errors": 1, "warnings": 0, "messagesProcessed": 2, "messagesAccepted": 1,
                                 "messagesInvalid": 1}
    assert report["issues"][0]["messageId"] == 2
    assert amazon.ledger(seller).get(sku, "DEFAULT").sellable == 42
    assert amazon.listings.items.load(seller, sku).handling_days == 3


def test_unreadable_feed_is_fatal_with_a_reason(sp, amazon, http):
    feed_id = submit(sp, http, "JSON_LISTINGS_FEED", b'{"header": {}}', "application/json")
    amazon.advance(150)
    feed, report = result(sp, http, feed_id)
    assert feed["processingStatus"] == "FATAL"
    assert "schema" in json.loads(report)["issues"][0]["message"]
    feed_id = submit(sp, http, MCF_FEED, b"just\tsome\ttext\n")
    amazon.advance(150)
    feed, report = result(sp, http, feed_id)
    assert feed["processingStatus"] == "FATAL" and b"MerchantFulfillmentOrderID" in report


def test_tracking_feed_ships_merchant_orders(sp, amazon, http):
    seller = amazon.seller.seller_id
    sku = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "MFN")
    order = amazon.orders.place(seller, [(sku, 2)], channel="MFN")
    amazon.advance(amazon.settings.verification_seconds)
    item = order.items[0]["order_item_id"]
    content = ("order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\t"
               f"ship-method\n{order.id}\t{item}\t2\t2026-01-05T12:00:00Z\tUPS\tUPS\t1ZFEED\tGround\n"
               f"999-0000000-0000000\t1\t1\t2026-01-05T12:00:00Z\tUPS\tUPS\t1ZNONE\tGround\n").encode()
    feed_id = submit(sp, http, "POST_FLAT_FILE_FULFILLMENT_DATA", content)
    amazon.advance(150)
    _, report = result(sp, http, feed_id)
    assert b"Number of records successful\t\t1" in report and b"999-0000000-0000000" in report
    stored = amazon.orders.get(seller, order.id)
    assert stored.status == "Shipped" and stored.packages[0]["tracking_number"] == "1ZFEED"


def test_cancel_list_notify_and_refusals(sp, amazon, http):
    destination = sp("notifications", "createDestination", body={
        "name": "q", "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:us-east-1:000000000000:q"}}})
    sp("notifications", "createSubscription", path={"notificationType": "FEED_PROCESSING_FINISHED"},
       body={"payloadVersion": "1.0", "destinationId": destination.body["payload"]["destinationId"]})
    sku = afn_skus(amazon)[0]
    first = submit(sp, http, MCF_FEED, flat_file([request("FR-A", [(sku, 1)])]))
    assert sp(FEEDS, "cancelFeed", path={"feedId": first}).status == 200
    second = submit(sp, http, MCF_FEED, flat_file([request("FR-B", [(sku, 1)])]))
    amazon.advance(150)
    assert sp(FEEDS, "cancelFeed", path={"feedId": second}).status == 400
    listed = sp(FEEDS, "getFeeds", query={"feedTypes": MCF_FEED}).body["feeds"]
    assert [(f["feedId"], f["processingStatus"]) for f in listed] == [(second, "DONE"), (first, "CANCELLED")]
    messages = http.get("/_testbed/notifications").json["notifications"]
    for message in messages:
        check_notification(message)
    assert [m["body"]["payload"]["feedProcessingFinishedNotification"]["processingStatus"] for m in messages] == \
        ["CANCELLED", "DONE"]
    unknown = sp(FEEDS, "createFeed", body={"feedType": "POST_PRODUCT_DATA", "marketplaceIds": ["ATVPDKIKX0DER"],
                                            "inputFeedDocumentId": "x"})
    assert unknown.status == 400 and unknown.body["errors"][0]["details"] == "feedType"
    empty = sp(FEEDS, "createFeedDocument", body={"contentType": "text/plain"}).body
    not_uploaded = sp(FEEDS, "createFeed", body={"feedType": MCF_FEED, "marketplaceIds": ["ATVPDKIKX0DER"],
                                                 "inputFeedDocumentId": empty["feedDocumentId"]})
    assert not_uploaded.status == 400 and "not been uploaded" in not_uploaded.body["errors"][0]["message"]
    assert http.put("/_documents/nothing", data=b"x").status_code == 404


def test_order_acknowledgement_feed_records_the_merchant_order_and_reports_each_failure(sp, amazon, http):

    seller = amazon.seller.seller_id
    sku = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "MFN")
    taken, refused = (amazon.orders.place(seller, [(sku, 1)], "MFN").id for _ in range(2))
    amazon.advance(amazon.settings.verification_seconds)
    pending = amazon.orders.place(seller, [(sku, 1)], "MFN").id          # placed after: still Pending
    afn = next(o for o in amazon.orders.orders.scan(seller) if o.fulfillment_channel == "AFN").id
    content = acknowledgement_feed([(taken, "WH-1", True), (refused, "WH-2", False), (pending, "WH-3", True),
                                    (afn, "WH-4", True), ("999-0000000-0000000", "WH-5", True)])
    feed_id = submit(sp, http, "POST_ORDER_ACKNOWLEDGEMENT_DATA", content, "text/xml; charset=UTF-8")
    amazon.advance(150)
    feed, report = result(sp, http, feed_id)
    assert feed["processingStatus"] == "DONE"
    processing = ElementTree.fromstring(report).find("Message/ProcessingReport")
    assert processing.findtext("ProcessingSummary/MessagesProcessed") == "5"
    assert processing.findtext("ProcessingSummary/MessagesSuccessful") == "2"
    failed = {r.findtext("AdditionalInfo/AmazonOrderID"): r.findtext("ResultDescription")
              for r in processing.findall("Result")}
    assert set(failed) == {pending, afn, "999-0000000-0000000"}
    assert "verified" in failed[pending] and "fulfilled by Amazon" in failed[afn]
    assert sp("ordersV0", "getOrder", path={"orderId": taken}).body["payload"]["SellerOrderId"] == "WH-1"
    assert sp("ordersV0", "getOrder", path={"orderId": refused}).body["payload"]["OrderStatus"] == "Canceled"
    assert "SellerOrderId" not in sp("ordersV0", "getOrder", path={"orderId": pending}).body["payload"]


def test_an_acknowledgement_feed_that_is_not_xml_fails_and_says_why(sp, amazon, http):

    for content, reason in ((b"order-id\tstatus\n", "not well-formed XML"),
                            (b"<AmazonEnvelope><MessageType>Price</MessageType></AmazonEnvelope>",
                             "MessageType is OrderAcknowledgement")):
        feed_id = submit(sp, http, "POST_ORDER_ACKNOWLEDGEMENT_DATA", content, "text/xml; charset=UTF-8")
        amazon.advance(150)
        feed, report = result(sp, http, feed_id)
        assert feed["processingStatus"] == "FATAL"
        assert reason in ElementTree.fromstring(report).findtext("Message/ProcessingReport/Result/ResultDescription")
