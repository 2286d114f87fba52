"""External Fulfillment 2024-09-11: inventory, shipments and returns, with External Fulfillment's error codes."""
from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

import mock_amazon.marketplaces as marketplaces
from mock_amazon.apis.external_fulfillment.backend import Package, Return, Shipment
from mock_amazon.entities import iso
from mock_amazon.errors import InvalidInput
from mock_amazon.pipeline import Answer, Api, Call

if TYPE_CHECKING:
    from mock_amazon.apis.listings.backend import Listing

DIALECT = "external-fulfillment"
inventory = Api("ef_inventory", "externalFulfillmentInventory_2024-09-11", DIALECT)
shipments = Api("ef_shipments", "externalFulfillmentShipments_2024-09-11", DIALECT)
returns = Api("ef_returns", "externalFulfillmentReturns_2024-09-11", DIALECT)


@inventory.operation("batchInventory")
def batch_inventory(call: Call) -> Answer:
    requests = (call.params["body"] or {}).get("requests") or []
    if not 1 <= len(requests) <= 10:
        raise InvalidInput("requests must hold 1 to 10 inventory requests.", "requests")
    responses = call.amazon.external_fulfillment.batch(call.seller.seller_id, call.seller.marketplace_id, requests)
    return 207, {"responses": responses}


def _money(value: float, currency: str) -> dict:
    return {"value": marketplaces.amount(value, currency), "currencyCode": currency}


def _charge(value: float, currency: str) -> dict:
    """A PRODUCT charge in the shipment's marketplace's currency (INR on Amazon.in)."""
    breakup = {"baseAmount": _money(value, currency), "discountAmount": _money(0, currency),
               "netAmount": _money(value, currency)}
    tax = {"baseAmount": _money(0, currency), "discountAmount": _money(0, currency), "netAmount": _money(0, currency)}
    return {"baseCharge": breakup, "chargeType": "PRODUCT", "totalCharge": breakup,
            "totalTax": {"type": "TOTAL", "charge": tax}}


def shipment_json(call: Call, shipment: Shipment) -> dict:
    packages = [call.amazon.external_fulfillment.packages.load(shipment.seller_id, f"{shipment.id}/{p}")
                for p in shipment.package_ids]
    listings = call.amazon.listings.items
    currency = marketplaces.known(shipment.marketplace_id).currency
    body: dict[str, Any] = {
        "id": shipment.id, "locationId": shipment.location_id,
        "marketplaceAttributes": {"marketplaceId": shipment.marketplace_id, "channelName": shipment.channel_name,
                                  "merchantId": shipment.seller_id},
        "shipmentInfo": {"shipmentType": shipment.shipment_type, "numberOfUnits": shipment.units,
                         "priority": shipment.priority, "buyerOrderId": shipment.buyer_order_id,
                         "orderStatesEligibleForRejection": ["ACCEPTED", "CONFIRMED", "PACKAGE_CREATED"],
                         "orderPlacedTimestamp": iso(shipment.created), "processingSource": "EXTERNAL_PLATFORM",
                         "paymentMethod": "PREPAID"},
        "shipmentRequirements": {
            "pSlip": {"requirement": "NOT_REQUIRED", "status": "NOT_GENERATED"},
            "invoice": {"requirement": "REQUIRED" if shipment.invoice_required else "NOT_REQUIRED",
                        "status": "AVAILABLE" if shipment.invoice else "PENDING"}},
        "charges": [_charge(sum(i["price"] * i["units"] for i in shipment.line_items), currency)],
        "status": shipment.status,
        "lineItems": [{
            "shipmentLineItemId": i["id"], "merchantSku": i["sku"], "numberOfUnits": i["units"],
            "charges": [_charge(i["price"] * i["units"], currency)],
            "complianceAttributes": {"serialNumberRequirement": "DISALLOWED", "hazmatLabelsRequirement": "DISALLOWED",
                                     "countryOfOriginRequirement": "DISALLOWED", "itemValueRequirement": "DISALLOWED"},
            **({"cancellations": [{"cancelledQuantity": i["units"],
                                   "cancelledTimestamp": iso(shipment.cancellation["at"]),
                                   "cancellationType": shipment.cancellation["type"],
                                   "cancellationReason": shipment.cancellation["reason"]}]}
               if shipment.cancellation else {})} for i in shipment.line_items],
        "shippingInfo": {"expectedShippingDateTimeInUTC": iso(shipment.expected_ship),
                         "shipToAddress": shipment.ship_to, "shippingType": "MARKETPLACE",
                         "recommendedPackages": [_recommended(listings.find(shipment.seller_id, i["sku"]), i)
                                                 for i in shipment.line_items]},
        "creationDateTime": iso(shipment.created), "lastUpdatedDateTime": iso(shipment.updated),
    }
    if shipment.detail:
        body["subStatus"] = shipment.detail
    if shipment.cancellation:
        body["reason"] = shipment.cancellation["reason"]
    if shipment.invoice:
        body["invoiceInfo"] = {"invoiceId": shipment.invoice["id"],
                               "creationDateTime": iso(shipment.invoice["created"])}
    if shipment.original:
        body["shipmentInfo"]["originalShipmentInfo"] = {
            "id": shipment.original["id"], "locationId": shipment.original["location_id"],
            "marketplaceAttributes": {"marketplaceId": shipment.marketplace_id, "channelName": shipment.channel_name}}
    if packages:
        body["packages"] = [package_json(p) for p in packages]
    return body


def _recommended(listing: Listing | None, item: dict) -> dict:
    size = (listing.dimensions if listing and listing.dimensions else {}) or {}

    def measure(key: str) -> dict:
        return {"value": f"{size.get(key, 0):g}", "dimensionUnit": "CM"}

    return {"dimensions": {"length": measure("length"), "width": measure("width"), "height": measure("height")},
            "weight": {"value": f"{size.get('weight', 0):g}", "weightUnit": "KG"},
            "lineItems": [{"lineItemId": item["id"]}]}


def package_json(package: Package) -> dict:
    dimensions = {k: v for k, v in package.dimensions.items() if k != "weight"}
    return {"id": package.package_id, "dimensions": dimensions, "weight": package.dimensions["weight"],
            "packageLineItems": package.line_items, "status": package.status,
            "packageHandlingRequirements": package.handling}


@shipments.operation("getShipments")
def get_shipments(call: Call) -> Answer:
    p = call.params
    if p.get("paginationToken"):
        try:
            query = json.loads(base64.urlsafe_b64decode(p["paginationToken"].encode()))
        except ValueError:
            raise InvalidInput("paginationToken is not valid.", "paginationToken") from None
    else:
        size = p.get("maxResults", 10)
        if not 1 <= size <= 100:
            raise InvalidInput(f"'maxResults' must be between 1 and 100, not {size}.", "maxResults")
        query = {"status": p["status"], "location": p.get("locationId"), "offset": 0, "size": size,
                 "since": p["lastUpdatedAfter"].timestamp() if p.get("lastUpdatedAfter") else None,
                 "until": p["lastUpdatedBefore"].timestamp() if p.get("lastUpdatedBefore") else None}
    found = [s for s in call.amazon.external_fulfillment.shipments.scan(
        call.seller.seller_id, order_by="updated", since=query["since"], until=query["until"],
        statuses=[query["status"]]) if not query["location"] or s.location_id == query["location"]]
    page = found[query["offset"]:query["offset"] + query["size"]]
    body: dict[str, Any] = {"shipments": [shipment_json(call, s) for s in page]}
    if query["offset"] + query["size"] < len(found):
        token = base64.urlsafe_b64encode(json.dumps({**query, "offset": query["offset"] + query["size"]}).encode())
        body["pagination"] = {"nextToken": token.decode()}
    return 200, body


@shipments.operation("getShipment")
def get_shipment(call: Call) -> Answer:
    shipment = call.amazon.external_fulfillment.shipments.load(call.seller.seller_id, call.params["shipmentId"])
    return 200, shipment_json(call, shipment)


@shipments.operation("processShipment")
def process_shipment(call: Call) -> Answer:
    call.amazon.external_fulfillment.process(call.seller.seller_id, call.params["shipmentId"], call.params["operation"],
                                           call.params.get("body"))
    return 204, None


@shipments.operation("createPackages")
def create_packages(call: Call) -> Answer:
    call.amazon.external_fulfillment.create_packages(call.seller.seller_id, call.params["shipmentId"],
                                                   call.params["body"]["packages"])
    return 204, None


@shipments.operation("updatePackage")
def update_package(call: Call) -> Answer:
    call.amazon.external_fulfillment.update_package(call.seller.seller_id, call.params["shipmentId"],
                                                  call.params["packageId"], call.params["body"])
    return 204, None


@shipments.operation("updatePackageStatus")
def update_package_status(call: Call) -> Answer:
    body = call.params.get("body") or {}
    status = body.get("status") or call.params.get("status")
    if not status:
        raise InvalidInput("A status is required, in the query or the body.", "status")
    call.amazon.external_fulfillment.update_package_status(call.seller.seller_id, call.params["shipmentId"],
                                                         call.params["packageId"], status, body.get("subStatus"))
    return 204, None


@shipments.operation("retrieveShippingOptions")
def retrieve_shipping_options(call: Call) -> Answer:
    return 200, call.amazon.external_fulfillment.shipping_options(call.seller.seller_id, call.params["shipmentId"],
                                                                call.params["packageId"])


@shipments.operation("generateInvoice")
def generate_invoice(call: Call) -> Answer:
    return 200, call.amazon.external_fulfillment.generate_invoice(call.seller.seller_id, call.params["shipmentId"])


@shipments.operation("retrieveInvoice")
def retrieve_invoice(call: Call) -> Answer:
    return 200, call.amazon.external_fulfillment.retrieve_invoice(call.seller.seller_id, call.params["shipmentId"])


@shipments.operation("generateShipLabels")
def generate_ship_labels(call: Call) -> Answer:
    body = call.params.get("body") or {}
    labels = call.amazon.external_fulfillment.generate_labels(
        call.seller.seller_id, call.params["shipmentId"], call.params["operation"], call.params.get("shippingOptionId"),
        body.get("packageIds") or [])
    return 200, {"packageShipLabelList": labels}


def return_json(item: Return) -> dict:
    shipping: dict[str, Any] = {"reverseTrackingInfo": item.reverse_tracking}
    if item.forward_tracking:
        shipping["forwardTrackingInfo"] = item.forward_tracking
    delivered = next((step.time for step in item.history if step.dest == "DELIVERED"), None)
    if delivered:
        shipping["deliveryDateTime"] = delivered.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"id": item.id, "returnLocationId": item.return_location_id, "merchantSku": item.merchant_sku,
            "returnType": item.return_type, "returnSubType": item.return_sub_type, "numberOfUnits": item.units,
            "status": item.status, "fulfillmentLocationId": item.fulfillment_location_id,
            "creationDateTime": iso(item.created), "lastUpdatedDateTime": iso(item.updated),
            "returnMetadata": {"returnReason": item.reason, "rmaId": item.rma_id},
            "returnShippingInfo": shipping,
            "marketplaceChannelDetails": {"marketplaceChannel": {"marketplaceName": "AMAZON_IN",
                                                                 "channelName": "MFN"},
                                          "merchantId": item.seller_id, "shipmentId": item.shipment_id,
                                          "customerOrderId": item.customer_order_id,
                                          "returnLocationId": item.return_location_id},
            "packageDeliveryMode": "WITHOUT_OTP"}


@returns.operation("listReturns")
def list_returns(call: Call) -> Answer:
    p = call.params
    start = 0
    if p.get("nextToken"):
        if not p["nextToken"].isdigit():
            raise InvalidInput("nextToken is not valid.", "nextToken")
        start = int(p["nextToken"])
    size = p.get("maxResults", 100)
    if not 1 <= size <= 100:
        raise InvalidInput(f"'maxResults' must be between 1 and 100, not {size}.", "maxResults")
    created_since, created_until = p.get("createdSince"), p.get("createdUntil")
    updated_since = p.get("lastUpdatedSince") or p.get("lastUpdatedAfter")
    updated_until = p.get("lastUpdatedUntil") or p.get("lastUpdatedBefore")
    found = []
    for item in call.amazon.external_fulfillment.returns.scan(call.seller.seller_id):
        if p.get("returnLocationId") and item.return_location_id != p["returnLocationId"]:
            continue
        if p.get("rmaId") and item.rma_id != p["rmaId"]:
            continue
        if p.get("status") and item.status != p["status"]:
            continue
        if p.get("reverseTrackingId") and item.reverse_tracking["trackingId"] != p["reverseTrackingId"]:
            continue
        if created_since and item.created < created_since.timestamp() or \
                created_until and item.created >= created_until.timestamp():
            continue
        if updated_since and item.updated < updated_since.timestamp() or \
                updated_until and item.updated >= updated_until.timestamp():
            continue
        found.append(item)
    body: dict[str, Any] = {"returns": [return_json(r) for r in found[start:start + size]]}
    if start + size < len(found):
        body["nextToken"] = str(start + size)
    return 200, body


@returns.operation("getReturn")
def get_return(call: Call) -> Answer:
    return 200, return_json(call.amazon.external_fulfillment.returns.load(call.seller.seller_id,
                                                                        call.params["returnId"]))
