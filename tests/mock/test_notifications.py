"""Notifications: destinations and subscriptions, delivery to the testbed's queue (and webhooks), payloads that
validate against Amazon's schemas, and fault rules that drop, delay, duplicate or reorder them."""
import http.server
import json
import threading

import pytest

from mock_amazon import MockAmazon
from model.clock import VirtualClock
from tests.support import check_notification

N = "notifications"
ARN = "arn:aws:sqs:us-east-1:000000000000:testbed"


def subscribe(sp, *types):
    destination = sp(N, "createDestination", body={"name": "queue", "resourceSpecification": {"sqs": {"arn": ARN}}})
    assert destination.status == 200
    destination_id = destination.body["payload"]["destinationId"]
    for notification_type in types:
        answer = sp(N, "createSubscription", path={"notificationType": notification_type},
                    body={"payloadVersion": "1.0", "destinationId": destination_id})
        assert answer.status == 200, answer
    return destination_id


def received(http, **query):
    return http.get("/_testbed/notifications", query_string=query).json["notifications"]


def test_destinations_and_subscriptions(sp):
    destination_id = subscribe(sp, "ORDER_CHANGE")
    again = sp(N, "createDestination", body={"name": "queue", "resourceSpecification": {"sqs": {"arn": ARN}}})
    assert again.status == 409
    assert sp(N, "createSubscription", path={"notificationType": "ORDER_CHANGE"},
              body={"payloadVersion": "1.0", "destinationId": destination_id}).status == 409
    subscription = sp(N, "getSubscription", path={"notificationType": "ORDER_CHANGE"}).body["payload"]
    assert subscription["destinationId"] == destination_id
    assert sp(N, "getSubscriptionById", path={"notificationType": "ORDER_CHANGE",
                                              "subscriptionId": subscription["subscriptionId"]}).status == 200
    assert sp(N, "deleteDestination", path={"destinationId": destination_id}).status == 409
    assert sp(N, "deleteSubscriptionById", path={"notificationType": "ORDER_CHANGE",
                                                 "subscriptionId": subscription["subscriptionId"]}).status == 200
    assert sp(N, "getSubscription", path={"notificationType": "ORDER_CHANGE"}).status == 404
    assert [d["destinationId"] for d in sp(N, "getDestinations").body["payload"]] == [destination_id]
    assert sp(N, "getDestination", path={"destinationId": destination_id}).status == 200
    assert sp(N, "deleteDestination", path={"destinationId": destination_id}).status == 200
    unknown = sp(N, "getSubscription", path={"notificationType": "NOT_A_TYPE"})
    assert unknown.status == 400 and unknown.body["errors"][0]["details"] == "notificationType"


def test_order_report_and_inventory_notifications_validate(sp, amazon, http):
    subscribe(sp, "ORDER_CHANGE", "REPORT_PROCESSING_FINISHED", "FBA_INVENTORY_AVAILABILITY_CHANGES")
    seller = amazon.seller.seller_id
    sku = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "AFN")
    order = amazon.orders.place(seller, [(sku, 1)], channel="AFN")
    sp("reports_2021-06-30", "createReport",
       body={"reportType": "GET_AFN_INVENTORY_DATA", "marketplaceIds": ["ATVPDKIKX0DER"]})
    amazon.advance(amazon.settings.verification_seconds)
    messages = received(http)
    for message in messages:
        check_notification(message)
    types = [m["type"] for m in messages]
    assert "FBA_INVENTORY_AVAILABILITY_CHANGES" in types and "REPORT_PROCESSING_FINISHED" in types
    changes = [m["body"]["Payload"]["OrderChangeNotification"] for m in messages if m["type"] == "ORDER_CHANGE"]
    assert [(c["AmazonOrderId"], c["Summary"]["OrderStatus"]) for c in changes] == [(order.id, "Unshipped")]
    assert received(http) == [], "read messages are consumed"


def test_fault_rules_drop_delay_duplicate(sp, amazon, http):
    subscribe(sp, "REPORT_PROCESSING_FINISHED")

    def report():
        sp("reports_2021-06-30", "createReport", body={"reportType": "GET_AFN_INVENTORY_DATA",
                                                       "marketplaceIds": ["ATVPDKIKX0DER"]})
        amazon.advance(120)

    amazon.notifications.configure_faults([{"action": "drop", "count": 1}])
    report()
    assert received(http) == []
    amazon.notifications.configure_faults([{"action": "duplicate", "count": 1}])
    report()
    twice = received(http)
    assert len(twice) == 2 and twice[0]["body"]["payload"] == twice[1]["body"]["payload"]
    assert twice[0]["message_id"] != twice[1]["message_id"]
    amazon.notifications.configure_faults([{"action": "delay", "seconds": 600, "count": 1}])
    report()
    assert received(http) == []
    amazon.advance(600)
    assert len(received(http)) == 1
    with pytest.raises(ValueError, match=r"notification_faults\[0\].action"):
        amazon.notifications.configure_faults([{"action": "explode"}])


def test_reorder_lets_a_later_notification_overtake(sp, amazon, http):
    subscribe(sp, "REPORT_PROCESSING_FINISHED")
    amazon.notifications.configure_faults([{"action": "reorder", "seconds": 300, "count": 1}])
    ids = []
    for _ in range(2):
        ids.append(sp("reports_2021-06-30", "createReport", body={
            "reportType": "GET_AFN_INVENTORY_DATA", "marketplaceIds": ["ATVPDKIKX0DER"]}).body["reportId"])
        amazon.advance(120)
    amazon.advance(300)
    order = [m["body"]["payload"]["reportProcessingFinishedNotification"]["reportId"] for m in received(http)]
    assert order == [ids[1], ids[0]]


def test_webhook_receives_each_message():
    got = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        amazon = MockAmazon(clock=VirtualClock())
        seller = amazon.create_seller()
        amazon.seed(seller.seller_id, skus=3, orders=0)
        amazon.notifications.set_webhooks({ARN: f"http://127.0.0.1:{server.server_port}/hook"})
        destination = amazon.notifications.create_destination(seller.seller_id, "hook", {"sqs": {"arn": ARN}})
        amazon.notifications.subscribe(seller.seller_id, "ORDER_CHANGE",
                                       {"payloadVersion": "1.0", "destinationId": destination.id})
        sku = next(amazon.listings.items.scan(seller.seller_id)).sku
        channel = amazon.listings.items.load(seller.seller_id, sku).channel
        amazon.orders.place(seller.seller_id, [(sku, 1)], channel=channel)
        amazon.advance(amazon.settings.verification_seconds)
        assert [m["NotificationType"] for m in got] == ["ORDER_CHANGE"]
        with pytest.raises(ValueError, match="http"):
            amazon.notifications.set_webhooks({ARN: "ftp://nowhere"})
    finally:
        server.shutdown()
        server.server_close()
