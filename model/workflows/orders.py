"""Merchant-fulfilled Amazon orders (F001-6/7, F004-1/3): list those ready to ship, read their items, acknowledge
them, and post tracking back once the warehouse ships them."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import datetime
from typing import Any

from model.workflows import feeds
from model.workflows.protocol import Request, Workflow, WorkflowError, expect_ok

ACKNOWLEDGEMENT_FEED = "POST_ORDER_ACKNOWLEDGEMENT_DATA"

ORDERS = "ordersV0"


def list_orders(since: datetime, marketplace_id: str = "ATVPDKIKX0DER", statuses: str | None = None,
                channels: str | None = None) -> Workflow[list[dict]]:
    """Every order updated since `since`, all pages, optionally filtered by status and fulfillment channel."""
    found, token = [], None
    while True:
        query: dict[str, Any] = {"MarketplaceIds": marketplace_id}
        if token:
            query["NextToken"] = token
        else:
            query.update({"LastUpdatedAfter": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "MaxResultsPerPage": 100})
            query.update({"OrderStatuses": statuses} if statuses else {})
            query.update({"FulfillmentChannels": channels} if channels else {})
        response = expect_ok((yield Request(f"{ORDERS}.getOrders", query=query)), "getOrders")
        found += response.body["payload"]["Orders"]
        token = response.body["payload"].get("NextToken")
        if not token:
            return found


def ready_to_ship(since: datetime, marketplace_id: str = "ATVPDKIKX0DER") -> Workflow[list[dict]]:
    """Every MFN order updated since `since` that is waiting to be shipped."""
    return (yield from list_orders(since, marketplace_id, statuses="Unshipped", channels="MFN"))


def order_items(order_id: str) -> Workflow[list[dict]]:
    response = expect_ok((yield Request(f"{ORDERS}.getOrderItems", path={"orderId": order_id})), "getOrderItems")
    return response.body["payload"]["OrderItems"]


def package_reference(tracking: str) -> str:
    """Amazon takes only positive numbers as package references: the tracking number's digits name the package,
    so a retried confirmation names the same package and Amazon recognises it."""
    return "".join(c for c in tracking if c.isascii() and c.isdigit()).lstrip("0") or "1"


def post_tracking(order_id: str, items: list[dict], carrier: str, tracking: str, ship_date: datetime,
                  marketplace_id: str = "ATVPDKIKX0DER") -> Workflow[str]:
    """confirmShipment with every item; a 400 saying it is already Shipped means an earlier try got through."""
    response = yield Request(f"{ORDERS}.confirmShipment", path={"orderId": order_id}, body={
        "marketplaceId": marketplace_id,
        "packageDetail": {"packageReferenceId": package_reference(tracking), "carrierCode": carrier,
                          "trackingNumber": tracking,
                          "shipDate": ship_date.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "orderItems": [{"orderItemId": i["OrderItemId"], "quantity": i["QuantityOrdered"]}
                                         for i in items]}})
    if response.ok:
        return "posted"
    if response.status == 400 and ("already confirmed" in response.error_message or
                                   "is Shipped" in response.error_message):
        return "already_posted"
    raise WorkflowError(f"confirmShipment answered {response.status}: {response.error_message}", response)


def acknowledgement_feed(acknowledgements: list[tuple[str, str, bool]]) -> bytes:
    """Amazon's XML envelope: one OrderAcknowledgement per (Amazon order ID, own order number, success)."""
    envelope = ElementTree.Element("AmazonEnvelope")
    header = ElementTree.SubElement(envelope, "Header")
    ElementTree.SubElement(header, "DocumentVersion").text = "1.01"
    ElementTree.SubElement(header, "MerchantIdentifier").text = "testbed"
    ElementTree.SubElement(envelope, "MessageType").text = "OrderAcknowledgement"
    for number, (amazon_order_id, merchant_order_id, success) in enumerate(acknowledgements, start=1):
        message = ElementTree.SubElement(envelope, "Message")
        ElementTree.SubElement(message, "MessageID").text = str(number)
        acknowledgement = ElementTree.SubElement(message, "OrderAcknowledgement")
        ElementTree.SubElement(acknowledgement, "AmazonOrderID").text = amazon_order_id
        ElementTree.SubElement(acknowledgement, "MerchantOrderID").text = merchant_order_id
        ElementTree.SubElement(acknowledgement, "StatusCode").text = "Success" if success else "Failure"
    return ElementTree.tostring(envelope, encoding="utf-8", xml_declaration=True)


def acknowledge(acknowledgements: list[tuple[str, str, bool]], marketplace_id: str = "ATVPDKIKX0DER",
                poll_seconds: float = 60.0) -> Workflow[dict[str, tuple[bool, str]]]:
    """F001-6: one acknowledgement feed; returns {Amazon order ID: (acknowledged, message)} from the
    processing report. Acknowledging again is harmless, so a retried run duplicates nothing."""
    status, report = yield from feeds.submit(ACKNOWLEDGEMENT_FEED, acknowledgement_feed(acknowledgements),
                                             "text/xml; charset=UTF-8", marketplace_id, poll_seconds)
    if status != "DONE":
        return {order_id: (False, f"feed {status}") for order_id, _, _ in acknowledgements}
    results = {order_id: (True, "acknowledged") for order_id, _, _ in acknowledgements}
    for result in ElementTree.fromstring(report).iter("Result") if report else ():
        order_id = result.findtext("AdditionalInfo/AmazonOrderID")
        if order_id in results and result.findtext("ResultCode") == "Error":
            results[order_id] = (False, result.findtext("ResultDescription") or "error")
    return results
