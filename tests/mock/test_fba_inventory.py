"""FBA Inventory v1: summaries from the ledger, in batches of 50, and the dynamic-sandbox item operations."""
from mock_amazon.entities import iso

FBA = "fbaInventory"
BASE = {"granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER", "marketplaceIds": "ATVPDKIKX0DER"}


def test_summaries_match_the_ledger(sp, amazon):
    seller = amazon.seller.seller_id
    ledger = amazon.ledger(seller)
    summaries = sp(FBA, "getInventorySummaries", query={**BASE, "details": "true"}).body["payload"]
    afn = [i.sku for i in amazon.listings.items.scan(seller) if i.channel == "AFN"]
    assert [s["sellerSku"] for s in summaries["inventorySummaries"]] == afn
    for summary in summaries["inventorySummaries"]:
        details = summary["inventoryDetails"]
        assert details["fulfillableQuantity"] == ledger.total(summary["sellerSku"], channel="AFN")
        assert details["unfulfillableQuantity"]["totalUnfulfillableQuantity"] == \
            ledger.total(summary["sellerSku"], "unsellable", channel="AFN")


def test_batches_of_fifty_and_pagination(sp, amazon):
    amazon.limits.configure(lifted=True)
    seller = amazon.seller.seller_id
    for index in range(120):
        sp(FBA, "createInventoryItem", body={"sellerSku": f"BULK-{index:03d}", "marketplaceId": "ATVPDKIKX0DER",
                                             "productName": f"Bulk {index}"})
    skus = [f"BULK-{index:03d}" for index in range(120)]
    seen = []
    for start in range(0, 120, 50):
        batch = skus[start:start + 50]
        answer = sp(FBA, "getInventorySummaries", query={**BASE, "sellerSkus": ",".join(batch)})
        seen += [s["sellerSku"] for s in answer.body["payload"]["inventorySummaries"]]
    assert seen == skus
    everything, token = [], None
    while True:
        answer = sp(FBA, "getInventorySummaries", query={**BASE, **({"nextToken": token} if token else {})})
        everything += answer.body["payload"]["inventorySummaries"]
        token = answer.body.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert len(everything) == len([i for i in amazon.listings.items.scan(seller) if i.channel == "AFN"])


def test_add_inventory_is_idempotent_per_token(sp, amazon):
    sp(FBA, "createInventoryItem", body={"sellerSku": "NEW-1", "marketplaceId": "ATVPDKIKX0DER",
                                         "productName": "New one"})
    body = {"inventoryItems": [{"sellerSku": "NEW-1", "marketplaceId": "ATVPDKIKX0DER", "quantity": 7}]}
    for _ in range(2):
        answer = sp(FBA, "addInventory", body=body, headers={"x-amzn-idempotency-token": "token-1"})
        assert answer.status == 200
    sp(FBA, "addInventory", body=body, headers={"x-amzn-idempotency-token": "token-2"})
    summary = sp(FBA, "getInventorySummaries", query={**BASE, "sellerSku": "NEW-1", "details": "true"})
    assert summary.body["payload"]["inventorySummaries"][0]["inventoryDetails"]["fulfillableQuantity"] == 14
    missing = sp(FBA, "addInventory", body=body)
    assert missing.status == 400 and missing.body["errors"][0]["details"] == "x-amzn-idempotency-token"


def test_start_date_time_and_delete(sp, amazon):
    seller = amazon.seller.seller_id
    amazon.advance(3000)
    since = iso(amazon.clock.seconds())
    sku = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "AFN")
    amazon.ledger(seller).adjust(sku, amazon.ledger(seller).positions_of(sku)[0].location, 1, channel="AFN")
    changed = sp(FBA, "getInventorySummaries", query={**BASE, "startDateTime": since}).body["payload"]
    assert [s["sellerSku"] for s in changed["inventorySummaries"]] == [sku]
    assert sp(FBA, "deleteInventoryItem", path={"sellerSku": sku},
              query={"marketplaceId": "ATVPDKIKX0DER"}).status == 200
    assert amazon.ledger(seller).positions_of(sku) == []
    gone = sp(FBA, "deleteInventoryItem", path={"sellerSku": sku}, query={"marketplaceId": "ATVPDKIKX0DER"})
    assert gone.status == 404
    wrong = sp(FBA, "getInventorySummaries", query={**BASE, "granularityId": "A1F83G8C2ARO7P"})
    # a marketplace the seller does not take part in: Amazon's 403 (mock_amazon/marketplaces.py)
    assert wrong.status == 403 and wrong.body["errors"][0]["code"] == "Unauthorized"
    assert "A1F83G8C2ARO7P (granularityId)" in wrong.body["errors"][0]["details"]
