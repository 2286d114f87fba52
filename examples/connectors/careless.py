"""A connector that makes the mistakes the judge is there to catch, written with python-amazon-sp-api as many
real ones are. Run it in a live world and judge it:

    python -m judge run --scenario conformance --days 3 --clock-scale 2880 \\
        --connector-cmd "python examples/connectors/careless.py"

Its four deliberate mistakes, and the check that catches each:
- after a 429 it calls again at once (rate_limits.backoff);
- when createFulfillmentOrder times out it creates the order again under a new ID, though Amazon had created it
  (mcf.exactly_once);
- it never ships the first merchant-fulfilled order it sees (orders.shipped_on_time, once its LatestShipDate
  passes);
- it pushes a seller-flex SKU's stock again with the sequence number it already used (inventory.sequence).
Like many a quick integration it also leaves seller-flex orders to someone else and ignores the shop's
cancellations, which seller_flex.sla and mcf.exactly_once report too.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import requests
from sp_api.api import ExternalFulfillmentInventory, FulfillmentOutbound, OrdersV0
from sp_api.auth import AccessTokenClient
from sp_api.base import Marketplaces, SellingApiException, SellingApiRequestThrottledException

BASE = os.environ["SP_API_MOCK_URL"]


def client(api_class: type, **options: Any) -> Any:
    token_url = urlsplit(os.environ["LWA_TOKEN_URL"])

    class TokenClient(AccessTokenClient):  # type: ignore[misc]
        scheme, host = f"{token_url.scheme}://", token_url.netloc

    marketplace = next(m for m in Marketplaces if m.marketplace_id == os.environ["SP_API_MARKETPLACE_ID"])
    api = api_class(marketplace=marketplace, auth_token_client_class=TokenClient, **options)
    api.endpoint = BASE
    return api


def hammer(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Mistake 1: a 429 is retried at once, again and again, never waiting for the bucket."""
    for _ in range(20):
        try:
            return call(*args, **kwargs)
        except SellingApiRequestThrottledException:
            continue
    return None


def main() -> int:
    orders, outbound = client(OrdersV0), client(FulfillmentOutbound)
    inventory = client(ExternalFulfillmentInventory, version="2024-09-11")
    catalog = requests.get(f"{BASE}/_world/catalog", timeout=30).json()
    never_shipped: str | None = None
    shipped: set[str] = set()
    sent: dict[str, int] = {}      # webstore order -> attempts
    pushed: dict[str, int] = {}    # seller-flex SKU -> pushes
    while True:
        now = datetime.fromisoformat(requests.get(f"{BASE}/_world/clock", timeout=30).json()["now"])
        since = (now - timedelta(days=7)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        listed = hammer(orders.get_orders, CreatedAfter=since, OrderStatuses=["Unshipped"],
                        FulfillmentChannels=["MFN"])
        for order in (listed.payload["Orders"] if listed else []):
            order_id = order["AmazonOrderId"]
            if never_shipped is None:
                never_shipped = order_id   # mistake 3: this one is forgotten
            if order_id in shipped or order_id == never_shipped:
                continue
            items = hammer(orders.get_order_items, order_id)
            if items is None:
                continue
            hammer(orders.confirm_shipment, order_id, marketplaceId=order["MarketplaceId"], packageDetail={
                "packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": f"1Z{order_id[-7:]}",
                "shipDate": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "orderItems": [{"orderItemId": i["OrderItemId"], "quantity": i["QuantityOrdered"]}
                               for i in items.payload["OrderItems"]]})
            shipped.add(order_id)
        for shop_order in requests.get(f"{BASE}/_world/webstore/orders", params={"limit": 1000},
                                       timeout=30).json()["orders"]:
            while sent.get(shop_order["id"], 0) == 0 or sent[shop_order["id"]] < 0:
                attempt = abs(sent.get(shop_order["id"], 0)) + 1
                try:
                    outbound.create_fulfillment_order(
                        sellerFulfillmentOrderId=f"{shop_order['id']}-{attempt}",  # mistake 2: a new ID each try
                        displayableOrderId=shop_order["id"], displayableOrderDate=shop_order["created"],
                        displayableOrderComment="Thank you", shippingSpeedCategory="Standard",
                        destinationAddress=shop_order["ship_to"],
                        items=[{"sellerSku": line["sku"], "sellerFulfillmentOrderItemId": str(n),
                                "quantity": line["quantity"]} for n, line in enumerate(shop_order["lines"], 1)])
                    sent[shop_order["id"]] = attempt
                except SellingApiException:
                    sent[shop_order["id"]] = -attempt   # timed out or refused: try again, under a new ID
                    if attempt >= 3:
                        sent[shop_order["id"]] = attempt
        for sku in catalog["skus"]["seller_flex"]:
            pushes = pushed.get(sku, 0)
            if pushes >= 2:
                continue
            sequence = 1   # mistake 4: the second push reuses the number of the first
            free = requests.get(f"{BASE}/_world/warehouse/stock", params={"sku": sku}, timeout=30).json()["stock"]
            hammer(inventory.batch_inventory, requests=[{
                "uri": f"/inventory/update?locationId={catalog['location']}&skuId={sku}", "method": "POST",
                "body": {"quantity": max(0, free[0]["free"]) if free else 0, "clientSequenceNumber": sequence,
                         "marketplaceAttributes": {"marketplaceId": os.environ["SP_API_MARKETPLACE_ID"],
                                                   "channelName": "MFN"}}}])
            pushed[sku] = pushes + 1
        time.sleep(1)  # real time between rounds: this connector is a cron job, not a simulation


if __name__ == "__main__":
    sys.exit(main())
