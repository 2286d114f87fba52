"""boto3 and the AWS CLI, unchanged but for the endpoint, read notifications from `python -m mock_amazon`'s SQS
over real HTTP. These tests run in real time (visibility and long polls are on the wall clock): about five
seconds in all."""
from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
from sp_api.api import Notifications
from sp_api.auth import access_token_client

from mock_amazon.spec import models_dir
from tests.conformance.test_python_amazon_sp_api import client
from tests.support import Server

pytestmark = pytest.mark.conformance

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sqs.md"
DOCUMENTED_BASE_URL = "http://127.0.0.1:8000"
COMMAND_MARK = "<!-- tests/conformance/test_sqs_clients.py runs the next command"


@pytest.fixture
def dummy_aws(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The dummy credentials and region the docs give; no AWS configuration of the machine is read."""
    values = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1",
              "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SQS", raising=False)
    return values


@pytest.fixture
def quiet_seller(server: Server) -> dict[str, Any]:
    """A seller with a catalog and no orders yet, so the only ORDER_CHANGE is the test's own."""
    access_token_client.cache.clear()
    status, seller = server.control("POST", "/sellers")
    assert status == 201
    status, seeded = server.control("POST", "/seed", {"seller_id": seller["seller_id"], "skus": 6, "orders": 0})
    assert status == 200
    seller["mfn_sku"] = next(sku for sku in seeded["skus"] if sku not in seeded["fba_skus"])
    return seller


def subscribe_and_place_an_order(server: Server, seller: dict[str, Any], queue_arn: str) -> str:
    """Through the Notifications API (python-amazon-sp-api), then a customer's order, verified on the clock."""
    notifications = client(Notifications, server, seller)
    destination = notifications.create_destination(name="orders", arn=queue_arn).payload
    notifications.create_subscription("ORDER_CHANGE", destination_id=destination["destinationId"])
    status, order = server.control("POST", "/orders", {"seller_id": seller["seller_id"], "channel": "MFN",
                                                       "lines": [{"sku": seller["mfn_sku"], "quantity": 1}]})
    assert status == 201
    assert server.control("POST", "/clock/advance", {"seconds": 300})[0] == 200  # Pending -> Unshipped
    order_id: str = order["order_id"]
    return order_id


def check_order_change(body: str, order_id: str) -> None:
    notification = json.loads(body)
    schema = json.loads((models_dir() / "OrderChangeNotification.json").read_text())
    jsonschema.Draft7Validator(schema).validate(notification)
    assert notification["Payload"]["OrderChangeNotification"]["AmazonOrderId"] == order_id


def test_boto3_long_polls_sees_redelivery_and_deletes(server: Server, quiet_seller: dict[str, Any],
                                                     dummy_aws: dict[str, str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Real time: a one-second visibility timeout lapses, then a two-second long poll finds nothing."""
    order_id = subscribe_and_place_an_order(server, quiet_seller, "arn:aws:sqs:us-east-1:123456789012:connector")
    sqs = boto3.client("sqs", endpoint_url=server.base_url)
    url = sqs.get_queue_url(QueueName="connector")["QueueUrl"]
    assert url == f"{server.base_url}/sqs/us-east-1/123456789012/connector"

    [first] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5, VisibilityTimeout=1,
                                  MessageSystemAttributeNames=["All"])["Messages"]
    check_order_change(first["Body"], order_id)
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"
    assert "Messages" not in sqs.receive_message(QueueUrl=url), "in flight"

    started = time.monotonic()
    [again] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5, MessageSystemAttributeNames=["All"])["Messages"]
    assert time.monotonic() - started < 4, "the long poll returns once the visibility lapses"
    assert again["MessageId"] == first["MessageId"] and again["Body"] == first["Body"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"

    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2), "deleted: never again"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="no-such-queue")

    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", server.base_url)  # the code-free way the docs give
    assert boto3.client("sqs").get_queue_url(QueueName="connector")["QueueUrl"] == url


def documented_command() -> list[str]:
    """The `aws sqs receive-message` command of docs/sqs.md, word for word."""
    text = DOCS.read_text()
    block = text[text.index(COMMAND_MARK):].split("```bash\n", 1)[1].split("```", 1)[0]
    return shlex.split(block.replace("\\\n", " "))


def test_the_documented_aws_cli_command_receives_the_notification(server: Server, quiet_seller: dict[str, Any],
                                                                  dummy_aws: dict[str, str]) -> None:
    command = documented_command()
    assert command[:3] == ["aws", "sqs", "receive-message"]
    order_id = subscribe_and_place_an_order(server, quiet_seller, "arn:aws:sqs:us-east-1:123456789012:orders")
    aws = Path(sys.executable).with_name("aws")
    assert aws.exists(), "the AWS CLI is a dev dependency: pip install -e '.[dev]'"
    run = [str(aws), *(word.replace(DOCUMENTED_BASE_URL, server.base_url) for word in command[1:])]
    done = subprocess.run(run, capture_output=True, text=True, timeout=60, env={
        **dummy_aws, "PATH": str(aws.parent), "HOME": "/nonexistent"})
    assert done.returncode == 0, done.stderr
    [message] = json.loads(done.stdout)["Messages"]
    check_order_change(message["Body"], order_id)
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    assert message["Attributes"]["SenderId"] == "437568002678"
