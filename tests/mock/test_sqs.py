"""SQS in-process (Flask's test client, SQS's JSON protocol): the queues that notification destinations name,
visibility and redelivery, receipt handles, batches, dead-letter redrive, notification faults on top, errors in
SQS's shape, and queue state in SQLite. The wire's time is a VirtualClock moved by hand, so visibility is
deterministic; two long-poll tests wait about a second of real time each."""
from __future__ import annotations

import ast
import json
import threading
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient

from mock_amazon import MockAmazon, create_app
from mock_amazon.store import Store
from model.clock import VirtualClock
from tests.support import Caller, check_notification

N = "notifications"
ARN = "arn:aws:sqs:us-east-1:123456789012:orders"
URL = "http://mock.test/sqs/us-east-1/123456789012/orders"
ALL = ["All"]


@pytest.fixture
def wire() -> VirtualClock:
    """The wire's time, apart from the marketplace's clock: SQS visibility runs on it."""
    return VirtualClock(start=1_800_000_000.0)


@pytest.fixture
def amazon(wire: VirtualClock) -> MockAmazon:
    mock = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", wire_clock=wire)
    mock.seller = mock.create_seller()  # type: ignore[attr-defined]
    mock.seed(mock.seller.seller_id, skus=12, orders=0, seed=1)  # type: ignore[attr-defined]
    return mock


class Sqs:
    """SQS actions over the JSON protocol, as botocore sends them."""

    def __init__(self, http: FlaskClient):
        self.http = http

    def raw(self, action: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.http.post("/", data=json.dumps(params or {}), headers={
            "X-Amz-Target": f"AmazonSQS.{action}", "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260105/us-east-1/sqs/aws4_request, "
                             "SignedHeaders=host, Signature=0", **headers})

    def __call__(self, action: str, **params: Any) -> dict[str, Any]:
        response = self.raw(action, params)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.headers["Content-Type"] == "application/x-amz-json-1.0"
        assert "x-amzn-RequestId" in response.headers
        return json.loads(response.get_data())  # Flask's .json knows no application/x-amz-json-1.0

    def error(self, action: str, **params: Any) -> tuple[str, str]:
        """(the query code botocore reports, the __type shape) of a refused call."""
        response = self.raw(action, params)
        assert response.status_code == 400, response.get_data(as_text=True)
        code, fault = response.headers["x-amzn-query-error"].split(";")
        body = json.loads(response.get_data())
        assert fault == "Sender" and set(body) == {"__type", "message"}
        return code, body["__type"].removeprefix("com.amazonaws.sqs#")

    def receive(self, url: str = URL, **params: Any) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self("ReceiveMessage", QueueUrl=url, MessageSystemAttributeNames=ALL,
                                              **params).get("Messages", [])
        return messages


@pytest.fixture
def sqs(http: FlaskClient) -> Sqs:
    return Sqs(http)


def subscribe(sp: Caller, notification_type: str, resource: dict[str, Any] | None = None) -> str:
    destination = sp(N, "createDestination", body={"name": "orders", "resourceSpecification":
                                                   resource or {"sqs": {"arn": ARN}}})
    assert destination.status == 200, destination
    destination_id: str = destination.body["payload"]["destinationId"]
    assert sp(N, "createSubscription", path={"notificationType": notification_type},
              body={"payloadVersion": "1.0", "destinationId": destination_id}).status == 200
    return destination_id


def read_testbed_notifications(http: FlaskClient, consume: bool = True) -> list[dict[str, Any]]:
    """What `GET /_testbed/notifications` reads."""
    response = http.get(f"/_testbed/notifications?consume={str(consume).lower()}")
    assert response.status_code == 200 and response.json is not None
    notifications: list[dict[str, Any]] = response.json["notifications"]
    return notifications


def place_order(amazon: MockAmazon) -> str:
    seller = amazon.seller.seller_id  # type: ignore[attr-defined]
    sku = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "MFN")
    order_id: str = amazon.orders.place(seller, [(sku, 1)], channel="MFN").id
    amazon.advance(amazon.settings.verification_seconds)  # Pending -> Unshipped: ORDER_CHANGE
    return order_id


def create_report(sp: Caller, amazon: MockAmazon) -> str:
    report_id: str = sp("reports_2021-06-30", "createReport", body={
        "reportType": "GET_AFN_INVENTORY_DATA", "marketplaceIds": ["ATVPDKIKX0DER"]}).body["reportId"]
    amazon.advance(120)
    return report_id


def test_a_destination_makes_its_queue_which_boto3_finds_by_name(sp: Caller, sqs: Sqs) -> None:
    subscribe(sp, "ORDER_CHANGE")
    assert sqs("GetQueueUrl", QueueName="orders") == {"QueueUrl": URL}
    assert sqs("GetQueueUrl", QueueName="orders", QueueOwnerAWSAccountId="123456789012") == {"QueueUrl": URL}
    assert sqs("ListQueues") == {"QueueUrls": [URL]}
    attributes = sqs("GetQueueAttributes", QueueUrl=URL, AttributeNames=ALL)["Attributes"]
    assert attributes["QueueArn"] == ARN and attributes["VisibilityTimeout"] == "30"
    assert attributes["ApproximateNumberOfMessages"] == "0"
    # the production URL from a connector's settings names the same queue
    assert sqs("GetQueueAttributes", QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/orders",
               AttributeNames=["QueueArn"]) == {"Attributes": {"QueueArn": ARN}}
    assert sqs.error("GetQueueUrl", QueueName="other") == ("AWS.SimpleQueueService.NonExistentQueue",
                                                           "QueueDoesNotExist")
    bad = sp(N, "createDestination", body={"name": "bad", "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:x"}}})
    assert bad.status == 400 and bad.body["errors"][0]["details"] == "resourceSpecification.sqs.arn"


def test_an_order_change_is_redelivered_until_deleted_and_then_never_again(
        sp: Caller, amazon: MockAmazon, sqs: Sqs, wire: VirtualClock) -> None:
    subscribe(sp, "ORDER_CHANGE")
    order_id = place_order(amazon)
    [first] = sqs.receive(VisibilityTimeout=30)
    body = json.loads(first["Body"])
    check_notification({"type": "ORDER_CHANGE", "body": body})
    assert body["Payload"]["OrderChangeNotification"]["AmazonOrderId"] == order_id
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"
    assert first["Attributes"]["SenderId"] == "437568002678"
    assert first["Attributes"]["SentTimestamp"] == str(int(wire.seconds() * 1000))
    assert sqs.receive() == [], "invisible while in flight"
    wire.advance(29)
    assert sqs.receive() == []
    wire.advance(1)
    [second] = sqs.receive(VisibilityTimeout=10)
    assert second["MessageId"] == first["MessageId"] and second["Body"] == first["Body"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    assert second["Attributes"]["ApproximateFirstReceiveTimestamp"] == first["Attributes"][
        "ApproximateFirstReceiveTimestamp"]
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    sqs("DeleteMessage", QueueUrl=URL, ReceiptHandle=first["ReceiptHandle"])  # an earlier receive's handle
    wire.advance(10)
    [third] = sqs.receive()
    assert third["Attributes"]["ApproximateReceiveCount"] == "3", "a stale handle deletes nothing"
    sqs("DeleteMessage", QueueUrl=URL, ReceiptHandle=third["ReceiptHandle"])
    sqs("DeleteMessage", QueueUrl=URL, ReceiptHandle=third["ReceiptHandle"])  # again: no error, as in SQS
    wire.advance(3600)
    assert sqs.receive(MaxNumberOfMessages=10) == []
    assert sqs("GetQueueAttributes", QueueUrl=URL, AttributeNames=["ApproximateNumberOfMessages",
               "ApproximateNumberOfMessagesNotVisible"])["Attributes"] == {
        "ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}


def test_the_control_api_reads_the_same_queue(sp: Caller, amazon: MockAmazon, http: FlaskClient, sqs: Sqs) -> None:
    destination_id = subscribe(sp, "ORDER_CHANGE")
    place_order(amazon)
    peeked = read_testbed_notifications(http, consume=False)
    assert [(m["type"], m["destination_id"]) for m in peeked] == [("ORDER_CHANGE", destination_id)]
    [message] = sqs.receive()
    assert json.loads(message["Body"]) == peeked[0]["body"] and message["MessageId"] == peeked[0]["message_id"]
    assert read_testbed_notifications(http) == peeked, "in flight, still in the queue"
    assert read_testbed_notifications(http) == [], "consumed: deleted from the queue"
    assert sqs.receive(VisibilityTimeout=0) == []


def test_visibility_changes_and_batches(sqs: Sqs, wire: VirtualClock, sp: Caller) -> None:
    subscribe(sp, "ORDER_CHANGE")
    sent = sqs("SendMessageBatch", QueueUrl=URL, Entries=[{"Id": f"m{i}", "MessageBody": f"body {i}"}
                                                          for i in range(3)])
    assert [e["Id"] for e in sent["Successful"]] == ["m0", "m1", "m2"] and sent["Failed"] == []
    messages = sqs.receive(MaxNumberOfMessages=10)
    assert [m["Body"] for m in messages] == ["body 0", "body 1", "body 2"]
    sqs("ChangeMessageVisibility", QueueUrl=URL, ReceiptHandle=messages[0]["ReceiptHandle"], VisibilityTimeout=0)
    [again] = sqs.receive(MaxNumberOfMessages=10, VisibilityTimeout=60)
    assert again["Body"] == "body 0" and again["Attributes"]["ApproximateReceiveCount"] == "2"
    changed = sqs("ChangeMessageVisibilityBatch", QueueUrl=URL, Entries=[
        {"Id": "a", "ReceiptHandle": messages[1]["ReceiptHandle"], "VisibilityTimeout": 300},
        {"Id": "b", "ReceiptHandle": messages[0]["ReceiptHandle"], "VisibilityTimeout": 300}])
    assert [e["Id"] for e in changed["Successful"]] == ["a"]
    assert [(e["Id"], e["Code"], e["SenderFault"]) for e in changed["Failed"]] == [("b", "InvalidParameterValue", True)]
    wire.advance(30)
    [third] = sqs.receive(MaxNumberOfMessages=10)
    assert third["Body"] == "body 2", "body 1 is in flight for 300 s now, body 0 for 60"
    wire.advance(300)
    deleted = sqs("DeleteMessageBatch", QueueUrl=URL, Entries=[
        {"Id": "x", "ReceiptHandle": again["ReceiptHandle"]}, {"Id": "y", "ReceiptHandle": "not-a-handle"}])
    assert [e["Id"] for e in deleted["Successful"]] == ["x"]
    assert [(e["Id"], e["Code"]) for e in deleted["Failed"]] == [("y", "ReceiptHandleIsInvalid")]
    left = sqs.receive(MaxNumberOfMessages=10)
    assert sorted(m["Body"] for m in left) == ["body 1", "body 2"]
    wire.advance(30)
    assert sqs.error("ChangeMessageVisibility", QueueUrl=URL, ReceiptHandle=left[0]["ReceiptHandle"],
                     VisibilityTimeout=5) == ("AWS.SimpleQueueService.MessageNotInflight", "MessageNotInflight")


def test_a_message_received_too_often_moves_to_the_dead_letter_queue(sqs: Sqs, sp: Caller) -> None:
    subscribe(sp, "ORDER_CHANGE")
    dead_url = sqs("CreateQueue", QueueName="orders-dead")["QueueUrl"]
    assert dead_url == "http://mock.test/sqs/us-east-1/000000000000/orders-dead"
    dead_arn = sqs("GetQueueAttributes", QueueUrl=dead_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs("SetQueueAttributes", QueueUrl=URL, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": "2"})})
    assert json.loads(sqs("GetQueueAttributes", QueueUrl=URL, AttributeNames=["RedrivePolicy"])["Attributes"][
        "RedrivePolicy"]) == {"deadLetterTargetArn": dead_arn, "maxReceiveCount": 2}
    message_id = sqs("SendMessage", QueueUrl=URL, MessageBody="poison")["MessageId"]
    counts = [m["Attributes"]["ApproximateReceiveCount"] for _ in range(3) for m in sqs.receive(VisibilityTimeout=0)]
    assert counts == ["1", "2"], "the third receive finds it moved"
    [dead] = sqs.receive(dead_url)
    assert dead["MessageId"] == message_id and dead["Attributes"]["DeadLetterQueueSourceArn"] == ARN
    sqs("DeleteMessage", QueueUrl=dead_url, ReceiptHandle=dead["ReceiptHandle"])
    missing = json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nowhere", "maxReceiveCount": 1})
    assert sqs.error("SetQueueAttributes", QueueUrl=URL, Attributes={"RedrivePolicy": missing})[0] == \
        "InvalidAttributeValue"
    sqs("SetQueueAttributes", QueueUrl=URL, Attributes={"RedrivePolicy": ""})
    assert "RedrivePolicy" not in sqs("GetQueueAttributes", QueueUrl=URL, AttributeNames=ALL)["Attributes"]


def test_notification_faults_apply_on_top(sp: Caller, amazon: MockAmazon, sqs: Sqs) -> None:
    subscribe(sp, "REPORT_PROCESSING_FINISHED")
    amazon.notifications.configure_faults([{"action": "duplicate", "count": 1}])
    create_report(sp, amazon)
    twice = sqs.receive(MaxNumberOfMessages=10)
    assert len(twice) == 2 and twice[0]["MessageId"] != twice[1]["MessageId"]
    payloads = [json.loads(m["Body"])["payload"] for m in twice]
    assert payloads[0] == payloads[1]
    amazon.notifications.configure_faults([{"action": "reorder", "seconds": 300, "count": 1}])
    ids = [create_report(sp, amazon) for _ in range(2)]
    amazon.advance(300)
    order = [json.loads(m["Body"])["payload"]["reportProcessingFinishedNotification"]["reportId"]
             for m in sqs.receive(MaxNumberOfMessages=10)]
    assert order == [ids[1], ids[0]]
    amazon.notifications.configure_faults([{"action": "drop", "count": 1}])
    create_report(sp, amazon)
    assert sqs.receive(MaxNumberOfMessages=10, VisibilityTimeout=0) == []


def test_eventbridge_events_are_routed_to_the_accounts_queue(sp: Caller, amazon: MockAmazon, sqs: Sqs,
                                                            http: FlaskClient) -> None:
    destination_id = subscribe(sp, "ORDER_CHANGE", {"eventBridge": {"region": "us-east-1",
                                                                    "accountId": "123456789012"}})
    order_id = place_order(amazon)
    url = sqs("GetQueueUrl", QueueName="sp-api-eventbridge")["QueueUrl"]
    [message] = sqs.receive(url)
    event = json.loads(message["Body"])
    assert event["detail-type"] == "ORDER_CHANGE" and event["account"] == "123456789012"
    assert event["source"] == "aws.partner/sellingpartnerapi.amazon.com/123456789012/orders"
    check_notification({"type": "ORDER_CHANGE", "body": event["detail"]})
    [read] = read_testbed_notifications(http)
    assert read["destination_id"] == destination_id
    assert read["body"]["Payload"]["OrderChangeNotification"]["AmazonOrderId"] == order_id


def test_delay_and_retention_run_on_the_wire_clock(sqs: Sqs, wire: VirtualClock, sp: Caller) -> None:
    subscribe(sp, "ORDER_CHANGE")
    sqs("SendMessage", QueueUrl=URL, MessageBody="later", DelaySeconds=10)
    assert sqs("GetQueueAttributes", QueueUrl=URL, AttributeNames=["ApproximateNumberOfMessagesDelayed"]) == {
        "Attributes": {"ApproximateNumberOfMessagesDelayed": "1"}}
    assert sqs.receive() == []
    wire.advance(10)
    [later] = sqs.receive(VisibilityTimeout=0)
    assert later["Body"] == "later"
    sqs("SetQueueAttributes", QueueUrl=URL, Attributes={"MessageRetentionPeriod": "60"})
    wire.advance(61)
    assert sqs.receive() == [], "past the retention period"


def test_message_attributes_and_their_digest(sqs: Sqs, sp: Caller) -> None:
    subscribe(sp, "ORDER_CHANGE")
    attributes = {"timestamp": {"DataType": "Number", "StringValue": "1493147359900"}}
    sent = sqs("SendMessage", QueueUrl=URL, MessageBody="derp", MessageAttributes=attributes)
    # the digests SQS gives for this body and attribute (moto's and LocalStack's tests pin the same values)
    assert sent["MD5OfMessageBody"] == "58fd9edd83341c29f1aebba81c31e257"
    assert sent["MD5OfMessageAttributes"] == "235c5c510d26fb653d073faed50ae77c"
    [plain] = sqs.receive(VisibilityTimeout=0)
    assert "MessageAttributes" not in plain
    [full] = sqs.receive(MessageAttributeNames=["timestamp"])
    assert full["MessageAttributes"] == attributes and full["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert full["Attributes"]["SenderId"] == "AKIDTEST"


def test_long_poll_waits_outside_the_lock_and_wakes_on_delivery(amazon: MockAmazon, sp: Caller, sqs: Sqs) -> None:
    """Real time: about half a second."""
    subscribe(sp, "ORDER_CHANGE")
    app = create_app(amazon)
    got: list[list[dict[str, Any]]] = []
    poller = threading.Thread(target=lambda: got.append(Sqs(app.test_client()).receive(WaitTimeSeconds=20)))
    started = time.perf_counter()
    poller.start()
    time.sleep(0.3)  # real time: let the poll start waiting
    assert poller.is_alive()
    assert sqs("GetQueueAttributes", QueueUrl=URL, AttributeNames=["QueueArn"]), "not blocked by the waiting poll"
    place_order(amazon)  # the delivery wakes the poll
    poller.join(timeout=5)
    assert not poller.is_alive() and time.perf_counter() - started < 3
    [[message]] = got
    assert json.loads(message["Body"])["NotificationType"] == "ORDER_CHANGE"


def test_an_empty_long_poll_gives_up_after_its_wait_in_real_time(sqs: Sqs, sp: Caller) -> None:
    """Real time: one second, though the wire's clock here never moves."""
    subscribe(sp, "ORDER_CHANGE")
    started = time.perf_counter()
    assert sqs.receive(WaitTimeSeconds=1) == []
    assert 0.9 < time.perf_counter() - started < 3


@pytest.mark.parametrize("action, params, code", [
    ("ReceiveMessage", {"QueueUrl": URL, "MaxNumberOfMessages": 0}, "InvalidParameterValue"),
    ("ReceiveMessage", {"QueueUrl": URL, "MaxNumberOfMessages": 11}, "InvalidParameterValue"),
    ("ReceiveMessage", {"QueueUrl": URL, "WaitTimeSeconds": 21}, "InvalidParameterValue"),
    ("ReceiveMessage", {"QueueUrl": URL, "VisibilityTimeout": 43_201}, "InvalidParameterValue"),
    ("ReceiveMessage", {"QueueUrl": URL, "MaxNumberOfMessages": "2"}, "InvalidParameterValue"),
    ("ReceiveMessage", {"QueueUrl": URL, "MessageSystemAttributeNames": ["Colour"]}, "InvalidAttributeName"),
    ("ReceiveMessage", {}, "MissingParameter"),
    ("ReceiveMessage", {"QueueUrl": "http://mock.test/sqs/us-east-1/123456789012/nope"},
     "AWS.SimpleQueueService.NonExistentQueue"),
    ("DeleteMessage", {"QueueUrl": URL, "ReceiptHandle": "garbage"}, "ReceiptHandleIsInvalid"),
    ("DeleteMessage", {"QueueUrl": URL, "ReceiptHandle": "MTox"}, "ReceiptHandleIsInvalid"),
    ("DeleteMessage", {"QueueUrl": URL}, "MissingParameter"),
    ("ChangeMessageVisibility", {"QueueUrl": URL, "ReceiptHandle": "x"}, "MissingParameter"),
    ("DeleteMessageBatch", {"QueueUrl": URL, "Entries": []}, "AWS.SimpleQueueService.EmptyBatchRequest"),
    ("DeleteMessageBatch", {"QueueUrl": URL, "Entries": [{"Id": str(i), "ReceiptHandle": "x"} for i in range(11)]},
     "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
    ("DeleteMessageBatch", {"QueueUrl": URL, "Entries": [{"Id": "a", "ReceiptHandle": "x"}] * 2},
     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
    ("DeleteMessageBatch", {"QueueUrl": URL, "Entries": [{"Id": "a b", "ReceiptHandle": "x"}]},
     "AWS.SimpleQueueService.InvalidBatchEntryId"),
    ("SendMessage", {"QueueUrl": URL, "MessageBody": ""}, "MissingParameter"),
    ("SendMessage", {"QueueUrl": URL, "MessageBody": "bell \x07"}, "InvalidMessageContents"),
    ("SendMessage", {"QueueUrl": URL, "MessageBody": "x", "DelaySeconds": 901}, "InvalidParameterValue"),
    ("SendMessage", {"QueueUrl": URL, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Date"}}},
     "InvalidParameterValue"),
    ("CreateQueue", {"QueueName": "orders.fifo"}, "InvalidParameterValue"),
    ("CreateQueue", {"QueueName": "bad name"}, "InvalidParameterValue"),
    ("CreateQueue", {"QueueName": "q", "Attributes": {"Colour": "blue"}}, "InvalidAttributeName"),
    ("CreateQueue", {"QueueName": "q", "Attributes": {"VisibilityTimeout": "-1"}}, "InvalidAttributeValue"),
    ("GetQueueAttributes", {"QueueUrl": URL, "AttributeNames": ["Colour"]}, "InvalidAttributeName"),
    ("SetQueueAttributes", {"QueueUrl": URL}, "MissingParameter"),
    ("Unsubscribe", {}, "InvalidAction"),
])
def test_refusals_in_sqs_shape(sqs: Sqs, sp: Caller, action: str, params: dict[str, Any], code: str) -> None:
    subscribe(sp, "ORDER_CHANGE")
    assert sqs.error(action, **params)[0] == code


def test_malformed_requests_are_refused_never_a_500(sqs: Sqs, http: FlaskClient) -> None:
    not_json = http.post("/", data=b"{", headers={"X-Amz-Target": "AmazonSQS.ListQueues"})
    assert not_json.status_code == 400 and json.loads(not_json.get_data())["__type"].endswith("#SerializationException")
    not_an_object = http.post("/", data=b"[1]", headers={"X-Amz-Target": "AmazonSQS.ListQueues"})
    assert not_an_object.status_code == 400 and not_an_object.headers["x-amzn-query-error"] == \
        "SerializationException;Sender"
    no_target = http.post("/", data=b"{}")
    assert no_target.status_code == 400 and no_target.headers["x-amzn-query-error"] == "InvalidAction;Sender"
    sqs("CreateQueue", QueueName="dup", Attributes={"VisibilityTimeout": "5"})
    assert sqs("CreateQueue", QueueName="dup", Attributes={"VisibilityTimeout": "5"})["QueueUrl"].endswith("/dup")
    assert sqs.error("CreateQueue", QueueName="dup", Attributes={"VisibilityTimeout": "6"})[0] == "QueueAlreadyExists"


def test_the_query_protocol_runs_the_same_actions(http: FlaskClient, sp: Caller) -> None:
    """SQS's older protocol, as SDKs from before its JSON protocol send it: a form in, XML out."""
    subscribe(sp, "ORDER_CHANGE")
    ns = {"sqs": "http://queue.amazonaws.com/doc/2012-11-05/"}

    def query(action: str, form: dict[str, str | None], path: str = "/", status: int = 200) -> ElementTree.Element:
        response = http.post(path, data={"Action": action, "Version": "2012-11-05", **form})
        assert response.status_code == status and response.content_type == "text/xml", response.get_data()
        return ElementTree.fromstring(response.get_data())

    sent = query("SendMessage", {"QueueUrl": URL, "MessageBody": "a & <b>", "MessageAttribute.1.Name": "timestamp",
                                 "MessageAttribute.1.Value.DataType": "Number",
                                 "MessageAttribute.1.Value.StringValue": "1493147359900"})
    assert sent.findtext("sqs:SendMessageResult/sqs:MD5OfMessageAttributes", namespaces=ns) == \
        "235c5c510d26fb653d073faed50ae77c"
    received = query("ReceiveMessage", {"QueueUrl": URL, "VisibilityTimeout": "0", "MaxNumberOfMessages": "10",
                                        "AttributeName.1": "All", "MessageAttributeName.1": "All"})
    [message] = received.findall("sqs:ReceiveMessageResult/sqs:Message", ns)
    assert message.findtext("sqs:Body", namespaces=ns) == "a & <b>"
    attributes = {a.findtext("sqs:Name", namespaces=ns): a.findtext("sqs:Value", namespaces=ns)
                  for a in message.findall("sqs:Attribute", ns)}
    assert attributes["ApproximateReceiveCount"] == "1" and attributes["SenderId"] == "000000000000"
    assert message.findtext("sqs:MessageAttribute/sqs:Value/sqs:StringValue", namespaces=ns) == "1493147359900"
    deleted = query("DeleteMessageBatch", {
        "QueueUrl": URL, "DeleteMessageBatchRequestEntry.1.Id": "one",
        "DeleteMessageBatchRequestEntry.1.ReceiptHandle": message.findtext("sqs:ReceiptHandle", namespaces=ns)})
    assert deleted.findtext("sqs:DeleteMessageBatchResult/sqs:DeleteMessageBatchResultEntry/sqs:Id",
                            namespaces=ns) == "one"
    on_path = query("GetQueueAttributes", {"AttributeName.1": "QueueArn",
                                           "AttributeName.2": "ApproximateNumberOfMessages"},
                    path="/sqs/us-east-1/123456789012/orders")
    assert [(a.findtext("sqs:Name", namespaces=ns), a.findtext("sqs:Value", namespaces=ns))
            for a in on_path.iterfind("sqs:GetQueueAttributesResult/sqs:Attribute", ns)] == [
        ("QueueArn", ARN), ("ApproximateNumberOfMessages", "0")]
    refused = query("GetQueueUrl", {"QueueName": "nope"}, status=400)
    assert refused.findtext("sqs:Error/sqs:Code", namespaces=ns) == "AWS.SimpleQueueService.NonExistentQueue"
    assert refused.findtext("sqs:Error/sqs:Type", namespaces=ns) == "Sender"


def test_queues_can_be_purged_and_deleted_and_calls_may_go_to_the_queue_url(sqs: Sqs, http: FlaskClient,
                                                                          sp: Caller) -> None:
    subscribe(sp, "ORDER_CHANGE")
    sqs("SendMessage", QueueUrl=URL, MessageBody="one")
    on_path = http.post("/sqs/us-east-1/123456789012/orders", data="{}", headers={
        "X-Amz-Target": "AmazonSQS.GetQueueAttributes"})
    assert on_path.status_code == 200 and on_path.get_data() == b"{}"
    sqs("PurgeQueue", QueueUrl=URL)
    assert sqs.receive() == []
    sqs("DeleteQueue", QueueUrl=URL)
    assert sqs.error("GetQueueUrl", QueueName="orders")[0] == "AWS.SimpleQueueService.NonExistentQueue"


def test_queue_state_survives_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "mock.sqlite3")
    wire = VirtualClock(start=1_800_000_000.0)
    first = MockAmazon(store=Store(path), clock=VirtualClock(), base_url="http://mock.test", wire_clock=wire)
    with first.lock, first.store.transaction():
        first.sqs.ensure_queue(ARN)
        first.sqs.send_message(URL, "kept")
    [received] = first.sqs.receive_message(URL, visibility=30, system_attributes=("ApproximateReceiveCount",))
    first.store.db.close()
    again = MockAmazon(store=Store(path), clock=VirtualClock(), base_url="http://mock.test", wire_clock=wire)
    assert again.sqs.receive_message(URL) == [], "still in flight after the restart"
    wire.advance(30)
    [back] = again.sqs.receive_message(URL, system_attributes=("ApproximateReceiveCount",))
    assert back["MessageId"] == received["MessageId"] and back["Attributes"] == {"ApproximateReceiveCount": "2"}


def test_the_mock_imports_no_aws_library() -> None:
    """boto3 and the AWS CLI are test dependencies only: the mock speaks SQS's wire protocol by itself."""
    root = Path(__file__).resolve().parents[2] / "mock_amazon"
    aws = {"boto3", "botocore", "awscli", "s3transfer", "aiobotocore"}
    found = sorted(f"{path.relative_to(root)}: {name}" for path in root.rglob("*.py")
                   for node in ast.walk(ast.parse(path.read_text()))
                   for name in ([a.name for a in node.names] if isinstance(node, ast.Import) else
                                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                   if name.split(".")[0] in aws)
    assert found == []
