"""The constraints Amazon's models state only in words (mock_amazon/constraints.py, docs/constraints.md): every
row quotes its model, every row is enforced, and the doc is the table."""
import re
from pathlib import Path

import pytest

from mock_amazon import constraints
from mock_amazon.spec import load_model
from tests.mock.mcf import ADDRESS, afn_skus
from tests.mock.mcf import request as mcf_request

M = "ATVPDKIKX0DER"
SINCE = {"MarketplaceIds": M, "CreatedAfter": "2026-01-01T00:00:00Z"}
UPDATED = {"MarketplaceIds": M, "LastUpdatedAfter": "2026-01-01T00:00:00Z"}
NEW_SINCE = {"createdAfter": "2026-01-01T00:00:00Z"}
NEW_UPDATED = {"lastUpdatedAfter": "2026-01-01T00:00:00Z"}
SHIPMENT = {"marketplaceId": M, "packageDetail": {"packageReferenceId": "1", "carrierCode": "UPS",
                                                  "trackingNumber": "1Z1", "shipDate": "2026-01-04T00:00:00Z",
                                                  "orderItems": [{"orderItemId": "1", "quantity": 1}]}}
LIGHT_PACKAGE = {"id": "P1", "packageLineItems": [{"packageLineItemId": "1", "quantity": 1}],
                 "dimensions": {k: {"value": "10", "dimensionUnit": "CM"} for k in ("length", "width", "height")},
                 "weight": {"value": "4", "weightUnit": "G"}}


def detail(**changes: object) -> dict:
    return {**SHIPMENT, "packageDetail": {**SHIPMENT["packageDetail"], **changes}}


def mcf(**changes: object) -> dict:
    return {**mcf_request("MCF-C", [("SKU", 1)]), **changes}


# One request per row that breaks only that row: (model, operationId, path, query, body).
V0, NEW, MCF = "ordersV0", "orders_2026-01-01", "fulfillmentOutbound_2020-07-01"
EF, RET = "externalFulfillmentShipments_2024-09-11", "externalFulfillmentReturns_2024-09-11"
LISTINGS = "listingsItems_2021-08-01"
VIOLATIONS: dict[str, tuple] = {
    "CreatedAfter or LastUpdatedAfter, exactly one (unless NextToken)":
        (V0, "getOrders", {}, {"MarketplaceIds": M}, None),
    "no LastUpdatedAfter or LastUpdatedBefore with CreatedAfter":
        (V0, "getOrders", {}, {**SINCE, "LastUpdatedBefore": "2026-01-02T00:00:00Z"}, None),
    "no CreatedAfter or CreatedBefore with LastUpdatedAfter":
        (V0, "getOrders", {}, {**UPDATED, "CreatedBefore": "2026-01-02T00:00:00Z"}, None),
    "CreatedBefore not before CreatedAfter and at least two minutes old; CreatedAfter not in the future":
        (V0, "getOrders", {}, {**SINCE, "CreatedBefore": "2026-01-04T23:59:00Z"}, None),  # the clock: 01-05 00:00
    "LastUpdatedBefore not before LastUpdatedAfter and at least two minutes old; LastUpdatedAfter not in the "
    "future": (V0, "getOrders", {}, {"MarketplaceIds": M, "LastUpdatedAfter": "2026-01-06T00:00:00Z"}, None),
    "SellerOrderId alone: no FulfillmentChannels, OrderStatuses, PaymentMethods, LastUpdatedAfter, "
    "LastUpdatedBefore or BuyerEmail with it":
        (V0, "getOrders", {}, {**SINCE, "SellerOrderId": "S-1", "OrderStatuses": "Unshipped"}, None),
    "every OrderStatuses value among the values its description lists (PendingAvailability, Pending, Unshipped, ...)":
        (V0, "getOrders", {}, {**SINCE, "OrderStatuses": "Unshipped,Lost"}, None),
    "every FulfillmentChannels value among the values its description lists (AFN, MFN)":
        (V0, "getOrders", {}, {**SINCE, "FulfillmentChannels": "FBA"}, None),
    "every PaymentMethods value among the values its description lists (COD, CVS, Other)":
        (V0, "getOrders", {}, {**SINCE, "PaymentMethods": "Card"}, None),
    "every EasyShipShipmentStatuses value among the values its description lists (PendingSchedule, ..., Damaged)":
        (V0, "getOrders", {}, {**SINCE, "EasyShipShipmentStatuses": "Shipped"}, None),
    "every ElectronicInvoiceStatuses value among the values its description lists (NotRequired, ..., Accepted)":
        (V0, "getOrders", {}, {**SINCE, "ElectronicInvoiceStatuses": "Sent"}, None),
    "MaxResultsPerPage from 1 to 100": (V0, "getOrders", {}, {**SINCE, "MaxResultsPerPage": "101"}, None),
    "createdAfter or lastUpdatedAfter, exactly one (unless paginationToken)":
        (NEW, "searchOrders", {}, {**NEW_SINCE, **NEW_UPDATED}, None),
    "no lastUpdatedAfter or lastUpdatedBefore with createdAfter":
        (NEW, "searchOrders", {}, {**NEW_SINCE, "lastUpdatedBefore": "2026-01-02T00:00:00Z"}, None),
    "no lastUpdatedAfter or lastUpdatedBefore with createdBefore":
        (NEW, "searchOrders", {}, {**NEW_UPDATED, "createdBefore": "2026-01-02T00:00:00Z"}, None),
    "no createdAfter or createdBefore with lastUpdatedAfter":
        (NEW, "searchOrders", {}, {**NEW_UPDATED, "createdBefore": "2026-01-02T00:00:00Z"}, None),
    "no createdAfter or createdBefore with lastUpdatedBefore":
        (NEW, "searchOrders", {}, {**NEW_SINCE, "lastUpdatedBefore": "2026-01-02T00:00:00Z"}, None),
    "createdBefore not before createdAfter and at least two minutes old; createdAfter not in the future":
        (NEW, "searchOrders", {}, {**NEW_SINCE, "createdBefore": "2025-12-31T00:00:00Z"}, None),
    "lastUpdatedBefore not before lastUpdatedAfter and at least two minutes old; lastUpdatedAfter not in the future":
        (NEW, "searchOrders", {}, {**NEW_UPDATED, "lastUpdatedBefore": "2026-01-05T00:00:00Z"}, None),
    "maxResultsPerPage from 1 to 100": (NEW, "searchOrders", {}, {**NEW_SINCE, "maxResultsPerPage": "0"}, None),
    "packageReferenceId a positive number":
        (V0, "confirmShipment", {"orderId": "111-0000000-0000000"}, None, detail(packageReferenceId="1Z999")),
    "carrierName when carrierCode is Other":
        (V0, "confirmShipment", {"orderId": "111-0000000-0000000"}, None, detail(carrierCode="Other")),
    "dataStartTime and dataEndTime not in the future":
        ("reports_2021-06-30", "createReport", {}, None, {"reportType": "GET_AFN_INVENTORY_DATA",
                                                          "marketplaceIds": [M],
                                                          "dataEndTime": "2026-02-01T00:00:00Z"}),
    "reportTypes (feedTypes) unless nextToken": ("reports_2021-06-30", "getReports", {}, {"pageSize": "5"}, None),
    "startDateTime no earlier than 18 months ago":
        ("fbaInventory", "getInventorySummaries", {}, {"granularityType": "Marketplace", "granularityId": M,
                                                       "marketplaceIds": M,
                                                       "startDateTime": "2024-01-01T00:00:00Z"}, None),
    "at most 100 lines and 250 units in all": (MCF, "createFulfillmentOrder", {}, None, "251 units"),
    "displayableOrderId: 1 to 40 ISO 8859-1 characters, trimmed, no two spaces in a row":
        (MCF, "createFulfillmentOrder", {}, None, mcf(displayableOrderId="Order  42")),
    "countryCode an ISO 3166-1 alpha-2 code":
        (MCF, "createFulfillmentOrder", {}, None, mcf(destinationAddress={**ADDRESS, "countryCode": "XX"})),
    "shipFromCountryCode an ISO 3166-1 alpha-2 code":
        (MCF, "createFulfillmentOrder", {}, None, mcf(shipFromCountryCode="USA")),
    "city, except in Japan":
        (MCF, "createFulfillmentOrder", {}, None, mcf(destinationAddress={k: v for k, v in ADDRESS.items()
                                                                           if k != "city"})),
    "every featureConstraints[].featureName among the values its description lists (BLOCK_AMZL, BLANK_BOX, ...)":
        (MCF, "createFulfillmentOrder", {}, None, mcf(featureConstraints=[{"featureName": "GIFT_WRAP",
                                                                           "featureFulfillmentPolicy": "Required"}])),
    "a package weighs 5 g or more":
        (EF, "createPackages", {"shipmentId": "S1"}, None, {"packages": [LIGHT_PACKAGE]}),
    "dimension and weight values positive":
        (EF, "createPackages", {"shipmentId": "FLEX"}, None, "a package of negative length"),
    "returnLocationId and status with lastUpdatedSince":
        (RET, "listReturns", {}, {"lastUpdatedSince": "2026-01-01T00:00:00Z", "status": "CREATED"}, None),
    "returnLocationId and status with lastUpdatedUntil":
        (RET, "listReturns", {}, {"lastUpdatedUntil": "2026-01-01T00:00:00Z", "returnLocationId": "BLR1"}, None),
    "identifiersType with identifiers":
        (LISTINGS, "searchListingsItems", {"sellerId": "SELLER"}, {"marketplaceIds": M, "identifiers": "A"}, None),
    "identifiers with identifiersType":
        (LISTINGS, "searchListingsItems", {"sellerId": "SELLER"}, {"marketplaceIds": M, "identifiersType": "SKU"},
         None),
    "identifiers, variationParentSku and packageHierarchySku: one at most":
        (LISTINGS, "searchListingsItems", {"sellerId": "SELLER"}, {"marketplaceIds": M, "identifiers": "A",
                                                                   "identifiersType": "SKU",
                                                                   "variationParentSku": "P"}, None),
    "at most 50 restricted resources":
        ("tokens_2021-03-01", "createRestrictedDataToken", {}, None,
         {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}] * 51}),
    "dataElements for getOrders, getOrder and getOrderItems (and only the ones they have)":
        ("tokens_2021-03-01", "createRestrictedDataToken", {}, None,
         {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders"}]}),
    "one resource type per destination":
        ("notifications", "createDestination", {}, None,
         {"name": "both", "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:us-east-1:123456789012:q"},
                                                    "eventBridge": {"region": "us-east-1",
                                                                    "accountId": "123456789012"}}}),
    "eventFilter or filterExpression, not both":
        ("notifications", "createSubscription", {"notificationType": "ORDER_CHANGE"}, None,
         {"payloadVersion": "1.0", "destinationId": "D1",
          "processingDirective": {"eventFilter": {"eventFilterType": "ORDER_CHANGE"}, "filterExpression": "x"}}),
}


def _descriptions(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "description" and isinstance(v, str)] + \
            [text for v in node.values() for text in _descriptions(v)]
    if isinstance(node, list):
        return [text for v in node for text in _descriptions(v)]
    return []


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("row", constraints.CONSTRAINTS, ids=lambda row: row.rule[:60])
def test_every_row_quotes_its_model(row):
    described = " ".join(_words(text) for text in _descriptions(load_model(row.model + ".json")))
    assert _words(row.quote) in described, f"{row.model} does not say: {row.quote}"


def test_the_doc_is_the_table():
    doc = (Path(__file__).parents[2] / "docs" / "constraints.md").read_text()
    assert constraints.markdown() in doc, "regenerate the table: python -m mock_amazon.constraints"


def test_every_row_has_a_violating_request():
    assert set(VIOLATIONS) == {row.rule for row in constraints.CONSTRAINTS}


@pytest.mark.parametrize("rule", sorted(VIOLATIONS))
def test_every_row_is_enforced(sp, amazon, rule):
    amazon.limits.configure(lifted=True)
    model, operation_id, path, query, body = VIOLATIONS[rule]
    path = {k: amazon.seller.seller_id if v == "SELLER" else v for k, v in path.items()}
    if body == "251 units":
        skus = afn_skus(amazon)
        body = mcf_request("MCF-BIG", [(skus[0], 125), (skus[0], 126)])
    elif body == "a package of negative length":
        body = {"packages": [{**LIGHT_PACKAGE, "weight": {"value": "1", "weightUnit": "KG"},
                              "dimensions": {**LIGHT_PACKAGE["dimensions"],
                                             "length": {"value": "-1", "dimensionUnit": "CM"}}}]}
        path = {"shipmentId": _confirmed_flex_shipment(sp, amazon)}
    answer = sp(model, operation_id, path=path, query=query, body=body)
    assert answer.status == 400, (rule, answer)


def _confirmed_flex_shipment(sp, amazon) -> str:
    from tests.mock.flex import SHIP, set_up
    skus = set_up(amazon)
    shipment = amazon.external_fulfillment.place(amazon.seller.seller_id, "BLR1", [(skus[0], 1)])
    amazon.advance(amazon.settings.ef_accept_seconds)
    assert sp(SHIP, "processShipment", path={"shipmentId": shipment.id}, query={"operation": "CONFIRM"}).status == 204
    return shipment.id


def test_a_valid_request_next_to_each_refused_one_is_accepted(sp, amazon):
    """The rows refuse only what they should: the same calls within the rules answer 2xx."""
    assert sp(V0, "getOrders", query={**SINCE, "CreatedBefore": "2026-01-04T23:58:00Z",
                                      "OrderStatuses": "Unshipped,Pending", "PaymentMethods": "Other"}).status == 200
    assert sp(NEW, "searchOrders", query={**NEW_UPDATED, "lastUpdatedBefore": "2026-01-04T23:57:00Z"}).status == 200
    sku = afn_skus(amazon)[0]
    answer = sp(MCF, "createFulfillmentOrder", body={
        **mcf_request("MCF-OK", [(sku, 1)]), "displayableOrderId": "  Order 42 ", "shipFromCountryCode": "US",
        "featureConstraints": [{"featureName": "BLANK_BOX", "featureFulfillmentPolicy": "Required"}]})
    assert answer.status == 200, answer
    order = sp(MCF, "getFulfillmentOrder", path={"sellerFulfillmentOrderId": "MCF-OK"}).body["payload"]
    assert order["fulfillmentOrder"]["displayableOrderId"] == "Order 42", "leading and trailing space removed"
