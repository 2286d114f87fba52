"""Listings Items 2021-08-01."""
from __future__ import annotations

from typing import Any

import mock_amazon.marketplaces as marketplaces
from mock_amazon.apis.listings.backend import MFN_LOCATION, Listing
from mock_amazon.entities import iso
from mock_amazon.errors import InvalidInput
from mock_amazon.pipeline import Answer, Api, Call

api = Api("listings", "listingsItems_2021-08-01")
DEFAULT_INCLUDED = ["summaries"]


def _seller(call: Call) -> str:
    if call.params["sellerId"] != call.seller.seller_id:
        raise InvalidInput(f"sellerId {call.params['sellerId']} is not the caller's seller ID.", "sellerId")
    return call.seller.seller_id


def _marketplace(call: Call) -> str:
    """The marketplace the call names (marketplaceIds, checked to be the seller's), else the seller's home."""
    named = call.params.get("marketplaceIds")
    return str(named[0]) if named else call.seller.marketplace_id


def item_json(call: Call, listing: Listing, included: list[str]) -> dict:
    marketplace = _marketplace(call)
    currency = marketplaces.known(marketplace).currency
    body: dict[str, Any] = {"sku": listing.sku}
    if "summaries" in included:
        body["summaries"] = [{
            "marketplaceId": marketplace, "asin": listing.asin, "productType": listing.product_type,
            "conditionType": "new_new", "status": ["BUYABLE", "DISCOVERABLE"] if listing.status == "ACTIVE" else [],
            "fnSku": listing.fnsku, "itemName": listing.title, "createdDate": iso(listing.created),
            "lastUpdatedDate": iso(listing.updated)}]
    if "attributes" in included:
        body["attributes"] = listing.attributes
    if "issues" in included:
        body["issues"] = [] if listing.status == "ACTIVE" else [{
            "code": "INACTIVE_LISTING", "message": listing.inactive_reason or "The listing is inactive.",
            "severity": "ERROR", "categories": ["INVALID_ATTRIBUTE"], "marketplaceIds": [marketplace]}]
    if "offers" in included:
        body["offers"] = [{"marketplaceId": marketplace, "offerType": "B2C",
                           "price": {"currencyCode": currency,
                                     "amount": marketplaces.amount(listing.price, currency)}}]
    if "fulfillmentAvailability" in included:
        if listing.channel == "MFN":
            position = call.amazon.ledger(listing.seller_id).get(listing.sku, MFN_LOCATION)
            body["fulfillmentAvailability"] = [{"fulfillmentChannelCode": "DEFAULT",
                                                "quantity": position.sellable if position else 0}]
        else:
            body["fulfillmentAvailability"] = [{"fulfillmentChannelCode": "AMAZON_NA"}]
    return body


def submission(call: Call, listing: Listing) -> dict:
    return {"sku": listing.sku, "status": "ACCEPTED",
            "submissionId": call.amazon.new_id("hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"), "issues": [],
            "identifiers": [{"marketplaceId": _marketplace(call), "asin": listing.asin}]}


@api.operation("getListingsItem")
def get_listings_item(call: Call) -> Answer:
    listing = call.amazon.listings.items.load(_seller(call), call.params["sku"])
    return 200, item_json(call, listing, call.params.get("includedData") or DEFAULT_INCLUDED)


@api.operation("putListingsItem")
def put_listings_item(call: Call) -> Answer:
    body = call.params["body"]
    listing = call.amazon.listings.put(_seller(call), call.params["sku"], body["productType"], body["attributes"])
    return 200, submission(call, listing)


def not_listed(call: Call) -> dict:
    """What patch and delete answer for a SKU the seller has no listing for: their models declare no 404, so the
    submission is INVALID, with the issue that says why."""
    return {"sku": call.params["sku"], "status": "INVALID",
            "submissionId": call.amazon.new_id("hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"),
            "issues": [{"code": "NOT_FOUND", "message": f"The seller has no listing with SKU {call.params['sku']}.",
                        "severity": "ERROR", "categories": []}]}


@api.operation("patchListingsItem")
def patch_listings_item(call: Call) -> Answer:
    seller_id = _seller(call)
    if call.amazon.listings.items.find(seller_id, call.params["sku"]) is None:
        return 200, not_listed(call)
    listing = call.amazon.listings.patch(seller_id, call.params["sku"], call.params["body"]["patches"])
    return 200, submission(call, listing)


@api.operation("deleteListingsItem")
def delete_listings_item(call: Call) -> Answer:
    seller_id = _seller(call)
    listing = call.amazon.listings.items.find(seller_id, call.params["sku"])
    if listing is None:
        return 200, not_listed(call)
    call.amazon.listings.delete(seller_id, call.params["sku"])
    return 200, {**submission(call, listing), "identifiers": []}


@api.operation("searchListingsItems")
def search_listings_items(call: Call) -> Answer:
    p = call.params
    seller_id = _seller(call)
    listings = list(call.amazon.listings.items.scan(seller_id))
    if p.get("identifiers"):
        kind = p.get("identifiersType", "SKU")
        if kind not in ("SKU", "ASIN"):
            raise InvalidInput(f"identifiersType {kind} is not supported by this mock; use SKU or ASIN.",
                               "identifiersType")
        wanted = set(p["identifiers"])
        listings = [item for item in listings if (item.sku if kind == "SKU" else item.asin) in wanted]
    if p.get("withStatus"):
        listings = [item for item in listings if ("BUYABLE" in p["withStatus"]) == (item.status == "ACTIVE")]
    page_size = p.get("pageSize", 10)
    if not 1 <= page_size <= 20:
        raise InvalidInput(f"'pageSize' must be between 1 and 20, not {page_size}.", "pageSize")
    start = int(p["pageToken"]) if p.get("pageToken", "").isdigit() else 0
    if p.get("pageToken") and not p["pageToken"].isdigit():
        raise InvalidInput("pageToken is not valid.", "pageToken")
    page = listings[start:start + page_size]
    body = {"numberOfResults": len(listings),
            "items": [item_json(call, item, p.get("includedData") or DEFAULT_INCLUDED) for item in page]}
    if start + page_size < len(listings):
        body["pagination"] = {"nextToken": str(start + page_size)}
    return 200, body
