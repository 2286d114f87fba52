"""Merchant-fulfilled quantity and handling time (F001-2): sent per SKU, only when that SKU is synced."""
from __future__ import annotations

from model.workflows.protocol import Request, Workflow, expect_ok


def set_availability(seller_id: str, sku: str, quantity: int, handling_days: int,
                     marketplace_id: str = "ATVPDKIKX0DER") -> Workflow[str]:
    patch = {"productType": "PRODUCT",
             "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                          "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity,
                                     "lead_time_to_ship_max_days": handling_days}]}]}
    response = yield Request("listingsItems_2021-08-01.patchListingsItem", path={"sellerId": seller_id, "sku": sku},
                             query={"marketplaceIds": marketplace_id}, body=patch)
    return expect_ok(response, "patchListingsItem").body["status"]
