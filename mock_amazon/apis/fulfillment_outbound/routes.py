"""Fulfillment Outbound 2020-07-01."""
from __future__ import annotations

from typing import Any

from mock_amazon.apis.fulfillment_outbound.backend import FulfillmentOrder
from mock_amazon.entities import iso
from mock_amazon.errors import InvalidInput, NotFound
from mock_amazon.pipeline import Answer, Api, Call

api = Api("fulfillment_outbound", "fulfillmentOutbound_2020-07-01")
PAGE_SIZE = 50


def order_json(order: FulfillmentOrder) -> dict:
    return {"sellerFulfillmentOrderId": order.id, "marketplaceId": order.marketplace_id,
            "displayableOrderId": order.displayable_order_id, "displayableOrderDate": order.displayable_order_date,
            "displayableOrderComment": order.displayable_order_comment, "shippingSpeedCategory": order.shipping_speed,
            "destinationAddress": order.destination, "fulfillmentAction": order.fulfillment_action,
            "fulfillmentPolicy": order.fulfillment_policy, "receivedDate": iso(order.created),
            "fulfillmentOrderStatus": order.status, "statusUpdatedDate": iso(order.updated),
            **({"notificationEmails": order.notification_emails} if order.notification_emails else {})}


def shipment_json(shipment: dict) -> dict:
    package = shipment["package"]
    return {"amazonShipmentId": shipment["amazon_shipment_id"], "fulfillmentCenterId": shipment["centre"],
            "fulfillmentShipmentStatus": "SHIPPED", "shippingDate": iso(shipment["shipped"]),
            "estimatedArrivalDate": iso(shipment["arrival"]),
            "fulfillmentShipmentItem": [{"sellerSku": i["seller_sku"], "sellerFulfillmentOrderItemId": i["item_id"],
                                         "quantity": i["quantity"], "packageNumber": i["package_number"]}
                                        for i in shipment["items"]],
            "fulfillmentShipmentPackage": [{"packageNumber": package["number"], "carrierCode": package["carrier"],
                                            "trackingNumber": package["tracking"],
                                            "estimatedArrivalDate": iso(shipment["arrival"])}]}


@api.operation("getFulfillmentPreview")
def get_fulfillment_preview(call: Call) -> Answer:
    previews = call.amazon.fulfillment_outbound.preview(call.seller.seller_id, call.params["body"])
    return 200, {"payload": {"fulfillmentPreviews": previews}}


@api.operation("createFulfillmentOrder")
def create_fulfillment_order(call: Call) -> Answer:
    call.amazon.fulfillment_outbound.create(call.seller.seller_id, call.params["body"])
    return 200, {}


@api.operation("getFulfillmentOrder")
def get_fulfillment_order(call: Call) -> Answer:
    order = call.amazon.fulfillment_outbound.orders.load(call.seller.seller_id, call.params["sellerFulfillmentOrderId"])
    return 200, {"payload": {
        "fulfillmentOrder": order_json(order),
        "fulfillmentOrderItems": [{"sellerSku": i["seller_sku"], "sellerFulfillmentOrderItemId": i["item_id"],
                                   "quantity": i["quantity"], "cancelledQuantity": i["cancelled"],
                                   "unfulfillableQuantity": i["unfulfillable"]} for i in order.items],
        "fulfillmentShipments": [shipment_json(s) for s in order.shipments],
        "returnItems": [], "returnAuthorizations": []}}


@api.operation("listAllFulfillmentOrders")
def list_all_fulfillment_orders(call: Call) -> Answer:
    p = call.params
    if p.get("nextToken"):
        try:
            since, offset = p["nextToken"].split("|")
            since, offset = float(since), int(offset)
        except ValueError:
            raise InvalidInput("nextToken is not valid.", "nextToken") from None
    else:
        since = p["queryStartDate"].timestamp() if p.get("queryStartDate") else call.amazon.now() - 36 * 3600
        offset = 0
    orders = list(call.amazon.fulfillment_outbound.orders.scan(call.seller.seller_id, order_by="updated", since=since))
    page = orders[offset:offset + PAGE_SIZE]
    body: dict[str, Any] = {"fulfillmentOrders": [order_json(o) for o in page]}
    if offset + PAGE_SIZE < len(orders):
        body["nextToken"] = f"{since!r}|{offset + PAGE_SIZE}"
    return 200, {"payload": body}


@api.operation("updateFulfillmentOrder")
def update_fulfillment_order(call: Call) -> Answer:
    call.amazon.fulfillment_outbound.update(call.seller.seller_id, call.params["sellerFulfillmentOrderId"],
                                         call.params["body"])
    return 200, {}


@api.operation("cancelFulfillmentOrder")
def cancel_fulfillment_order(call: Call) -> Answer:
    call.amazon.fulfillment_outbound.cancel(call.seller.seller_id, call.params["sellerFulfillmentOrderId"])
    return 200, {}


@api.operation("submitFulfillmentOrderStatusUpdate")
def submit_fulfillment_order_status_update(call: Call) -> Answer:
    target = call.params["body"].get("fulfillmentOrderStatus")
    if not target:
        raise InvalidInput("fulfillmentOrderStatus is required.", "fulfillmentOrderStatus")
    call.amazon.fulfillment_outbound.force_status(call.seller.seller_id, call.params["sellerFulfillmentOrderId"],
                                                  target)
    return 200, {}


@api.operation("getPackageTrackingDetails")
def get_package_tracking_details(call: Call) -> Answer:
    found = call.amazon.fulfillment_outbound.find_package(call.seller.seller_id, call.params["packageNumber"])
    if found is None:
        raise NotFound(f"No package {call.params['packageNumber']}.", "packageNumber")
    order, shipment = found
    now = call.amazon.now()
    place = {"city": order.destination.get("city", ""), "state": order.destination.get("stateOrRegion", ""),
             "country": order.destination.get("countryCode", "")}
    delivered = now >= shipment["arrival"]
    events = [{"eventDate": iso(shipment["shipped"]), "eventAddress": place, "eventCode": "EVENT_101",
               "eventDescription": "Carrier picked up the package."}]
    if delivered:
        events.append({"eventDate": iso(shipment["arrival"]), "eventAddress": place, "eventCode": "EVENT_301",
                       "eventDescription": "Delivered."})
    package = shipment["package"]
    return 200, {"payload": {
        "packageNumber": package["number"], "trackingNumber": package["tracking"], "carrierCode": package["carrier"],
        "shipDate": iso(shipment["shipped"]), "estimatedArrivalDate": iso(shipment["arrival"]),
        "shipToAddress": place, "currentStatus": "DELIVERED" if delivered else "IN_TRANSIT",
        "trackingEvents": events}}
