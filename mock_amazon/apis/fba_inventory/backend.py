"""Amazon's view of the seller's FBA inventory (FBA Inventory v1).

Quantities live in the shared ledger (`model.inventory`): AFN positions per fulfilment centre, MFN positions at
the merchant's DEFAULT location. Summaries add up a SKU's AFN positions; the catalog is the listings'.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from mock_amazon.apis.listings.backend import FULFILMENT_CENTRES, Listing
from mock_amazon.entities import iso
from mock_amazon.errors import InvalidInput, NotFound
from mock_amazon.store import StoredPositions
from model.inventory import Ledger

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

PAGE_SIZE = 50


class _Stranded:
    """A SKU with stock at Amazon and no listing."""

    def __init__(self, sku: str):
        self.sku, self.title, self.updated = sku, "", 0.0
        self.asin: str | None = None
        self.fnsku: str | None = None


def _updated(ledger: Ledger, sku: str) -> float | None:
    """When the SKU's stock last changed: the mock's ledgers (`MockAmazon.ledger`) keep it in the store."""
    return cast(StoredPositions, ledger.positions).updated(sku)


class FbaInventoryBackend:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon

    def summaries(self, seller_id: str, marketplace_id: str, skus: list[str] | None, since: float | None,
                  details: bool, token: str | None) -> tuple[list[dict], str | None]:
        ledger = self.amazon.ledger(seller_id)
        items: list[Listing | _Stranded]
        if skus:  # a SKU asked for by name may be stranded: no listing, but stock at Amazon
            items = []
            for sku in skus:
                listing = self.amazon.listings.items.find(seller_id, sku)
                if listing is not None:
                    items.append(listing)
                elif any(p.channel == "AFN" for p in ledger.positions_of(sku)):
                    items.append(_Stranded(sku))
        else:
            items = [item for item in self.amazon.listings.items.scan(seller_id) if item.channel == "AFN"]
        if since is not None:
            items = [item for item in items if (_updated(ledger, item.sku) or item.updated) >= since]
        start = 0
        if token:
            try:
                start = int(token)
            except ValueError:
                raise InvalidInput("nextToken is not valid.", "nextToken") from None
        page = items[start:start + PAGE_SIZE]
        summaries = [self._summary(ledger, item, details) for item in page]
        more = start + PAGE_SIZE < len(items)
        return summaries, str(start + PAGE_SIZE) if more else None

    def _summary(self, ledger: Ledger, item: Listing | _Stranded, details: bool) -> dict:
        afn = [p for p in ledger.positions_of(item.sku) if p.channel == "AFN"]
        sellable = sum(p.sellable for p in afn)
        reserved = sum(p.reserved for p in afn)
        unsellable = sum(p.unsellable for p in afn)
        inbound = sum(p.inbound for p in afn)
        summary: dict[str, Any] = {"sellerSku": item.sku, "condition": "NewItem",
                                   "lastUpdatedTime": iso(_updated(ledger, item.sku) or item.updated),
                                   "totalQuantity": sellable + reserved + unsellable + inbound}
        if item.asin:
            summary.update({"asin": item.asin, "fnSku": item.fnsku, "productName": item.title})
        if details:
            summary["inventoryDetails"] = {
                "fulfillableQuantity": sellable, "inboundWorkingQuantity": 0, "inboundShippedQuantity": 0,
                "inboundReceivingQuantity": inbound,
                "reservedQuantity": {"totalReservedQuantity": reserved, "pendingCustomerOrderQuantity": reserved,
                                     "pendingTransshipmentQuantity": 0, "fcProcessingQuantity": 0},
                "researchingQuantity": {"totalResearchingQuantity": 0, "researchingQuantityBreakdown": []},
                "unfulfillableQuantity": {"totalUnfulfillableQuantity": unsellable,
                                          "customerDamagedQuantity": unsellable, "warehouseDamagedQuantity": 0,
                                          "distributorDamagedQuantity": 0, "carrierDamagedQuantity": 0,
                                          "defectiveQuantity": 0, "expiredQuantity": 0},
            }
        return summary

    def announce(self, seller_id: str, sku: str) -> None:
        """FBA_INVENTORY_AVAILABILITY_CHANGES after any change to a SKU's stock at Amazon."""
        notifications = self.amazon.notifications
        if notifications.subscription_for(seller_id, "FBA_INVENTORY_AVAILABILITY_CHANGES") is None:
            return
        listing = self.amazon.listings.items.find(seller_id, sku)
        positions = [p for p in self.amazon.ledger(seller_id).positions_of(sku) if p.channel == "AFN"]
        if listing is None or not positions:
            return
        at = self.amazon.now()
        notifications.publish(seller_id, "FBA_INVENTORY_AVAILABILITY_CHANGES", {
            "SellerId": seller_id, "FNSKU": listing.fnsku, "ASIN": listing.asin, "SKU": sku,
            "FulfillmentInventoryByMarketplace": [{
                "MarketplaceId": self.amazon.auth.known_seller(seller_id).marketplace_id, "ItemName": listing.title,
                "FulfillmentInventory": {
                    "InboundQuantityBreakdown": {"Working": 0, "Shipped": 0,
                                                 "Receiving": sum(p.inbound for p in positions)},
                    "Fulfillable": sum(p.sellable for p in positions),
                    "Unfulfillable": sum(p.unsellable for p in positions), "Researching": 0,
                    "ReservedQuantityBreakdown": {"WarehouseProcessing": 0, "WarehouseTransfer": 0,
                                                  "PendingCustomerOrder": sum(p.reserved for p in positions)},
                    "FutureSupplyBuyable": 0, "PendingCustomerOrderInTransit": 0}}]}, at)

    # dynamic sandbox operations
    def create_item(self, seller_id: str, sku: str, marketplace_id: str, name: str) -> None:
        self.amazon.listings.add(seller_id, sku, name, "AFN")
        self.amazon.ledger(seller_id).set_quantity(sku, FULFILMENT_CENTRES[0], 0, channel="AFN")

    def add_inventory(self, seller_id: str, token: str, items: list[dict]) -> None:
        """addInventory: idempotent per x-amzn-idempotency-token."""
        key = f"idempotency:{seller_id}:{token}"
        if self.amazon.store.setting(key) is not None:
            return
        for item in items:
            if self.amazon.listings.items.find(seller_id, item["sellerSku"]) is None:
                raise NotFound(f"No SKU {item['sellerSku']} in this seller's inventory.", item["sellerSku"])
            if item["quantity"] < 1:
                raise InvalidInput("quantity must be a positive integer.", "quantity")
        ledger = self.amazon.ledger(seller_id)
        for item in items:
            ledger.adjust(item["sellerSku"], FULFILMENT_CENTRES[0], item["quantity"], channel="AFN")
        self.amazon.store.set_setting(key, True)

    def delete_item(self, seller_id: str, sku: str) -> None:
        self.amazon.listings.delete(seller_id, sku)
