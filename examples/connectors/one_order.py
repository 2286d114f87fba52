"""A connector written with python-amazon-sp-api alone (and boto3 for the SQS queue its notifications arrive
on), nothing of this project's: it subscribes to ORDER_CHANGE, waits for an order to become Unshipped, confirms
its shipment, and reads it back Shipped. Each step is one JSON line on stdout.

    python examples/connectors/one_order.py

It reads everything from the environment the live world gives a connector: SP_API_MOCK_URL, LWA_TOKEN_URL,
LWA_APP_ID, LWA_CLIENT_SECRET, SP_API_REFRESH_TOKEN and SP_API_MARKETPLACE_ID (and dummy AWS credentials for
boto3, which the mock does not check).
"""
from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import boto3
from sp_api.api import Notifications, OrdersV0
from sp_api.auth import AccessTokenClient
from sp_api.base import Marketplaces

QUEUE = "arn:aws:sqs:us-east-1:123456789012:one-order"


def say(step: str, **facts: object) -> None:
    print(json.dumps({"step": step, **facts}), flush=True)


def api(api_class: type, marketplace: Marketplaces) -> object:
    """python-amazon-sp-api pointed at the mock: its documented hooks for the token URL and the endpoint."""
    token_url = urlsplit(os.environ["LWA_TOKEN_URL"])

    class TokenClient(AccessTokenClient):  # type: ignore[misc]
        scheme = f"{token_url.scheme}://"
        host = token_url.netloc

    client = api_class(marketplace=marketplace, auth_token_client_class=TokenClient)
    client.endpoint = os.environ["SP_API_MOCK_URL"]
    return client


def main() -> int:
    marketplace = next(m for m in Marketplaces if m.marketplace_id == os.environ["SP_API_MARKETPLACE_ID"])
    notifications, orders = api(Notifications, marketplace), api(OrdersV0, marketplace)
    destination = notifications.create_destination(name="one-order", arn=QUEUE).payload
    notifications.create_subscription("ORDER_CHANGE", destination_id=destination["destinationId"])
    sqs = boto3.client("sqs", endpoint_url=os.environ["SP_API_MOCK_URL"])
    queue_url = sqs.get_queue_url(QueueName=QUEUE.rsplit(":", 1)[-1])["QueueUrl"]
    say("subscribed", destination=destination["destinationId"])

    order_id, shipped_at = None, None
    while order_id is None:
        for message in sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5,
                                           MaxNumberOfMessages=10).get("Messages", []):
            notification = json.loads(message["Body"])
            change = notification["Payload"]["OrderChangeNotification"]
            summary = change.get("Summary", {})
            say("notified", order=change["AmazonOrderId"], status=summary.get("OrderStatus"))
            if summary.get("OrderStatus") == "Unshipped" and summary.get("FulfillmentType") == "MFN":
                # the marketplace's own time, which runs faster than ours in a scaled world
                order_id, shipped_at = change["AmazonOrderId"], notification["EventTime"]
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    items = orders.get_order_items(order_id).payload["OrderItems"]
    orders.confirm_shipment(order_id, marketplaceId=marketplace.marketplace_id, packageDetail={
        "packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": "1Z999AA10123456784",
        "shipDate": shipped_at, "orderItems": [{"orderItemId": i["OrderItemId"], "quantity": i["QuantityOrdered"]}
                                               for i in items]})
    say("confirmed", order=order_id)
    since = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = orders.get_orders(LastUpdatedAfter=since, OrderStatuses=["Shipped"]).payload["Orders"]
    status = next((o["OrderStatus"] for o in listed if o["AmazonOrderId"] == order_id), None)
    say("read back", order=order_id, status=status)
    return 0 if status == "Shipped" else 1


if __name__ == "__main__":
    sys.exit(main())
