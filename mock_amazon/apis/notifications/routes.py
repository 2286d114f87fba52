"""Notifications v1."""
from __future__ import annotations

from typing import Any

from mock_amazon.apis.notifications.backend import Destination, Subscription
from mock_amazon.errors import NotFound
from mock_amazon.pipeline import Answer, Api, Call

api = Api("notifications", "notifications")


def destination_json(destination: Destination) -> dict:
    return {"name": destination.name, "destinationId": destination.id, "resource": destination.resource}


def subscription_json(subscription: Subscription) -> dict:
    body: dict[str, Any] = {"subscriptionId": subscription.id, "payloadVersion": subscription.payload_version,
                            "destinationId": subscription.destination_id}
    if subscription.processing_directive:
        body["processingDirective"] = subscription.processing_directive
    return body


@api.operation("createDestination")
def create_destination(call: Call) -> Answer:
    body = call.params["body"]
    destination = call.amazon.notifications.create_destination(call.seller.seller_id, body["name"],
                                                             body["resourceSpecification"])
    return 200, {"payload": destination_json(destination)}


@api.operation("getDestinations")
def get_destinations(call: Call) -> Answer:
    return 200, {"payload": [destination_json(d)
                             for d in call.amazon.notifications.destinations.scan(call.seller.seller_id)]}


@api.operation("getDestination")
def get_destination(call: Call) -> Answer:
    destination = call.amazon.notifications.destinations.load(call.seller.seller_id, call.params["destinationId"])
    return 200, {"payload": destination_json(destination)}


@api.operation("deleteDestination")
def delete_destination(call: Call) -> Answer:
    call.amazon.notifications.delete_destination(call.seller.seller_id, call.params["destinationId"])
    return 200, {}


@api.operation("createSubscription")
def create_subscription(call: Call) -> Answer:
    subscription = call.amazon.notifications.subscribe(call.seller.seller_id, call.params["notificationType"],
                                                     call.params["body"])
    return 200, {"payload": subscription_json(subscription)}


@api.operation("getSubscription")
def get_subscription(call: Call) -> Answer:
    notification_type = call.params["notificationType"]
    call.amazon.notifications.check_type(notification_type)
    subscription = call.amazon.notifications.subscription_for(call.seller.seller_id, notification_type)
    if subscription is None:
        raise NotFound(f"No subscription for {notification_type}.", notification_type)
    return 200, {"payload": subscription_json(subscription)}


@api.operation("getSubscriptionById")
def get_subscription_by_id(call: Call) -> Answer:
    subscription = call.amazon.notifications.subscriptions.load(call.seller.seller_id, call.params["subscriptionId"])
    if subscription.notification_type != call.params["notificationType"]:
        raise NotFound(f"No {call.params['notificationType']} subscription with ID {subscription.id}.",
                       subscription.id)
    return 200, {"payload": subscription_json(subscription)}


@api.operation("deleteSubscriptionById")
def delete_subscription_by_id(call: Call) -> Answer:
    call.amazon.notifications.unsubscribe(call.seller.seller_id, call.params["notificationType"],
                                        call.params["subscriptionId"])
    return 200, {}
