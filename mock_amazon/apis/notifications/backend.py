"""Notifications: destinations and subscriptions per seller's application, and delivery on the clock.

A destination is an SQS queue (by ARN) or an EventBridge bus, as in Amazon's model. The testbed stands in for
SQS: every queue is an in-process queue in the store, readable (and emptied) through the control API; a queue
ARN may also be mapped to an HTTP webhook, which receives each message as a POST. Delivery is a timer, so fault
rules can drop, delay, duplicate or reorder notifications:
`{"type": "ORDER_CHANGE" | "*", "action": "drop" | "delay" | "duplicate" | "reorder", "seconds": 60,
  "probability": 1.0, "count": null}`.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests

from mock_amazon.entities import Collection, Entity, iso
from mock_amazon.errors import Conflict, InvalidInput, NotFound
from mock_amazon.faults import applies, read_rule

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
    """A notification on its way to a destination, or already delivered there."""
    notification_type: str
    destination_id: str
    body: dict
    sequence: int = 0             # publication order: messages delivered at the same moment keep it
    delivered: float | None = None
    read: bool = False


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
            if not arn.startswith("arn:aws:sqs:"):
                raise InvalidInput(f"{arn} is not an SQS queue ARN.", "resourceSpecification.sqs.arn")
            resource = {"sqs": {"arn": arn}}
        elif "eventBridge" in specification:
            bridge = specification["eventBridge"]
            resource = {"eventBridge": {"name": f"aws.partner/sellingpartnerapi.amazon.com/{bridge['accountId']}/"
                                                f"{name}", "region": bridge["region"],
                                        "accountId": bridge["accountId"]}}
        else:
            raise InvalidInput("resourceSpecification needs sqs or eventBridge.", "resourceSpecification")
        for existing in self.destinations.scan(seller_id):
            if existing.resource == resource:
                raise Conflict("A destination for this resource already exists.", existing.id)
        now = self.amazon.clock.seconds()
        destination = Destination(id=self.amazon.new_id("hhhhhhhh-hhhh-4hhh-hhhh-hhhhhhhhhhhh"), seller_id=seller_id,
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
            id=self.amazon.new_id("hhhhhhhh-hhhh-4hhh-hhhh-hhhhhhhhhhhh"), seller_id=seller_id, created=now,
            updated=now, notification_type=notification_type, destination_id=body["destinationId"],
            payload_version=body["payloadVersion"], processing_directive=body.get("processingDirective"))
        return self.subscriptions.add(subscription)

    def subscription_for(self, seller_id: str, notification_type: str) -> Subscription | None:
        return next((s for s in self.subscriptions.scan(seller_id) if s.notification_type == notification_type),
                    None)

    def unsubscribe(self, seller_id: str, notification_type: str, subscription_id: str) -> None:
        subscription = self.subscriptions.load(seller_id, subscription_id)
        if subscription.notification_type != notification_type:
            raise NotFound(f"No {notification_type} subscription with ID {subscription_id}.", subscription_id)
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
            message_id = self.amazon.new_id("hhhhhhhh-hhhh-4hhh-hhhh-hhhhhhhhhhhh")
            body = envelope(notification_type, payload, subscription, message_id, seller_id, at)
            sequence = self.amazon.store.setting("message_sequence", 0) + 1
            self.amazon.store.set_setting("message_sequence", sequence)
            self.messages.add(Message(id=message_id, seller_id=seller_id, created=at, updated=at,
                                      notification_type=notification_type, sequence=sequence,
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
        message = self.messages.load(seller_id, message_id)
        message.delivered = at
        message.updated = at
        self.messages.save(message)
        destination = self.destinations.find(seller_id, message.destination_id)
        arn = (destination.resource.get("sqs") or {}).get("arn") if destination else None
        if arn in self.webhooks:
            try:
                requests.post(self.webhooks[arn], json=message.body, timeout=5)
            except requests.RequestException as error:  # the queue keeps it; the webhook's failure is logged
                log.warning("webhook %s failed: %s", self.webhooks[arn], error)

    def receive(self, seller_id: str | None = None, destination_id: str | None = None, consume: bool = True,
                limit: int = 100) -> list[dict]:
        """Delivered, unread messages in delivery order (like SQS ReceiveMessage and DeleteMessage)."""
        rows = self.amazon.store.execute("SELECT seller_id, doc FROM entities WHERE kind='message'").fetchall()
        waiting = []
        for owner, doc in rows:
            message = json.loads(doc)
            if message["delivered"] is None or message["read"]:
                continue
            if seller_id and owner != seller_id or destination_id and message["destination_id"] != destination_id:
                continue
            waiting.append((message["delivered"], message["sequence"], owner, message))
        chosen = sorted(waiting, key=lambda w: w[:2])[:limit]
        if consume:
            for _, _, owner, message in chosen:
                stored = self.messages.load(owner, message["id"])
                stored.read = True
                self.messages.save(stored)
        found = [message for *_, message in chosen]
        return [{"message_id": m["id"], "destination_id": m["destination_id"], "type": m["notification_type"],
                 "delivered": iso(m["delivered"]), "body": m["body"]} for m in found]


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
