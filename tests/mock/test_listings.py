"""Listings Items: get, put, patch, delete, search; merchant-fulfilled quantity feeds the ledger; listings can go
inactive and come back."""
L = "listingsItems_2021-08-01"
M = "ATVPDKIKX0DER"


def test_put_patch_get_delete(sp, amazon):
    seller = amazon.seller.seller_id
    path = {"sellerId": seller, "sku": "NEW-LISTING"}
    put = sp(L, "putListingsItem", path=path, query={"marketplaceIds": M}, body={
        "productType": "LUGGAGE", "attributes": {
            "item_name": [{"value": "Carry-on", "marketplace_id": M}],
            "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 12,
                                          "lead_time_to_ship_max_days": 3}]}})
    assert put.status == 200 and put.body["status"] == "ACCEPTED"
    assert amazon.ledger(seller).get("NEW-LISTING", "DEFAULT").sellable == 12
    assert amazon.listings.items.load(seller, "NEW-LISTING").handling_days == 3
    patched = sp(L, "patchListingsItem", path=path, query={"marketplaceIds": M}, body={
        "productType": "LUGGAGE", "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                                               "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4,
                                                          "lead_time_to_ship_max_days": 1}]}]})
    assert patched.status == 200
    item = sp(L, "getListingsItem", path=path, query={"marketplaceIds": M,
                                                      "includedData": "summaries,fulfillmentAvailability,issues"}).body
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 4}]
    assert item["summaries"][0]["itemName"] == "Carry-on" and item["summaries"][0]["status"] == ["BUYABLE",
                                                                                                "DISCOVERABLE"]
    bad = sp(L, "patchListingsItem", path=path, query={"marketplaceIds": M}, body={
        "productType": "LUGGAGE", "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                                               "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": -1}]}]})
    assert bad.status == 400 and bad.body["errors"][0]["details"] == "fulfillment_availability.quantity"
    assert amazon.ledger(seller).get("NEW-LISTING", "DEFAULT").sellable == 4, "a refused patch changes nothing"
    assert sp(L, "deleteListingsItem", path=path, query={"marketplaceIds": M}).status == 200
    assert sp(L, "getListingsItem", path=path, query={"marketplaceIds": M}).status == 404


def test_someone_elses_seller_id_is_refused(sp):
    answer = sp(L, "getListingsItem", path={"sellerId": "AOTHER", "sku": "X"}, query={"marketplaceIds": M})
    assert answer.status == 400 and answer.body["errors"][0]["details"] == "sellerId"


def test_inactive_listing_and_search(sp, amazon, http):
    seller = amazon.seller.seller_id
    sku = next(amazon.listings.items.scan(seller)).sku
    response = http.post(f"/_testbed/listings/{seller}/{sku}/deactivate", json={"reason": "Dimensions differ"})
    assert response.json["status"] == "INACTIVE"
    item = sp(L, "getListingsItem", path={"sellerId": seller, "sku": sku},
              query={"marketplaceIds": M, "includedData": "summaries,issues"}).body
    assert item["summaries"][0]["status"] == [] and item["issues"][0]["message"] == "Dimensions differ"
    buyable = sp(L, "searchListingsItems", path={"sellerId": seller},
                 query={"marketplaceIds": M, "withStatus": "BUYABLE", "pageSize": "20"}).body
    assert sku not in [i["sku"] for i in buyable["items"]]
    amazon.listings.correct_dimensions(seller, sku, {"length": 10, "width": 10, "height": 10, "weight": 1})
    assert amazon.listings.items.load(seller, sku).status == "ACTIVE"
    history = amazon.listings.items.load(seller, sku).history
    assert [s.trigger for s in history] == ["deactivate", "reactivate"]
    by_sku = sp(L, "searchListingsItems", path={"sellerId": seller},
                query={"marketplaceIds": M, "identifiers": sku, "identifiersType": "SKU"}).body
    assert [i["sku"] for i in by_sku["items"]] == [sku]
    pages, token = [], None
    while True:
        answer = sp(L, "searchListingsItems", path={"sellerId": seller},
                    query={"marketplaceIds": M, "pageSize": "5", **({"pageToken": token} if token else {})}).body
        pages += answer["items"]
        token = answer.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert len(pages) == answer["numberOfResults"] == len(list(amazon.listings.items.scan(seller)))
