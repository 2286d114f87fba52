"""Multi-channel fulfillment requests (F002-6..9, F000-3): when to send, how (API, flat-file feed or the SFR XML),
and the answer. `FulfillmentQueue` and `dispatch` are seed 002's scheduled sending: hold, business hours,
automatic or by hand, the shipping-method mapping, an order minimum, and a notification each run."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from model.clock import Clock
from model.formats import MCF_COLUMNS
from model.workflows import feeds
from model.workflows.protocol import Request, Wait, Workflow, WorkflowError, expect_ok

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


def cancel(order_id: str) -> Workflow[bool]:
    """cancelFulfillmentOrder: True when Amazon cancelled it (or had already); False when it is too late."""
    response = yield Request("fulfillmentOutbound_2020-07-01.cancelFulfillmentOrder",
                             path={"sellerFulfillmentOrderId": order_id})
    return response.ok


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
    text = content.decode("utf-8-sig").replace("\r\n", "\n")
    lines = text.split("\n")
    if "\r" in text or "\0" in text or max(map(len, lines)) > csv.field_size_limit():
        # what the csv module refuses or reads its own way: left to it
        rows = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, [])
        return [dict(zip(header, row)) for row in rows if row]
    # the same rows as the csv module's, a third faster: a month's simulation reads a report every few hours
    header = lines[0].split("\t") if lines[0] else []
    return [dict(zip(header, line.split("\t"))) for line in lines[1:] if line]


@dataclass(frozen=True)
class SendingRules:
    """How the account sends fulfillment requests (seed 002's Send Fulfillment Requests settings)."""
    automatic: bool = True                   # "Automatically Send Fulfillment requests": off, a person sends them
    hold_hours: float = 0.0                  # "Hold for X Hours"
    hours: BusinessHours | None = None       # "Only Send During Business Hours", in the account's time zone
    by: str = "api"                          # "api", "feed" (flat file) or "xml" (the SFR XML payload)
    shipping_map: dict[str, str] = field(default_factory=lambda: dict(SHIPPING_METHODS))   # shop -> Amazon
    minimum_total: float = 0.0               # an order minimum: smaller requests are held back

    def __post_init__(self) -> None:
        if self.by not in ("api", "feed", "xml"):
            raise ValueError(f"send by api, feed or xml, not {self.by!r}")


@dataclass
class Queued:
    """A fulfillment request waiting in the account: waiting, manual (for a person), held_back (order minimum),
    refused (unmapped method), accepted or rejected (Amazon's answer)."""
    order: dict
    state: str = "waiting"
    message: str = ""
    by_hand: bool = False


@dataclass
class FulfillmentQueue:
    rules: SendingRules
    requests: dict[str, Queued] = field(default_factory=dict)
    notices: list[dict] = field(default_factory=list)   # one notification per run (seed 002: "each run")

    def add(self, order: dict) -> Queued:
        """A shop order's fulfillment request: {id, created (ISO), method, address, lines, total}."""
        self.requests[order["id"]] = Queued(order)
        return self.requests[order["id"]]

    def state(self, state: str) -> list[str]:
        return [request_id for request_id, queued in self.requests.items() if queued.state == state]


def dispatch(queue: FulfillmentQueue, now: datetime) -> Workflow[dict]:
    """One scheduled run: every open request is held back (below the minimum), refused (its method has no
    mapping), left for a person (automatic sending off), left waiting (held, or outside business hours) or sent;
    the sent ones get Amazon's answer. The run's notification is appended to `queue.notices` and returned."""
    rules, due = queue.rules, []
    for queued in [q for q in queue.requests.values() if q.state in ("waiting", "manual")]:
        order = queued.order
        if float(order.get("total", 0)) < rules.minimum_total:
            queued.state, queued.message = "held_back", f"below the order minimum of {rules.minimum_total:.2f}"
            continue
        if order["method"] not in rules.shipping_map:
            queued.state, queued.message = "refused", f"shipping method {order['method']!r} is not mapped to " \
                                                      "Amazon's Standard, Expedited or Priority"
            continue
        created = datetime.fromisoformat(order["created"].replace("Z", "+00:00"))
        step = "send" if queued.by_hand else next_step(
            rules.automatic, release_time(created, rules.hold_hours, rules.hours), now)
        if step == "manual":
            queued.state = "manual"
        elif step == "send":
            due.append(queued)
    answers: dict[str, tuple[bool, str]] = {}
    if due and rules.by == "api":
        for queued in due:
            answers[queued.order["id"]] = yield from send_by_api(queued.order, rules.shipping_map)
    elif due:
        answers = yield from send_by_feed([q.order for q in due], shipping_map=rules.shipping_map,
                                          xml=rules.by == "xml")
    for queued in due:
        accepted, message = answers[queued.order["id"]]
        queued.state, queued.message = ("accepted" if accepted else "rejected"), message
    notice = {"run": len(queue.notices) + 1, "at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "sent": len(due),
              "accepted": sum(1 for q in due if q.state == "accepted"),
              "rejected": sum(1 for q in due if q.state == "rejected"),
              **{state: len(queue.state(state)) for state in ("waiting", "manual", "held_back", "refused")}}
    queue.notices.append(notice)
    return notice


def run_schedule(queue: FulfillmentQueue, clock: Clock, runs: int,
                 every_seconds: float = 3600.0) -> Workflow[list[dict]]:
    """`runs` scheduled runs, `every_seconds` apart (the first now); time passes only through Wait."""
    notices = []
    for number in range(runs):
        if number:
            yield Wait(every_seconds)
        notices.append((yield from dispatch(queue, clock.now())))
    return notices


def send_by_hand(queue: FulfillmentQueue, request_id: str, clock: Clock) -> Workflow[dict]:
    """A person sends a request that waits for them (or releases one early): at once, whatever the hour."""
    queue.requests[request_id].by_hand = True
    return (yield from dispatch(queue, clock.now()))
