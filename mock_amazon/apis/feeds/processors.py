"""What each feed type does to the state, and the processing report it produces. One function per type, each
taking the uploaded bytes and the feed's ID and returning (fatal, report bytes, content type).

Feed types (Amazon's names, from its feed type values):
- POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA: multi-channel fulfillment requests as a tab-separated flat
  file, one row per item, rows grouped by MerchantFulfillmentOrderID. The flat file is what integrators send
  (Flxpoint's "fulfillment request"); each request is validated like createFulfillmentOrder and a repeated
  request number never creates a second order.
- POST_FULFILLMENT_ORDER_REQUEST_DATA: the same requests as Amazon's XML (what Flxpoint calls the SFR payload):
  an AmazonEnvelope of FulfillmentOrderRequest messages, element names as in Amazon's FulfillmentOrderRequest
  XSD (not among the JSON models), validated and applied like the flat file; the processing report is Amazon's
  XML ProcessingReport, a Result per failed message naming its MerchantFulfillmentOrderID.
- JSON_LISTINGS_FEED: listings patches (quantity and handling time), checked against Amazon's JSON schema.
- POST_FLAT_FILE_FULFILLMENT_DATA: tracking for merchant-fulfilled orders (confirms their shipment).
- POST_ORDER_ACKNOWLEDGEMENT_DATA: order acknowledgements, Amazon's XML envelope of OrderAcknowledgement messages
  (the Orders API has no acknowledgement call). Success records the seller's order number (SellerOrderId);
  Failure cancels the order. The processing report is Amazon's XML ProcessingReport.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import xml.etree.ElementTree as ElementTree
from typing import TYPE_CHECKING, Any

import jsonschema

from mock_amazon.apis.fulfillment_outbound.backend import validate_request
from mock_amazon.errors import ApiError
from mock_amazon.spec import models_dir
from model.formats import MCF_REQUIRED, TRACKING_REQUIRED

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

class Outcome:
    """Per-record results of one feed, rendered as a flat-file processing report."""

    def __init__(self) -> None:
        self.processed, self.successful = 0, 0
        self.errors: list[tuple[int, str, str, str, str]] = []

    def fail(self, record: int, reference: str, sku: str, code: str, message: str) -> None:
        self.errors.append((record, reference, sku, code, message))

    def render(self) -> bytes:
        lines = ["Feed Processing Summary:", f"\tNumber of records processed\t\t{self.processed}",
                 f"\tNumber of records successful\t\t{self.successful}", "",
                 "original-record-number\torder-id\tsku\terror-code\terror-type\terror-message"]
        lines += [f"{record}\t{reference}\t{sku}\t{code}\tError\t{message}"
                  for record, reference, sku, code, message in self.errors]
        return ("\n".join(lines) + "\n").encode()


FLAT_REPORT = "text/tab-separated-values; charset=UTF-8"


def _read(content: bytes, required: tuple[str, ...]) -> tuple[list[dict] | None, "Outcome"]:
    """The rows and a fresh outcome; no rows (and the reason in the outcome) when the file cannot be read."""
    rows, outcome = _rows(content, required), Outcome()
    if isinstance(rows, str):
        outcome.fail(0, "", "", "90001", rows)
        return None, outcome
    return rows, outcome


def _rows(content: bytes, required: tuple[str, ...]) -> list[dict] | str:
    """The data rows of a tab-separated file, or why it cannot be read at all."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "The feed is not UTF-8 text."
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("TemplateType")]
    if not lines:
        return "The feed is empty."
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t")
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        return "The header row lacks the columns: " + ", ".join(missing)
    return list(reader)


def fulfillment_order_requests(amazon: MockAmazon, seller_id: str, content: bytes,
                               feed_id: str) -> tuple[bool, bytes, str]:
    rows, outcome = _read(content, MCF_REQUIRED)
    if rows is None:
        return True, outcome.render(), FLAT_REPORT
    requests_: dict[str, list[tuple[int, dict]]] = {}
    for number, row in enumerate(rows, start=1):
        requests_.setdefault(row["MerchantFulfillmentOrderID"], []).append((number, row))
    for order_id, numbered in requests_.items():
        outcome.processed += len(numbered)
        first = numbered[0][1]
        items, bad_quantity = [], None
        for number, row in numbered:
            try:
                quantity = int(row["Quantity"])
            except (TypeError, ValueError):
                quantity, bad_quantity = row["Quantity"], (number, row)
            items.append({"sellerSku": row["MerchantSKU"], "sellerFulfillmentOrderItemId":
                          row["MerchantFulfillmentOrderItemID"], "quantity": quantity})
        request = {
            "sellerFulfillmentOrderId": order_id, "displayableOrderId": first.get("DisplayableOrderID") or order_id,
            "displayableOrderDate": first.get("DisplayableOrderDate") or "",
            "displayableOrderComment": first.get("DisplayableOrderComment") or "",
            "shippingSpeedCategory": first.get("DeliverySLA"),
            "destinationAddress": {k: v for k, v in {
                "name": first.get("AddressName"), "addressLine1": first.get("AddressFieldOne"),
                "addressLine2": first.get("AddressFieldTwo"), "addressLine3": first.get("AddressFieldThree"),
                "city": first.get("AddressCity"), "stateOrRegion": first.get("AddressStateOrRegion"),
                "postalCode": first.get("AddressPostalCode"), "countryCode": first.get("AddressCountryCode"),
                "phone": first.get("AddressPhoneNumber")}.items() if v},
            "fulfillmentAction": first.get("FulfillmentAction") or "Ship",
            "fulfillmentPolicy": first.get("FulfillmentPolicy") or "FillOrKill", "items": items}
        if first.get("NotificationEmail"):
            request["notificationEmails"] = [first["NotificationEmail"]]
        problems = validate_request(amazon, seller_id, request)
        existing = amazon.fulfillment_outbound.orders.find(seller_id, order_id)
        if existing is not None:
            problems = []  # create() decides: the same request again is a success, a different one an error
        if bad_quantity and not problems:
            problems = [("quantity", f"quantity {bad_quantity[1]['Quantity']!r} is not an integer above 0.")]
        if problems:
            for field, message in problems:
                record = _record_for(field, numbered)
                outcome.fail(record, order_id, _sku_for(field, numbered), "99001", message)
            continue
        try:
            amazon.fulfillment_outbound.create(seller_id, request, source="feed")
        except ApiError as error:
            outcome.fail(numbered[0][0], order_id, "", "99002", error.message)
            continue
        outcome.successful += len(numbered)
    return False, outcome.render(), FLAT_REPORT


#: FulfillmentOrderRequest's DestinationAddress elements and the createFulfillmentOrder fields they fill
XML_ADDRESS = {"Name": "name", "AddressFieldOne": "addressLine1", "AddressFieldTwo": "addressLine2",
               "AddressFieldThree": "addressLine3", "City": "city", "StateOrRegion": "stateOrRegion",
               "PostalCode": "postalCode", "CountryCode": "countryCode", "PhoneNumber": "phone"}


def fulfillment_order_requests_xml(amazon: MockAmazon, seller_id: str, content: bytes,
                                   feed_id: str) -> tuple[bool, bytes, str]:
    """POST_FULFILLMENT_ORDER_REQUEST_DATA: each Message's FulfillmentOrderRequest is created or reported."""
    try:
        messages = _envelope_messages(content, feed_id, "FulfillmentOrderRequest")
    except FatalFeed as fatal:
        return True, fatal.report, XML_REPORT
    errors = []
    for message in messages:
        message_id = (message.findtext("MessageID") or "").strip()
        element = message.find("FulfillmentOrderRequest")
        order_id = (element.findtext("MerchantFulfillmentOrderID") or "").strip() if element is not None else ""
        if element is None or not order_id:
            errors.append((message_id, "", "Each message needs a FulfillmentOrderRequest with a "
                                           "MerchantFulfillmentOrderID."))
            continue
        text = {child.tag: (child.text or "").strip() for child in element if len(child) == 0}
        address = element.find("DestinationAddress")
        items: list[dict] = []
        for item in element.findall("Item"):
            quantity = (item.findtext("Quantity") or "").strip()
            items.append({"sellerSku": (item.findtext("MerchantSKU") or "").strip(),
                          "sellerFulfillmentOrderItemId": (item.findtext("MerchantFulfillmentOrderItemID") or "")
                          .strip(), "quantity": int(quantity) if str(quantity).isdigit() else quantity})
        request: dict[str, Any] = {
            "sellerFulfillmentOrderId": order_id, "displayableOrderId": text.get("DisplayableOrderID") or order_id,
            "displayableOrderDate": text.get("DisplayableOrderDate", ""),
            "displayableOrderComment": text.get("DisplayableOrderComment", ""),
            "shippingSpeedCategory": text.get("ShippingSpeedCategory"),
            "destinationAddress": {field: value for tag, field in XML_ADDRESS.items()
                                   if address is not None and (value := (address.findtext(tag) or "").strip())},
            "fulfillmentAction": text.get("FulfillmentAction") or "Ship",
            "fulfillmentPolicy": text.get("FulfillmentPolicy") or "FillOrKill", "items": items}
        if text.get("NotificationEmail"):
            request["notificationEmails"] = [text["NotificationEmail"]]
        # an existing request number: create() decides (the same request again is a success)
        problems = [] if amazon.fulfillment_outbound.orders.find(seller_id, order_id) is not None else \
            validate_request(amazon, seller_id, request)
        if problems:
            errors.append((message_id, order_id, "; ".join(message for _, message in problems)))
            continue
        try:
            amazon.fulfillment_outbound.create(seller_id, request, source="feed")
        except ApiError as error:
            errors.append((message_id, order_id, error.message))
    return False, _processing_report(feed_id, len(messages), errors, "MerchantFulfillmentOrderID"), XML_REPORT


def _record_for(field: str, numbered: list[tuple[int, dict]]) -> int:
    if field.startswith("items["):
        index = int(field[6:field.index("]")])
        return numbered[index][0]
    return numbered[0][0]


def _sku_for(field: str, numbered: list[tuple[int, dict]]) -> str:
    if field.startswith("items["):
        return numbered[int(field[6:field.index("]")])][1]["MerchantSKU"]
    return ""


def order_fulfillment(amazon: MockAmazon, seller_id: str, content: bytes, feed_id: str) -> tuple[bool, bytes, str]:
    """Tracking for MFN orders: rows with the same order and tracking number are one package."""
    rows, outcome = _read(content, TRACKING_REQUIRED)
    if rows is None:
        return True, outcome.render(), FLAT_REPORT
    packages: dict[tuple[str, str], list[tuple[int, dict]]] = {}
    for number, row in enumerate(rows, start=1):
        packages.setdefault((row["order-id"], row["tracking-number"]), []).append((number, row))
    for (order_id, tracking), numbered in packages.items():
        outcome.processed += len(numbered)
        first = numbered[0][1]
        try:
            lines = [{"orderItemId": row["order-item-id"], "quantity": int(row["quantity"])} for _, row in numbered]
            order = amazon.orders.orders.find(seller_id, order_id)
            payload = {"marketplaceId": order.marketplace_id if order else "", "packageDetail": {
                "packageReferenceId": tracking, "carrierCode": first["carrier-code"],
                "carrierName": first.get("carrier-name") or first["carrier-code"],
                "shippingMethod": first.get("ship-method") or "", "trackingNumber": tracking,
                "shipDate": first["ship-date"], "orderItems": lines}}
            if order is None:
                raise ApiError(f"Order {order_id} was not found.")
            amazon.orders.confirm_shipment(seller_id, order_id, payload)
        except ValueError:
            outcome.fail(numbered[0][0], order_id, "", "99001", "quantity must be an integer above 0.")
            continue
        except ApiError as error:
            outcome.fail(numbered[0][0], order_id, "", "99001", error.message)
            continue
        outcome.successful += len(numbered)
    return False, outcome.render(), FLAT_REPORT


def listings(amazon: MockAmazon, seller_id: str, content: bytes, feed_id: str) -> tuple[bool, bytes, str]:
    """JSON_LISTINGS_FEED: the document must match Amazon's schema; each message is applied or reported."""
    issues, accepted, invalid = [], 0, 0
    try:
        document = json.loads(content)
        errors = sorted(_listings_schema().iter_errors(document), key=lambda e: list(e.absolute_path))
    except ValueError as error:
        document, errors = None, [error]
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in getattr(first, "absolute_path", [])) or "document"
        report = {"header": {"sellerId": seller_id, "version": "2.0", "feedId": feed_id},
                  "issues": [{"code": "4000001", "severity": "ERROR",
                              "message": f"The feed does not match the JSON_LISTINGS_FEED schema at {where}: "
                                         f"{getattr(first, 'message', str(first))}"}],
                  "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0,
                              "messagesInvalid": 0}}
        return True, json.dumps(report).encode(), "application/json"
    for message in document["messages"]:
        sku, operation = message["sku"], message["operationType"]
        try:
            if operation == "DELETE":
                amazon.listings.delete(seller_id, sku)
            elif operation == "PATCH":
                amazon.listings.patch(seller_id, sku, message.get("patches", []))
            elif operation in ("UPDATE", "PARTIAL_UPDATE"):
                attributes = message.get("attributes", {})
                if operation == "PARTIAL_UPDATE" and amazon.listings.items.find(seller_id, sku) is not None:
                    amazon.listings.patch(seller_id, sku, [{"op": "replace", "path": f"/attributes/{name}",
                                                          "value": value} for name, value in attributes.items()])
                else:
                    amazon.listings.put(seller_id, sku, message.get("productType", "PRODUCT"), attributes)
            accepted += 1
        except ApiError as error:
            invalid += 1
            issues.append({"messageId": message["messageId"], "sku": sku, "code": "4000002", "severity": "ERROR",
                           "message": error.message, **({"attributeName": error.details.split(".")[0]}
                                                        if error.details else {})})
    report = {"header": {"sellerId": seller_id, "version": "2.0", "feedId": feed_id}, "issues": issues,
              "summary": {"errors": len(issues), "warnings": 0, "messagesProcessed": len(document["messages"]),
                          "messagesAccepted": accepted, "messagesInvalid": invalid}}
    return False, json.dumps(report).encode(), "application/json"


class FatalFeed(Exception):
    """A feed that cannot be read at all; `report` is the processing report that says why."""

    def __init__(self, report: bytes):
        super().__init__("fatal feed")
        self.report = report


def _envelope_messages(content: bytes, feed_id: str, message_type: str) -> list[ElementTree.Element]:
    """The Messages of an AmazonEnvelope of `message_type`, or FatalFeed when the document is not one."""
    try:
        envelope = ElementTree.fromstring(content)
    except ElementTree.ParseError as error:
        unreadable = f"The feed is not well-formed XML: {error}."
        raise FatalFeed(_processing_report(feed_id, 0, [(0, "", unreadable)])) from None
    if envelope.tag != "AmazonEnvelope" or envelope.findtext("MessageType") != message_type:
        raise FatalFeed(_processing_report(feed_id, 0, [(0, "", "The feed must be an AmazonEnvelope whose "
                                                                f"MessageType is {message_type}.")]))
    return envelope.findall("Message")


def order_acknowledgements(amazon: MockAmazon, seller_id: str, content: bytes, feed_id: str) -> tuple[bool, bytes, str]:
    """POST_ORDER_ACKNOWLEDGEMENT_DATA: each Message's OrderAcknowledgement is applied or reported by MessageID."""
    try:
        messages = _envelope_messages(content, feed_id, "OrderAcknowledgement")
    except FatalFeed as fatal:
        return True, fatal.report, XML_REPORT
    errors = []
    for message in messages:
        message_id = (message.findtext("MessageID") or "").strip()
        acknowledgement = message.find("OrderAcknowledgement")
        order_id = (acknowledgement.findtext("AmazonOrderID") or "").strip() if acknowledgement is not None else ""
        status_code = (acknowledgement.findtext("StatusCode") or "").strip() if acknowledgement is not None else ""
        if acknowledgement is None or not order_id or status_code not in ("Success", "Failure"):
            errors.append((message_id, order_id, "Each OrderAcknowledgement needs an AmazonOrderID and a StatusCode "
                                                 "of Success or Failure."))
            continue
        try:
            if amazon.orders.orders.find(seller_id, order_id) is None:
                raise ApiError(f"Order {order_id} was not found.")
            amazon.orders.acknowledge(seller_id, order_id, (acknowledgement.findtext("MerchantOrderID") or "").strip(),
                                    status_code == "Success")
        except ApiError as error:
            errors.append((message_id, order_id, error.message))
    return False, _processing_report(feed_id, len(messages), errors), XML_REPORT


XML_REPORT = "text/xml; charset=UTF-8"


def _processing_report(feed_id: str, processed: int, errors: list[tuple], reference: str = "AmazonOrderID") -> bytes:
    """Amazon's XML ProcessingReport: a summary and a Result per failed message, naming the order it was about
    (`reference`: AmazonOrderID, or MerchantFulfillmentOrderID for fulfillment requests)."""
    envelope = ElementTree.Element("AmazonEnvelope")
    header = ElementTree.SubElement(envelope, "Header")
    ElementTree.SubElement(header, "DocumentVersion").text = "1.02"
    ElementTree.SubElement(envelope, "MessageType").text = "ProcessingReport"
    message = ElementTree.SubElement(envelope, "Message")
    ElementTree.SubElement(message, "MessageID").text = "1"
    report = ElementTree.SubElement(message, "ProcessingReport")
    ElementTree.SubElement(report, "DocumentTransactionID").text = feed_id
    ElementTree.SubElement(report, "StatusCode").text = "Complete"
    summary = ElementTree.SubElement(report, "ProcessingSummary")
    for name, value in (("MessagesProcessed", processed), ("MessagesSuccessful", max(processed - len(errors), 0)),
                        ("MessagesWithError", len(errors)), ("MessagesWithWarning", 0)):
        ElementTree.SubElement(summary, name).text = str(value)
    for message_id, order_id, text in errors:
        result = ElementTree.SubElement(report, "Result")
        ElementTree.SubElement(result, "MessageID").text = str(message_id)
        ElementTree.SubElement(result, "ResultCode").text = "Error"
        ElementTree.SubElement(result, "ResultMessageCode").text = "25"
        ElementTree.SubElement(result, "ResultDescription").text = text
        if order_id:
            ElementTree.SubElement(ElementTree.SubElement(result, "AdditionalInfo"), reference).text = order_id
    return ElementTree.tostring(envelope, encoding="utf-8", xml_declaration=True)


@functools.cache
def _listings_schema() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads((models_dir() / "listings-feed-schema-v2.json").read_text()))


PROCESSORS = {
    "POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA": fulfillment_order_requests,
    "POST_FULFILLMENT_ORDER_REQUEST_DATA": fulfillment_order_requests_xml,
    "POST_FLAT_FILE_FULFILLMENT_DATA": order_fulfillment,
    "JSON_LISTINGS_FEED": listings,
    "POST_ORDER_ACKNOWLEDGEMENT_DATA": order_acknowledgements,
}
