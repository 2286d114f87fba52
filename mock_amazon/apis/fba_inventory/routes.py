"""FBA Inventory v1: getInventorySummaries and the dynamic-sandbox item operations."""
from __future__ import annotations

import mock_amazon.marketplaces as marketplaces
from mock_amazon.errors import InvalidInput
from mock_amazon.pipeline import Answer, Api, Call

api = Api("fba_inventory", "fbaInventory")


def _check_marketplace(call: Call, marketplace_id: str, name: str) -> None:
    """A marketplace the seller does not take part in: Amazon's 403 (marketplaces.participating)."""
    marketplaces.participating(call.seller.marketplace_ids, marketplace_id, name)


@api.operation("getInventorySummaries")
def get_inventory_summaries(call: Call) -> Answer:
    p = call.params
    _check_marketplace(call, p["granularityId"], "granularityId")
    for marketplace in p["marketplaceIds"]:
        _check_marketplace(call, marketplace, "marketplaceIds")
    skus = p.get("sellerSkus") or ([p["sellerSku"]] if p.get("sellerSku") else None)
    since = p["startDateTime"].timestamp() if p.get("startDateTime") else None
    summaries, next_token = call.amazon.fba_inventory.summaries(
        call.seller.seller_id, p["granularityId"], skus, since, bool(p.get("details")), p.get("nextToken"))
    body = {"payload": {"granularity": {"granularityType": "Marketplace", "granularityId": p["granularityId"]},
                        "inventorySummaries": summaries}}
    if next_token:
        body["pagination"] = {"nextToken": next_token}
    return 200, body


@api.operation("createInventoryItem")
def create_inventory_item(call: Call) -> Answer:
    body = call.params["createInventoryItemRequestBody"]
    _check_marketplace(call, body["marketplaceId"], "marketplaceId")
    call.amazon.fba_inventory.create_item(call.seller.seller_id, body["sellerSku"], body["marketplaceId"],
                                        body["productName"])
    return 200, {}


@api.operation("addInventory")
def add_inventory(call: Call) -> Answer:
    items = (call.params["addInventoryRequestBody"] or {}).get("inventoryItems") or []
    if not items:
        raise InvalidInput("inventoryItems must list at least one item.", "inventoryItems")
    for item in items:
        _check_marketplace(call, item["marketplaceId"], "marketplaceId")
    call.amazon.fba_inventory.add_inventory(call.seller.seller_id, call.params["x-amzn-idempotency-token"], items)
    return 200, {}


@api.operation("deleteInventoryItem")
def delete_inventory_item(call: Call) -> Answer:
    _check_marketplace(call, call.params["marketplaceId"], "marketplaceId")
    call.amazon.fba_inventory.delete_item(call.seller.seller_id, call.params["sellerSku"])
    return 200, {}
