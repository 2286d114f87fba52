"""Notifications: destinations and subscriptions per seller's application, and delivery on the clock.

A destination is an SQS queue (by ARN) or an EventBridge bus, as in Amazon's model. Delivery is a timer on the
marketplace's clock, so fault rules can drop, delay, duplicate or reorder notifications:
`{"type": "ORDER_CHANGE" | "*", "action": "drop" | "delay" | "duplicate" | "reorder", "seconds": 60,
  "probability": 1.0, "count": null}`.

A delivered notification goes into the mock's SQS queue that the destination's ARN names (apis/sqs), where a
connector reads it with an AWS SDK and the testbed through `receive` (`GET /_testbed/notifications`): the queue
is the one store of delivered messages. An EventBridge destination's notifications arrive as EventBridge events
in the queue `arn:aws:sqs:REGION:ACCOUNT:sp-api-eventbridge` of its account, as if a rule on the partner event
bus routed them there. A queue ARN may also be mapped to an HTTP webhook, which receives each message as a POST.
"""
from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests

from mock_amazon.apis.sqs.backend import UUID, Origin, parse_queue_arn
from mock_amazon.entities import Collection, Entity, iso
from mock_amazon.errors import Conflict, InvalidInput, NotFound
from mock_amazon.faults import applies, read_rule
from mock_amazon.store import Remembered

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

log = logging.getLogger("mock_amazon.notifications")

# Envelope casing differs per notification type (Amazon's schemas): Pascal for the older ones.
PASCAL_ENVELOPE = {"ORDER_CHANGE", "FULFILLMENT_ORDER_STATUS", "FBA_INVENTORY_AVAILABILITY_CHANGES",
                   "ANY_OFFER_CHANGED", "ITEM_INVENTORY_EVENT_CHANGE"}
SUPPORTED = ("ORDER_CHANGE", "FULFILLMENT_ORDER_STATUS", "FBA_INVENTORY_AVAILABILITY_CHANGES",
             "REPORT_PROCESSING_FINISHED", "FEED_PROCESSING_FINISHED", "EXTERNAL_FULFILLMENT_SHIPMENT_STATUS_CHANGE",
             "EXTERNAL_FULFILLMENT_RETURN_STATUS_CHANGE")
ACTIONS = ("drop", "delay", "duplicate", "reorder")
EVENTBRIDGE_QUEUE = "sp-api-eventbridge"  # where an EventBridge destination's events are routed, per account


@dataclass(kw_only=True, eq=False)
class Destination(Entity):
    name: str
    resource: dict


@dataclass(kw_only=True, eq=False)
class Subscription(Entity):
    notification_type: str
    destination_id: str
    payload_version: str = "1.0"
    processing_directive: dict | None = None


@dataclass(kw_only=True, eq=False)
class Message(Entity):
    """A notification on its way to a destination; once delivered it is a message in an SQS queue instead."""
    notification_type: str
    destination_id: str
    body: dict


@dataclass
class NotificationFault:
    type: str = "*"
    action: str = "drop"
    seconds: float = 60.0
    probability: float = 1.0
    count: int | None = None

    @classmethod
    def parse(cls, data: dict, index: int) -> "NotificationFault":
        where = f"notification_faults[{index}]"
        rule = read_rule(cls, data, where)
        if rule.action not in ACTIONS:
            raise ValueError(f"{where}.action must be one of {', '.join(ACTIONS)}")
        if not isinstance(rule.seconds, (int, float)) or rule.seconds < 0:
            raise ValueError(f"{where}.seconds must be a non-negative number")
        return rule


class NotificationsBackend:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon
        self.destinations: Collection[Destination] = Collection(amazon.store, "destination", Destination,
                                                                label="destination")
        self.subscriptions: Collection[Subscription] = Collection(amazon.store, "subscription", Subscription,
                                                                  label="subscription")
        self.messages: Collection[Message] = Collection(amazon.store, "message", Message, label="message")
        # (seller, notification type) -> the subscription's ID or None: every inventory change asks whether anyone
        # listens, and subscriptions change only by subscribe and unsubscribe
        self.subscribed = Remembered(amazon.store)
        self.faults: list[NotificationFault] = []
        self.webhooks: dict[str, str] = amazon.store.setting("webhooks", {})
        amazon.on("notification.deliver", self._deliver)

    # configuration
    def configure_faults(self, rules: list[dict]) -> None:
        self.faults = [NotificationFault.parse(rule, i) for i, rule in enumerate(rules)]

    def set_webhooks(self, mapping: dict[str, str]) -> None:
        for arn, url in mapping.items():
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise ValueError(f"webhooks[{arn!r}] must be an http(s) URL")
        self.webhooks = dict(mapping)
        self.amazon.store.set_setting("webhooks", self.webhooks)

    # destinations and subscriptions (the API)
    def create_destination(self, seller_id: str, name: str, specification: dict) -> Destination:
        if "sqs" in specification:
            arn = specification["sqs"]["arn"]
            resource = {"sqs": {"arn": arn}}
        elif "eventBridge" in specification:
            bridge = specification["eventBridge"]
            resource = {"eventBridge": {"name": f"aws.partner/sellingpartnerapi.amazon.com/{bridge['accountId']}/"
                                                f"{name}", "region": bridge["region"],
                                        "accountId": bridge["accountId"]}}
            arn = eventbridge_queue(resource["eventBridge"])
        else:
            raise InvalidInput("resourceSpecification needs sqs or eventBridge.", "resourceSpecification")
        for existing in self.destinations.scan(seller_id):
            if existing.resource == resource:
                raise Conflict("A destination for this resource already exists.", existing.id)
        try:
            parse_queue_arn(arn)
        except ValueError as error:
            where = "resourceSpecification.sqs.arn" if "sqs" in resource else "resourceSpecification.eventBridge"
            raise InvalidInput(f"{error}.", where) from None
        self.amazon.sqs.ensure_queue(arn)
        now = self.amazon.clock.seconds()
        destination = Destination(id=self.amazon.new_id(UUID), seller_id=seller_id,
                                  created=now, updated=now, name=name, resource=resource)
        return self.destinations.add(destination)

    def delete_destination(self, seller_id: str, destination_id: str) -> None:
        self.destinations.load(seller_id, destination_id)
        if any(s.destination_id == destination_id for s in self.subscriptions.scan(seller_id)):
            raise Conflict(f"Destination {destination_id} still has subscriptions.", destination_id)
        self.amazon.store.delete("destination", seller_id, destination_id)

    def subscribe(self, seller_id: str, notification_type: str, body: dict) -> Subscription:
        self.check_type(notification_type)
        self.destinations.load(seller_id, body["destinationId"])
        if self.subscription_for(seller_id, notification_type) is not None:
            raise Conflict(f"A subscription for {notification_type} already exists.", notification_type)
        now = self.amazon.clock.seconds()
        subscription = Subscription(
            id=self.amazon.new_id(UUID), seller_id=seller_id, created=now,
            updated=now, notification_type=notification_type, destination_id=body["destinationId"],
            payload_version=body["payloadVersion"], processing_directive=body.get("processingDirective"))
        self.subscribed.current().pop((seller_id, notification_type), None)
        return self.subscriptions.add(subscription)

    def subscription_for(self, seller_id: str, notification_type: str) -> Subscription | None:
        subscribed = self.subscribed.current()
        key = (seller_id, notification_type)
        if key not in subscribed:
            found = next((s for s in self.subscriptions.scan(seller_id) if s.notification_type == notification_type),
                         None)
            subscribed[key] = None if found is None else found.id
        subscription_id = subscribed[key]
        return None if subscription_id is None else self.subscriptions.find(seller_id, subscription_id)

    def unsubscribe(self, seller_id: str, notification_type: str, subscription_id: str) -> None:
        subscription = self.subscriptions.load(seller_id, subscription_id)
        if subscription.notification_type != notification_type:
            raise NotFound(f"No {notification_type} subscription with ID {subscription_id}.", subscription_id)
        self.subscribed.current().pop((seller_id, notification_type), None)
        self.amazon.store.delete("subscription", seller_id, subscription_id)

    @staticmethod
    def check_type(notification_type: str) -> None:
        if notification_type not in SUPPORTED:
            raise InvalidInput(f"notificationType {notification_type} is not supported by this mock; supported: "
                               f"{', '.join(SUPPORTED)}.", "notificationType")

    # publishing and delivery
    def publish(self, seller_id: str, notification_type: str, payload: dict, at: float) -> list[str]:
        """Amazon sends `payload` to the seller's subscribed destination (if any); returns the message IDs."""
        subscription = self.subscription_for(seller_id, notification_type)
        if subscription is None:
            return []
        rule = self._pick_fault(notification_type)
        if rule is not None and rule.action == "drop":
            log.info("dropped %s for %s by a fault rule", notification_type, seller_id)
            return []
        copies, delay = 1, 0.0
        if rule is not None:
            copies = 2 if rule.action == "duplicate" else 1
            delay = rule.seconds if rule.action in ("delay", "reorder") else 0.0
            if rule.action == "reorder":
                delay = self.amazon.rng.uniform(1.0, max(rule.seconds, 1.0))
        sent = []
        for _ in range(copies):
            message_id = self.amazon.new_id(UUID)
            body = envelope(notification_type, payload, subscription, message_id, seller_id, at)
            self.messages.add(Message(id=message_id, seller_id=seller_id, created=at, updated=at,
                                      notification_type=notification_type,
                                      destination_id=subscription.destination_id, body=body))
            self.amazon.schedule(at + delay, "notification.deliver", seller_id, message_id)
            sent.append(message_id)
        return sent

    def _pick_fault(self, notification_type: str) -> NotificationFault | None:
        for rule in self.faults:
            if rule.type in ("*", notification_type) and applies(rule, self.amazon.rng):
                return rule
        return None

    def _deliver(self, seller_id: str, message_id: str, at: float) -> None:
        """The notification leaves Amazon: into the destination's queue (and to the queue's webhook, if any)."""
        message = self.messages.load(seller_id, message_id)
        self.amazon.store.delete("message", seller_id, message_id)
        destination = self.destinations.find(seller_id, message.destination_id)
        if destination is None:
            log.info("dropped %s for %s: its destination is gone", message.notification_type, seller_id)
            return
        origin = Origin(seller_id, destination.id, message.notification_type, "sqs", at)
        if "sqs" in destination.resource:
            arn, body = destination.resource["sqs"]["arn"], message.body
        else:
            bridge = destination.resource["eventBridge"]
            arn, origin = eventbridge_queue(bridge), dataclasses.replace(origin, via="eventBridge")
            body = {"version": "0", "id": self.amazon.new_id(UUID), "detail-type": message.notification_type,
                    "source": bridge["name"], "account": bridge["accountId"], "time": iso(at),
                    "region": bridge["region"], "resources": [], "detail": message.body}
        try:
            self.amazon.sqs.deliver(arn, json.dumps(body), message_id, origin)
        except ValueError as error:  # a destination stored before its ARN was checked
            log.warning("dropped %s for %s: %s", message.notification_type, seller_id, error)
            return
        if arn in self.webhooks:
            try:
                requests.post(self.webhooks[arn], json=body, timeout=5)
            except requests.RequestException as error:  # the queue keeps it; the webhook's failure is logged
                log.warning("webhook %s failed: %s", self.webhooks[arn], error)

    def receive(self, seller_id: str | None = None, destination_id: str | None = None, consume: bool = True,
                limit: int = 100) -> list[dict]:
        """Delivered notifications still in their queues, in delivery order; `consume` deletes them there."""
        return self.amazon.sqs.notifications(seller_id, destination_id, consume, limit)


def eventbridge_queue(bridge: dict) -> str:
    """The queue an EventBridge destination's events are routed to: one per account and region."""
    return f"arn:aws:sqs:{bridge['region']}:{bridge['accountId']}:{EVENTBRIDGE_QUEUE}"


def envelope(notification_type: str, payload: dict, subscription: Subscription, message_id: str,
             seller_id: str, at: float) -> dict:
    """The notification as Amazon sends it, with the casing its schema uses."""
    application = f"amzn1.sellerapps.app.{seller_id.lower()}"
    time = iso(at)
    if notification_type in PASCAL_ENVELOPE:
        return {"NotificationVersion": "1.0", "NotificationType": notification_type,
                "PayloadVersion": subscription.payload_version, "EventTime": time, "Payload": payload,
                "NotificationMetadata": {"ApplicationId": application, "SubscriptionId": subscription.id,
                                         "PublishTime": time, "NotificationId": message_id}}
    return {"notificationVersion": "1.0", "notificationType": notification_type,
            "payloadVersion": subscription.payload_version, "eventTime": time, "payload": payload,
            "notificationMetadata": {"applicationId": application, "subscriptionId": subscription.id,
                                     "publishTime": time, "notificationId": message_id}}
