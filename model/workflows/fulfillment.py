"""Multi-channel fulfillment requests (F002-6..9, F000-3): when to send, how (API or feed), and the answer."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from model.formats import MCF_COLUMNS
from model.workflows import feeds
from model.workflows.protocol import Request, Workflow, WorkflowError, expect_ok

OUTBOUND = "fulfillmentOutbound_2020-07-01"
MCF_FEED = "POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA"
MCF_XML_FEED = "POST_FULFILLMENT_ORDER_REQUEST_DATA"   # the same requests as Amazon's XML: Flxpoint's SFR payload
#: createFulfillmentOrder's address fields and FulfillmentOrderRequest's DestinationAddress elements
XML_ADDRESS = (("name", "Name"), ("addressLine1", "AddressFieldOne"), ("addressLine2", "AddressFieldTwo"),
               ("addressLine3", "AddressFieldThree"), ("city", "City"), ("stateOrRegion", "StateOrRegion"),
               ("postalCode", "PostalCode"), ("countryCode", "CountryCode"), ("phone", "PhoneNumber"))
SHIPPING_METHODS = {"Standard": "Standard", "Expedited": "Expedited", "Priority": "Priority"}


@dataclass(frozen=True)
class BusinessHours:
    """Send only during business hours, in the account's time zone (F002-9)."""
    time_zone: str = "UTC"
    opens: int = 9           # hour of day
    closes: int = 17
    weekdays_only: bool = True


def release_time(created: datetime, hold_hours: float = 0.0, hours: BusinessHours | None = None) -> datetime:
    """When a fulfillment request may be sent: after the hold, and then at the next business hour."""
    due = created + timedelta(hours=hold_hours)
    if hours is None:
        return due
    local = due.astimezone(ZoneInfo(hours.time_zone))
    for _ in range(14 * 24):
        open_day = not hours.weekdays_only or local.weekday() < 5
        if open_day and hours.opens <= local.hour < hours.closes:
            return local.astimezone(due.tzinfo)
        local = (local + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    raise ValueError("business hours never open")


def next_step(auto_send: bool, released: datetime, now: datetime) -> str:
    """What to do with a fulfillment request now: "send", "wait" (held, or outside business hours) or "manual"
    (automatic sending is switched off: a person releases it; F002-9)."""
    if not auto_send:
        return "manual"
    return "send" if now >= released else "wait"


def request_body(order: dict, shipping_map: dict[str, str] = SHIPPING_METHODS) -> dict:
    """createFulfillmentOrder's body from an integration order: {id, created (ISO), method, address, lines}, and
    `displayable_id`, the order number the customer knows (the shop's), when it is not the integration's own."""
    method = order["method"]
    if method not in shipping_map:
        raise ValueError(f"shipping method {method!r} is not mapped to Amazon's Standard, Expedited or Priority")
    return {"sellerFulfillmentOrderId": order["id"], "displayableOrderId": order.get("displayable_id", order["id"]),
            "displayableOrderDate": order["created"], "displayableOrderComment": "Thank you for your order",
            "shippingSpeedCategory": shipping_map[method], "destinationAddress": order["address"],
            "fulfillmentAction": "Ship", "fulfillmentPolicy": order.get("policy", "FillOrKill"),
            "items": [{"sellerSku": sku, "sellerFulfillmentOrderItemId": f"{order['id']}-{n}", "quantity": quantity}
                      for n, (sku, quantity) in enumerate(order["lines"], 1)]}


def flat_file(bodies: list[dict]) -> bytes:
    """createFulfillmentOrder bodies as Amazon's flat-file template: a row per item."""
    rows = ["\t".join(MCF_COLUMNS)]
    for body in bodies:
        address = body["destinationAddress"]
        for item in body["items"]:
            values = {"MerchantFulfillmentOrderID": body["sellerFulfillmentOrderId"],
                      "DisplayableOrderID": body["displayableOrderId"],
                      "DisplayableOrderDate": body["displayableOrderDate"], "MerchantSKU": item["sellerSku"],
                      "Quantity": str(item["quantity"]),
                      "MerchantFulfillmentOrderItemID": item["sellerFulfillmentOrderItemId"],
                      "DisplayableOrderComment": body["displayableOrderComment"],
                      "DeliverySLA": body["shippingSpeedCategory"], "AddressName": address.get("name", ""),
                      "AddressFieldOne": address.get("addressLine1", ""), "AddressCity": address.get("city", ""),
                      "AddressCountryCode": address.get("countryCode", ""),
                      "AddressStateOrRegion": address.get("stateOrRegion", ""),
                      "AddressPostalCode": address.get("postalCode", ""),
                      "AddressPhoneNumber": address.get("phone", ""),
                      "FulfillmentAction": body.get("fulfillmentAction", "Ship"),
                      "FulfillmentPolicy": body.get("fulfillmentPolicy", "FillOrKill")}
            rows.append("\t".join(values.get(column, "") for column in MCF_COLUMNS))
    return ("\n".join(rows) + "\n").encode()


def sfr_xml(bodies: list[dict], merchant: str = "testbed") -> bytes:
    """createFulfillmentOrder bodies as Amazon's XML feed (seed 002's SFR payload): an AmazonEnvelope with a
    FulfillmentOrderRequest message per request, an Item per line."""
    envelope = ElementTree.Element("AmazonEnvelope")
    header = ElementTree.SubElement(envelope, "Header")
    ElementTree.SubElement(header, "DocumentVersion").text = "1.01"
    ElementTree.SubElement(header, "MerchantIdentifier").text = merchant
    ElementTree.SubElement(envelope, "MessageType").text = "FulfillmentOrderRequest"
    for number, body in enumerate(bodies, start=1):
        message = ElementTree.SubElement(envelope, "Message")
        ElementTree.SubElement(message, "MessageID").text = str(number)
        request = ElementTree.SubElement(message, "FulfillmentOrderRequest")
        for tag, key in (("MerchantFulfillmentOrderID", "sellerFulfillmentOrderId"),
                         ("DisplayableOrderID", "displayableOrderId"), ("DisplayableOrderDate", "displayableOrderDate"),
                         ("DisplayableOrderComment", "displayableOrderComment"),
                         ("ShippingSpeedCategory", "shippingSpeedCategory")):
            ElementTree.SubElement(request, tag).text = body[key]
        address = ElementTree.SubElement(request, "DestinationAddress")
        for key, tag in XML_ADDRESS:
            if body["destinationAddress"].get(key):
                ElementTree.SubElement(address, tag).text = body["destinationAddress"][key]
        ElementTree.SubElement(request, "FulfillmentAction").text = body.get("fulfillmentAction", "Ship")
        ElementTree.SubElement(request, "FulfillmentPolicy").text = body.get("fulfillmentPolicy", "FillOrKill")
        for item in body["items"]:
            line = ElementTree.SubElement(request, "Item")
            ElementTree.SubElement(line, "MerchantSKU").text = item["sellerSku"]
            ElementTree.SubElement(line, "MerchantFulfillmentOrderItemID").text = item["sellerFulfillmentOrderItemId"]
            ElementTree.SubElement(line, "Quantity").text = str(item["quantity"])
    return ElementTree.tostring(envelope, encoding="utf-8", xml_declaration=True)


def send_by_api(order: dict, shipping_map: dict[str, str] = SHIPPING_METHODS) -> Workflow[tuple[bool, str]]:
    """createFulfillmentOrder; idempotent by the request number, so a retry after a time-out is harmless.
    Returns (accepted, message)."""
    response = yield Request(f"{OUTBOUND}.createFulfillmentOrder", body=request_body(order, shipping_map))
    if response.ok:
        return True, "accepted"
    if response.status == 400:
        return False, response.error_message
    raise WorkflowError(f"createFulfillmentOrder answered {response.status}", response)


def send_by_feed(orders: list[dict], poll_seconds: float = 60.0, give_up_after: float = 3600.0,
                 shipping_map: dict[str, str] = SHIPPING_METHODS,
                 xml: bool = False) -> Workflow[dict[str, tuple[bool, str]]]:
    """F002-6: one feed for many requests, a flat file or (`xml`) the SFR XML. Returns {order id: (accepted,
    message)} from the processing report."""
    bodies = [request_body(order, shipping_map) for order in orders]
    if xml:
        status, report = yield from feeds.submit(MCF_XML_FEED, sfr_xml(bodies), "text/xml; charset=UTF-8",
                                                 poll_seconds=poll_seconds, give_up_after=give_up_after)
    else:
        status, report = yield from feeds.submit(MCF_FEED, flat_file(bodies), "text/tab-separated-values; "
                                                 "charset=UTF-8", poll_seconds=poll_seconds,
                                                 give_up_after=give_up_after)
    if status != "DONE":
        return {order["id"]: (False, f"feed {status}") for order in orders}
    results = {order["id"]: (True, "accepted") for order in orders}
    if xml:
        for result in ElementTree.fromstring(report).iter("Result") if report else ():
            request_id = result.findtext("AdditionalInfo/MerchantFulfillmentOrderID")
            if request_id in results and result.findtext("ResultCode") == "Error":
                results[request_id] = (False, result.findtext("ResultDescription") or "error")
        return results
    for line in (report or b"").decode().splitlines()[5:]:
        fields = line.split("\t")
        if len(fields) >= 6 and fields[1] in results:
            results[fields[1]] = (False, fields[5])
    return results


def fulfillment_status(order_id: str) -> Workflow[tuple[str, list[str]]]:
    """getFulfillmentOrder: (status, [tracking numbers])."""
    response = yield Request(f"{OUTBOUND}.getFulfillmentOrder", path={"sellerFulfillmentOrderId": order_id})
    expect_ok(response, "getFulfillmentOrder")
    payload = response.body["payload"]
    tracking = [p.get("trackingNumber") for s in payload.get("fulfillmentShipments", [])
                for p in s.get("fulfillmentShipmentPackage", [])]
    return payload["fulfillmentOrder"]["fulfillmentOrderStatus"], tracking


def parse_tsv(content: bytes) -> list[dict]:
    """A flat-file report: a header line, then one line per row, tab-separated. Amazon's flat files do not quote
    values, so a value holding a double quote (12" ruler) is read as it is."""
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(rows, [])
    return [dict(zip(header, row)) for row in rows if row]
