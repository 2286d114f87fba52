"""The seller's catalog and Amazon's view of their inventory (FBA Inventory v1).

Quantities live in the shared ledger (`model.inventory`): AFN positions per fulfilment centre, MFN positions at
the merchant's DEFAULT location. Summaries add up a SKU's AFN positions.
"""
from __future__ import annotations

from dataclasses import dataclass

from mock_amazon.entities import Collection, Entity, iso
from mock_amazon.errors import InvalidInput, NotFound

FULFILMENT_CENTRES = ("PHX7", "ONT8", "BFI4")
PAGE_SIZE = 50


@dataclass(kw_only=True, eq=False)
class CatalogItem(Entity):
    """A product the seller lists; its ID is the seller SKU."""
    asin: str
    fnsku: str
    title: str
    price: float
    channel: str               # AFN: fulfilled by Amazon; MFN: by the merchant
    listing_id: str

    @property
    def sku(self) -> str:
        return self.id


class FbaInventoryBackend:
    def __init__(self, mock):
        self.mock = mock
        self.catalog: Collection[CatalogItem] = Collection(mock.store, "catalog", CatalogItem, label="SKU")

    def add_product(self, seller_id: str, sku: str, title: str, channel: str = "AFN", price: float = 19.99,
                    asin: str | None = None) -> CatalogItem:
        if not sku or len(sku) > 40:
            raise InvalidInput("sellerSku must have 1 to 40 characters.", "sellerSku")
        if self.catalog.find(seller_id, sku) is not None:
            raise InvalidInput(f"SKU {sku} already exists.", "sellerSku")
        now = self.mock.clock.seconds()
        item = CatalogItem(id=sku, seller_id=seller_id, created=now, updated=now,
                           asin=asin or self.mock.new_id("B0XXXXXXXX"), fnsku=self.mock.new_id("X00XXXXXXX"),
                           title=title, price=price, channel=channel, listing_id=self.mock.new_id("####XXXXXXX"))
        self.catalog.add(item)
        return item

    def seed_catalog(self, seller_id: str, count: int, fake, rng) -> list[dict]:
        ledger = self.mock.ledger(seller_id)
        made = []
        for index in range(count):
            channel = "AFN" if rng.random() < 0.6 else "MFN"
            sku = f"{fake.lexify('???').upper()}-{index + 1:05d}"
            item = self.add_product(seller_id, sku, fake.catch_phrase().title(), channel,
                                    round(rng.uniform(5, 120), 2))
            if channel == "AFN":
                for centre in rng.sample(FULFILMENT_CENTRES, rng.randint(1, 2)):
                    ledger.set_quantity(sku, centre, rng.randint(5, 200), channel="AFN")
                if rng.random() < 0.2:
                    ledger.adjust(sku, centre, rng.randint(1, 5), "unsellable", channel="AFN")
                if rng.random() < 0.2:
                    ledger.adjust(sku, centre, rng.randint(1, 30), "inbound", channel="AFN")
            else:
                ledger.set_quantity(sku, "DEFAULT", rng.randint(0, 100), channel="MFN")
            made.append({"sku": item.sku, "channel": channel})
        return made

    def summaries(self, seller_id: str, marketplace_id: str, skus: list[str] | None, since: float | None,
                  details: bool, token: str | None) -> tuple[list[dict], str | None]:
        ledger = self.mock.ledger(seller_id)
        items = [self.catalog.find(seller_id, sku) for sku in skus] if skus else \
            [item for item in self.catalog.scan(seller_id) if item.channel == "AFN"]
        items = [item for item in items if item is not None]
        positions = ledger.positions
        if since is not None:
            items = [item for item in items if (positions.updated(item.sku) or item.updated) >= since]
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

    def _summary(self, ledger, item: CatalogItem, details: bool) -> dict:
        afn = [p for p in ledger.positions_of(item.sku) if p.channel == "AFN"]
        sellable = sum(p.sellable for p in afn)
        reserved = sum(p.reserved for p in afn)
        unsellable = sum(p.unsellable for p in afn)
        inbound = sum(p.inbound for p in afn)
        summary = {"asin": item.asin, "fnSku": item.fnsku, "sellerSku": item.sku, "condition": "NewItem",
                   "lastUpdatedTime": iso(ledger.positions.updated(item.sku) or item.updated),
                   "productName": item.title, "totalQuantity": sellable + reserved + unsellable + inbound}
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

    # dynamic sandbox operations
    def create_item(self, seller_id: str, sku: str, marketplace_id: str, name: str) -> None:
        self.add_product(seller_id, sku, name, "AFN")
        self.mock.ledger(seller_id).set_quantity(sku, FULFILMENT_CENTRES[0], 0, channel="AFN")

    def add_inventory(self, seller_id: str, token: str, items: list[dict]) -> None:
        """addInventory: idempotent per x-amzn-idempotency-token."""
        key = f"idempotency:{seller_id}:{token}"
        if self.mock.store.setting(key) is not None:
            return
        for item in items:
            if self.catalog.find(seller_id, item["sellerSku"]) is None:
                raise NotFound(f"No SKU {item['sellerSku']} in this seller's inventory.", item["sellerSku"])
            if item["quantity"] < 1:
                raise InvalidInput("quantity must be a positive integer.", "quantity")
        ledger = self.mock.ledger(seller_id)
        for item in items:
            ledger.adjust(item["sellerSku"], FULFILMENT_CENTRES[0], item["quantity"], channel="AFN")
        self.mock.store.set_setting(key, True)

    def delete_item(self, seller_id: str, sku: str) -> None:
        self.catalog.load(seller_id, sku)
        ledger = self.mock.ledger(seller_id)
        for position in ledger.positions_of(sku):
            del ledger.positions[(sku, position.location)]
        self.mock.store.delete("catalog", seller_id, sku)
