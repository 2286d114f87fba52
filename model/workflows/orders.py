"""Merchant-fulfilled Amazon orders (F001-6/7, F004-1/3): list those ready to ship, read their items, and post
tracking back once the warehouse ships them."""
from __future__ import annotations

from datetime import datetime

from model.workflows.protocol import Request, WorkflowError

ORDERS = "ordersV0"


def ready_to_ship(since: datetime, marketplace_id: str = "ATVPDKIKX0DER"):
    """Every MFN order updated since `since` that is waiting to be shipped, all pages."""
    found, token = [], None
    while True:
        query = {"MarketplaceIds": marketplace_id}
        if token:
            query["NextToken"] = token
        else:
            query.update({"LastUpdatedAfter": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "OrderStatuses": "Unshipped",
                          "FulfillmentChannels": "MFN", "MaxResultsPerPage": 100})
        response = yield Request(f"{ORDERS}.getOrders", query=query)
        if not response.ok:
            raise WorkflowError(f"getOrders answered {response.status}: {response.error_message}", response)
        found += response.body["payload"]["Orders"]
        token = response.body["payload"].get("NextToken")
        if not token:
            return found


def order_items(order_id: str):
    response = yield Request(f"{ORDERS}.getOrderItems", path={"orderId": order_id})
    if not response.ok:
        raise WorkflowError(f"getOrderItems answered {response.status}", response)
    return response.body["payload"]["OrderItems"]


def post_tracking(order_id: str, items: list[dict], carrier: str, tracking: str, ship_date: datetime,
                  marketplace_id: str = "ATVPDKIKX0DER"):
    """confirmShipment with every item; a 400 saying it is already Shipped means an earlier try got through."""
    response = yield Request(f"{ORDERS}.confirmShipment", path={"orderId": order_id}, body={
        "marketplaceId": marketplace_id,
        "packageDetail": {"packageReferenceId": tracking, "carrierCode": carrier, "trackingNumber": tracking,
                          "shipDate": ship_date.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "orderItems": [{"orderItemId": i["OrderItemId"], "quantity": i["QuantityOrdered"]}
                                         for i in items]}})
    if response.ok:
        return "posted"
    if response.status == 400 and ("already confirmed" in response.error_message or
                                   "is Shipped" in response.error_message):
        return "already_posted"
    raise WorkflowError(f"confirmShipment answered {response.status}: {response.error_message}", response)
