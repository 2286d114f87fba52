"""Orders v0 and Orders 2026-01-01: parameters arrive validated; this module only shapes Amazon's JSON."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import mock_amazon.marketplaces as marketplaces
from mock_amazon.apis.orders.backend import SHIP_LEVELS, AmazonOrder, OrderFilter
from mock_amazon.entities import iso
from mock_amazon.pipeline import Answer, Api, Call, encoded

api = Api("orders_v0", "ordersV0")
api_2026 = Api("orders_2026", "orders_2026-01-01")


def money(amount: float, currency: str) -> dict:
    return {"CurrencyCode": currency, "Amount": marketplaces.amount(amount, currency)}


ADDRESSED = ("Unshipped", "PartiallyShipped", "Shipped", "InvoiceUnconfirmed")  # when an order has a ShippingAddress
UNRESTRICTED_ADDRESS = ("City", "StateOrRegion", "PostalCode", "CountryCode")  # what needs no shippingAddress RDT


def order_v0(order: AmazonOrder, data_elements: frozenset[str] = frozenset()) -> dict:
    """An Order as getOrders and getOrder answer it: its buyer info only for an RDT naming buyerInfo, its full
    shipping address only for one naming shippingAddress (without, the address's unrestricted parts)."""
    restricted: dict[str, Any] = {}
    if order.status in ADDRESSED:
        address = address_v0(order)
        restricted["ShippingAddress"] = address if "shippingAddress" in data_elements else \
            {key: address[key] for key in UNRESTRICTED_ADDRESS}
    if "buyerInfo" in data_elements:
        restricted["BuyerInfo"] = {"BuyerEmail": order.buyer["email"], "BuyerName": order.buyer["name"]}
    return {**_unrestricted(order), **restricted}


def _kept_orders_v0(call: Call, orders: list[AmazonOrder]) -> list[dict]:
    """`order_v0` of each order for the call's data elements, made and encoded once per saved version of the order
    (orders.rendering)."""
    data_elements = call.data_elements
    shape = ("v0", data_elements)
    rendering = call.amazon.orders.orders.rendering

    def render(order: AmazonOrder) -> dict:
        return encoded(order_v0(order, data_elements))
    return [rendering(order, shape, render) for order in orders]


def _unrestricted(order: AmazonOrder) -> dict:
    return {
        "AmazonOrderId": order.id,
        **({"SellerOrderId": order.seller_order_id} if order.seller_order_id else {}),
        "PurchaseDate": iso(order.purchase_date),
        "LastUpdateDate": iso(order.updated),
        "OrderStatus": order.status,
        "FulfillmentChannel": order.fulfillment_channel,
        "SalesChannel": order.sales_channel,
        "ShipServiceLevel": SHIP_LEVELS[order.shipment_category],
        "OrderTotal": money(order.total, order.currency),
        "NumberOfItemsShipped": order.quantity_shipped,
        "NumberOfItemsUnshipped": order.quantity_unshipped,
        "PaymentMethod": order.payment_method,
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": order.marketplace_id,
        "ShipmentServiceLevelCategory": order.shipment_category,
        "OrderType": order.order_type,
        "EarliestShipDate": iso(order.purchase_date),
        "LatestShipDate": iso(order.latest_ship_date),
        "EarliestDeliveryDate": iso(order.delivery_window[0]),
        "LatestDeliveryDate": iso(order.delivery_window[1]),
        "IsBusinessOrder": False,
        "IsPrime": order.is_prime,
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsISPU": order.is_ispu,
        "IsAccessPointOrder": False,
        **({"EasyShipShipmentStatus": order.shipment_status} if order.shipment_status else {}),
        **({"ElectronicInvoiceStatus": order.electronic_invoice_status} if order.electronic_invoice_status else {}),
    }


def address_v0(order: AmazonOrder) -> dict:
    a = order.ship_to
    return {"Name": a["name"], "AddressLine1": a["line1"], "City": a["city"], "StateOrRegion": a["state"],
            "PostalCode": a["postal_code"], "CountryCode": a["country"], "Phone": a["phone"],
            "AddressType": "Residential"}


def _seconds(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


@api.operation("getOrders")
def get_orders(call: Call) -> Answer:
    p = call.params
    wanted = OrderFilter(
        statuses=p.get("OrderStatuses"), channels=p.get("FulfillmentChannels"), marketplaces=p.get("MarketplaceIds"),
        order_ids=p.get("AmazonOrderIds"), seller_order_id=p.get("SellerOrderId"), buyer_email=p.get("BuyerEmail"),
        payment_methods=p.get("PaymentMethods"), easy_ship_statuses=p.get("EasyShipShipmentStatuses"),
        is_ispu=p.get("IsISPU"), store_chain_store_id=p.get("StoreChainStoreId"),
        supply_source_id=p.get("ActualFulfillmentSupplySourceId"),
        electronic_invoice_statuses=p.get("ElectronicInvoiceStatuses"),
        earliest_delivery_after=_seconds(p.get("EarliestDeliveryDateAfter")),
        earliest_delivery_before=_seconds(p.get("EarliestDeliveryDateBefore")),
        latest_delivery_after=_seconds(p.get("LatestDeliveryDateAfter")),
        latest_delivery_before=_seconds(p.get("LatestDeliveryDateBefore")))
    orders, next_token = call.amazon.orders.search(
        call.seller.seller_id, created_after=p.get("CreatedAfter"), created_before=p.get("CreatedBefore"),
        updated_after=p.get("LastUpdatedAfter"), updated_before=p.get("LastUpdatedBefore"), filters=wanted,
        page_size=_page_size(p.get("MaxResultsPerPage")), token=p.get("NextToken"))
    payload: dict[str, Any] = {"Orders": _kept_orders_v0(call, orders)}
    if next_token:
        payload["NextToken"] = next_token
    bound = "CreatedBefore" if p.get("CreatedAfter") else "LastUpdatedBefore"
    payload[bound] = iso(call.amazon.clock.seconds())
    return 200, {"payload": payload}


def _page_size(value: int | None) -> int:
    """Amazon's default page of orders; a given size is checked by constraints.py."""
    return 100 if value is None else value


@api.operation("getOrder")
def get_order(call: Call) -> Answer:
    order = call.amazon.orders.get(call.seller.seller_id, call.params["orderId"])
    return 200, {"payload": _kept_orders_v0(call, [order])[0]}


@api.operation("getOrderItems")
def get_order_items(call: Call) -> Answer:
    order = call.amazon.orders.get(call.seller.seller_id, call.params["orderId"])
    items = [{
        "ASIN": i["asin"], "SellerSKU": i["sku"], "OrderItemId": i["order_item_id"], "Title": i["title"],
        "QuantityOrdered": i["quantity_ordered"], "QuantityShipped": i["quantity_shipped"],
        "ItemPrice": money(i["price"] * i["quantity_ordered"], order.currency),
        "ShippingPrice": money(0, order.currency), "ItemTax": money(0, order.currency),
        "PromotionDiscount": money(0, order.currency), "IsGift": "false", "ConditionId": "New",
        "ConditionSubtypeId": "New", "IsTransparency": False, "SerialNumberRequired": False,
    } for i in order.items]
    return 200, {"payload": {"AmazonOrderId": order.id, "OrderItems": items}}


@api.operation("getOrderAddress")  # answers only to a restricted data token (apis/tokens/backend.py)
def get_order_address(call: Call) -> Answer:
    order = call.amazon.orders.get(call.seller.seller_id, call.params["orderId"])
    return 200, {"payload": {"AmazonOrderId": order.id, "ShippingAddress": address_v0(order)}}


@api.operation("getOrderBuyerInfo")  # answers only to a restricted data token (apis/tokens/backend.py)
def get_order_buyer_info(call: Call) -> Answer:
    order = call.amazon.orders.get(call.seller.seller_id, call.params["orderId"])
    return 200, {"payload": {"AmazonOrderId": order.id, "BuyerEmail": order.buyer["email"],
                             "BuyerName": order.buyer["name"]}}


@api.operation("confirmShipment")
def confirm_shipment(call: Call) -> Answer:
    call.amazon.orders.confirm_shipment(call.seller.seller_id, call.params["orderId"], call.params["payload"])
    return 204, None


@api.operation("updateShipmentStatus")
def update_shipment_status(call: Call) -> Answer:
    call.amazon.orders.update_shipment_status(call.seller.seller_id, call.params["orderId"], call.params["payload"])
    return 204, None


# Orders 2026-01-01 ---------------------------------------------------------------------------------------------

STATUS_2026 = {"PendingAvailability": "PENDING_AVAILABILITY", "Pending": "PENDING", "Unshipped": "UNSHIPPED",
               "PartiallyShipped": "PARTIALLY_SHIPPED", "Shipped": "SHIPPED", "InvoiceUnconfirmed": "SHIPPED",
               "Canceled": "CANCELLED", "Unfulfillable": "UNFULFILLABLE"}
STATUS_V0: dict[str, list[str]] = {}
for v0, new in STATUS_2026.items():
    STATUS_V0.setdefault(new, []).append(v0)


def order_2026(order: AmazonOrder, included: list[str]) -> dict:
    def money_(amount: float) -> dict:
        return {"amount": marketplaces.amount(amount, order.currency), "currencyCode": order.currency}

    body = {
        "orderId": order.id,
        "createdTime": iso(order.purchase_date),
        "lastUpdatedTime": iso(order.updated),
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": order.marketplace_id,
                         "marketplaceName": order.sales_channel},
        "fulfillment": {"fulfillmentStatus": STATUS_2026[order.status],
                        "fulfilledBy": "AMAZON" if order.fulfillment_channel == "AFN" else "MERCHANT",
                        "fulfillmentServiceLevel": order.shipment_category.upper()},
        "orderItems": [{
            "orderItemId": i["order_item_id"], "quantityOrdered": i["quantity_ordered"],
            "product": {"asin": i["asin"], "title": i["title"], "sellerSku": i["sku"],
                        "price": {"unitPrice": money_(i["price"])}},
            "fulfillment": {"quantityFulfilled": i["quantity_shipped"],
                            "quantityUnfulfilled": i["quantity_ordered"] - i["quantity_shipped"]},
        } for i in order.items],
        "proceeds": {"grandTotal": money_(order.total)},
    }
    if "BUYER" in included:
        body["buyer"] = {"buyerName": order.buyer["name"], "buyerEmail": order.buyer["email"]}
    if "RECIPIENT" in included:
        a = order.ship_to
        body["recipient"] = {"deliveryAddress": {
            "name": a["name"], "addressLine1": a["line1"], "city": a["city"], "stateOrRegion": a["state"],
            "postalCode": a["postal_code"], "countryCode": a["country"], "phone": a["phone"],
            "addressType": "RESIDENTIAL"}}
    if "PACKAGES" in included:
        body["packages"] = [{
            "packageReferenceId": p["package_reference_id"], "carrier": p["carrier_code"],
            "trackingNumber": p["tracking_number"], "shipTime": p["ship_date"],
            "packageStatus": {"status": "SHIPPED"},
            "packageItems": [{"orderItemId": i["order_item_id"], "quantity": i["quantity"]} for i in p["items"]],
        } for p in order.packages]
    return body


@api_2026.operation("searchOrders")
def search_orders(call: Call) -> Answer:
    p = call.params
    statuses = [v0 for s in p.get("fulfillmentStatuses", []) for v0 in STATUS_V0[s]] or None
    channels = [{"AMAZON": "AFN", "MERCHANT": "MFN"}[f] for f in p.get("fulfilledBy", [])] or None
    orders, next_token = call.amazon.orders.search(
        call.seller.seller_id, created_after=p.get("createdAfter"), created_before=p.get("createdBefore"),
        updated_after=p.get("lastUpdatedAfter"), updated_before=p.get("lastUpdatedBefore"),
        filters=OrderFilter(statuses=statuses, channels=channels, marketplaces=p.get("marketplaceIds")),
        page_size=_page_size(p.get("maxResultsPerPage")), token=p.get("paginationToken"),
        token_name="paginationToken")
    body: dict[str, Any] = {"orders": [order_2026(o, p.get("includedData", [])) for o in orders]}
    if next_token:
        body["pagination"] = {"nextToken": next_token}
    body["createdBefore" if p.get("createdAfter") else "lastUpdatedBefore"] = iso(call.amazon.clock.seconds())
    return 200, body


@api_2026.operation("getOrder")
def get_order_2026(call: Call) -> Answer:
    order = call.amazon.orders.get(call.seller.seller_id, call.params["orderId"])
    return 200, {"order": order_2026(order, call.params.get("includedData", []))}
