"""Every implemented operation, over real HTTP: a success and an error, each checked against Amazon's model."""
import pytest
import requests

from mock_amazon import create_app
from tests.mock.flex import DIMENSIONS, LOCATION, package, update
from tests.mock.mcf import ADDRESS, flat_file, request
from tests.support import Caller, http_sender, token_for

pytestmark = pytest.mark.conformance
M = "ATVPDKIKX0DER"


def registered_operations() -> set[tuple[str, str]]:
    """(model, operationId) of every SP-API route the app serves."""
    app = create_app()
    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        blueprint = rule.endpoint.split(".")[0]
        if blueprint in ("lwa", "documents", "sqs", "control", "ui", "static"):
            continue
        found.add((view.__wrapped_model__, view.__name__))
    return found


def test_every_operation_answers_in_the_models_shape(server, seller):

    def send_form(form):
        response = requests.post(f"{server.base_url}/auth/o2/token", data=form, timeout=10)
        return response.status_code, response.json()

    sp = Caller(http_sender(server.base_url), token_for(send_form, seller))
    server.control("PUT", "/rate-limits", {"lifted": True})
    order_id = seller["seeded"]["orders"][0]
    server.control("POST", "/clock/advance", {"seconds": 600})
    covered = set()

    def call(model, operation_id, expect, **request):
        answer = sp(model, operation_id, **request)
        assert answer.status == expect, (operation_id, answer)
        covered.add((model, operation_id))
        return answer

    V0, NEW, R, F = "ordersV0", "orders_2026-01-01", "reports_2021-06-30", "fbaInventory"
    call(V0, "getOrders", 200, query={"MarketplaceIds": M, "CreatedAfter": "2020-01-01T00:00:00Z"})
    call(V0, "getOrders", 400, query={"MarketplaceIds": M, "CreatedAfter": "never"})
    for operation_id in ("getOrder", "getOrderItems"):
        call(V0, operation_id, 200, path={"orderId": order_id})
        call(V0, operation_id, 404, path={"orderId": "000-0000000-0000000"})
    for operation_id, path in (("getOrderAddress", "address"), ("getOrderBuyerInfo", "buyerInfo")):
        call(V0, operation_id, 403, path={"orderId": order_id})  # restricted data: an access token is refused
        token = call("tokens_2021-03-01", "createRestrictedDataToken", 200, body={"restrictedResources": [
            {"method": "GET", "path": f"/orders/v0/orders/{{orderId}}/{path}"}]}).body["restrictedDataToken"]
        rdt = {"x-amz-access-token": token}
        call(V0, operation_id, 200, path={"orderId": order_id}, headers=rdt)
        call(V0, operation_id, 404, path={"orderId": "000-0000000-0000000"}, headers=rdt)
    call("tokens_2021-03-01", "createRestrictedDataToken", 400,
         body={"restrictedResources": [{"method": "GET", "path": "/reports/2021-06-30/reports"}]})
    unshipped = [o for o in sp(V0, "getOrders", query={"MarketplaceIds": M, "CreatedAfter": "2020-01-01T00:00:00Z",
                                                       "OrderStatuses": "Unshipped", "FulfillmentChannels": "MFN"}
                                ).body["payload"]["Orders"]]
    target = unshipped[0]["AmazonOrderId"]
    item = sp(V0, "getOrderItems", path={"orderId": target}).body["payload"]["OrderItems"][0]
    call(V0, "updateShipmentStatus", 204, path={"orderId": target},
         body={"marketplaceId": M, "shipmentStatus": "ReadyForPickup"})
    call(V0, "updateShipmentStatus", 400, path={"orderId": target}, body={"marketplaceId": M})
    confirmation = {"marketplaceId": M, "packageDetail": {
        "packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": "1Z999", "shipDate": "2026-01-05T10:00:00Z",
        "orderItems": [{"orderItemId": item["OrderItemId"], "quantity": item["QuantityOrdered"]}]}}
    call(V0, "confirmShipment", 204, path={"orderId": target}, body=confirmation)
    call(V0, "confirmShipment", 400, path={"orderId": target}, body=confirmation)
    call(NEW, "searchOrders", 200, query={"createdAfter": "2020-01-01T00:00:00Z", "includedData": "BUYER,PACKAGES"})
    call(NEW, "searchOrders", 400, query={"createdAfter": "2020-01-01T00:00:00Z", "fulfilledBy": "SOMEONE"})
    call(NEW, "getOrder", 200, path={"orderId": target}, query={"includedData": "RECIPIENT,PACKAGES"})
    call(NEW, "getOrder", 404, path={"orderId": "000-0000000-0000000"})

    report_id = call(R, "createReport", 202, body={"reportType": "GET_AFN_INVENTORY_DATA", "marketplaceIds": [M]}
                     ).body["reportId"]
    call(R, "createReport", 400, body={"reportType": "GET_AFN_INVENTORY_DATA"})
    spare = sp(R, "createReport", body={"reportType": "GET_AFN_INVENTORY_DATA", "marketplaceIds": [M]}).body
    call(R, "cancelReport", 200, path={"reportId": spare["reportId"]})
    call(R, "cancelReport", 404, path={"reportId": "0"})
    server.control("POST", "/clock/advance", {"seconds": 300})
    call(R, "getReports", 200, query={"reportTypes": "GET_AFN_INVENTORY_DATA"})
    call(R, "getReports", 400, query={"pageSize": "5"})
    report = call(R, "getReport", 200, path={"reportId": report_id}).body
    call(R, "getReport", 404, path={"reportId": "0"})
    call(R, "getReportDocument", 200, path={"reportDocumentId": report["reportDocumentId"]})
    call(R, "getReportDocument", 404, path={"reportDocumentId": "nothing"})

    base = {"granularityType": "Marketplace", "granularityId": M, "marketplaceIds": M}
    call(F, "getInventorySummaries", 200, query={**base, "details": "true"})
    call(F, "getInventorySummaries", 400, query={**base, "details": "perhaps"})
    call(F, "createInventoryItem", 200, body={"sellerSku": "SWEEP-1", "marketplaceId": M, "productName": "Sweep"})
    call(F, "createInventoryItem", 400, body={"sellerSku": "SWEEP-1", "marketplaceId": M, "productName": "Sweep"})
    items = {"inventoryItems": [{"sellerSku": "SWEEP-1", "marketplaceId": M, "quantity": 3}]}
    call(F, "addInventory", 200, body=items, headers={"x-amzn-idempotency-token": "sweep"})
    call(F, "addInventory", 404, body={"inventoryItems": [{"sellerSku": "NOPE", "marketplaceId": M, "quantity": 1}]},
         headers={"x-amzn-idempotency-token": "sweep-2"})
    call(F, "deleteInventoryItem", 200, path={"sellerSku": "SWEEP-1"}, query={"marketplaceId": M})
    call(F, "deleteInventoryItem", 404, path={"sellerSku": "SWEEP-1"}, query={"marketplaceId": M})

    FEEDS, OUT, N, L = "feeds_2021-06-30", "fulfillmentOutbound_2020-07-01", "notifications", "listingsItems_2021-08-01"
    fba_sku = seller["seeded"]["fba_skus"][0]
    document = call(FEEDS, "createFeedDocument", 201, body={"contentType": "text/tab-separated-values"}).body
    call(FEEDS, "createFeedDocument", 400, body={})
    requests.put(document["url"], data=flat_file([request("SWEEP-FEED", [(fba_sku, 1)])]), timeout=10)
    feed_id = call(FEEDS, "createFeed", 202, body={"feedType": "POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA",
                                                   "marketplaceIds": [M],
                                                   "inputFeedDocumentId": document["feedDocumentId"]}).body["feedId"]
    call(FEEDS, "createFeed", 400, body={"feedType": "POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA",
                                         "marketplaceIds": [M], "inputFeedDocumentId": "missing"})
    spare = sp(FEEDS, "createFeed", body={"feedType": "POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA",
                                          "marketplaceIds": [M], "inputFeedDocumentId": document["feedDocumentId"]})
    call(FEEDS, "cancelFeed", 200, path={"feedId": spare.body["feedId"]})
    call(FEEDS, "cancelFeed", 404, path={"feedId": "0"})
    server.control("POST", "/clock/advance", {"seconds": 200})
    call(FEEDS, "getFeeds", 200, query={"feedTypes": "POST_FLAT_FILE_FULFILLMENT_ORDER_REQUEST_DATA"})
    call(FEEDS, "getFeeds", 400, query={"pageSize": "3"})
    result = call(FEEDS, "getFeed", 200, path={"feedId": feed_id}).body["resultFeedDocumentId"]
    call(FEEDS, "getFeed", 404, path={"feedId": "0"})
    call(FEEDS, "getFeedDocument", 200, path={"feedDocumentId": result})
    call(FEEDS, "getFeedDocument", 404, path={"feedDocumentId": "nothing"})

    call(OUT, "getFulfillmentPreview", 200, body={"address": ADDRESS, "items": [
        {"sellerSku": fba_sku, "quantity": 1, "sellerFulfillmentOrderItemId": "1"}]})
    call(OUT, "getFulfillmentPreview", 400, body={"address": {**ADDRESS, "countryCode": "QQ"}, "items": []})
    call(OUT, "createFulfillmentOrder", 200, body=request("SWEEP-MCF", [(fba_sku, 1)], action="Hold"))
    call(OUT, "createFulfillmentOrder", 400, body=request("SWEEP-BAD", [("NOPE", 1)]))
    call(OUT, "updateFulfillmentOrder", 200, path={"sellerFulfillmentOrderId": "SWEEP-MCF"},
         body={"fulfillmentAction": "Ship"})
    call(OUT, "updateFulfillmentOrder", 404, path={"sellerFulfillmentOrderId": "NONE"}, body={})
    call(OUT, "submitFulfillmentOrderStatusUpdate", 200, path={"sellerFulfillmentOrderId": "SWEEP-MCF"},
         body={"fulfillmentOrderStatus": "Complete"})
    call(OUT, "submitFulfillmentOrderStatusUpdate", 400, path={"sellerFulfillmentOrderId": "SWEEP-MCF"},
         body={"fulfillmentOrderStatus": "Planning"})
    order = call(OUT, "getFulfillmentOrder", 200, path={"sellerFulfillmentOrderId": "SWEEP-MCF"}).body["payload"]
    call(OUT, "getFulfillmentOrder", 404, path={"sellerFulfillmentOrderId": "NONE"})
    package_number = order["fulfillmentShipments"][0]["fulfillmentShipmentPackage"][0]["packageNumber"]
    call(OUT, "getPackageTrackingDetails", 200, query={"packageNumber": str(package_number)})
    call(OUT, "getPackageTrackingDetails", 404, query={"packageNumber": "1"})
    call(OUT, "listAllFulfillmentOrders", 200, query={"queryStartDate": "2020-01-01T00:00:00Z"})
    call(OUT, "listAllFulfillmentOrders", 400, query={"queryStartDate": "not a date"})
    call(OUT, "cancelFulfillmentOrder", 400, path={"sellerFulfillmentOrderId": "SWEEP-MCF"})
    call(OUT, "cancelFulfillmentOrder", 404, path={"sellerFulfillmentOrderId": "NONE"})

    arn = "arn:aws:sqs:us-east-1:000000000000:sweep"
    destination = call(N, "createDestination", 200, body={"name": "sweep", "resourceSpecification": {
        "sqs": {"arn": arn}}}).body["payload"]["destinationId"]
    call(N, "createDestination", 409, body={"name": "sweep", "resourceSpecification": {"sqs": {"arn": arn}}})
    call(N, "getDestinations", 200)
    call(N, "getDestination", 200, path={"destinationId": destination})
    call(N, "getDestination", 404, path={"destinationId": "none"})
    subscription = call(N, "createSubscription", 200, path={"notificationType": "ORDER_CHANGE"},
                        body={"payloadVersion": "1.0", "destinationId": destination}).body["payload"]
    call(N, "createSubscription", 409, path={"notificationType": "ORDER_CHANGE"},
         body={"payloadVersion": "1.0", "destinationId": destination})
    call(N, "getSubscription", 200, path={"notificationType": "ORDER_CHANGE"})
    call(N, "getSubscription", 404, path={"notificationType": "FEED_PROCESSING_FINISHED"})
    by_id = {"notificationType": "ORDER_CHANGE", "subscriptionId": subscription["subscriptionId"]}
    call(N, "getSubscriptionById", 200, path=by_id)
    call(N, "getSubscriptionById", 404, path={**by_id, "subscriptionId": "none"})
    call(N, "deleteDestination", 409, path={"destinationId": destination})
    call(N, "deleteSubscriptionById", 200, path=by_id)
    call(N, "deleteSubscriptionById", 404, path=by_id)
    call(N, "deleteDestination", 200, path={"destinationId": destination})

    me = {"sellerId": seller["seller_id"], "sku": "SWEEP-LISTING"}
    call(L, "putListingsItem", 200, path=me, query={"marketplaceIds": M},
         body={"productType": "PRODUCT", "attributes": {
             "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}]}})
    call(L, "putListingsItem", 400, path=me, query={"marketplaceIds": M}, body={"productType": "PRODUCT"})
    call(L, "patchListingsItem", 200, path=me, query={"marketplaceIds": M}, body={"productType": "PRODUCT", "patches": [
        {"op": "replace", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 2}]}]})
    call(L, "patchListingsItem", 400, path=me, query={"marketplaceIds": M}, body={"productType": "PRODUCT",
                                                                                  "patches": [{"op": "explode"}]})
    call(L, "getListingsItem", 200, path=me, query={"marketplaceIds": M, "includedData": "summaries,attributes,"
                                                    "issues,offers,fulfillmentAvailability"})
    call(L, "getListingsItem", 404, path={**me, "sku": "NONE"}, query={"marketplaceIds": M})
    call(L, "searchListingsItems", 200, path={"sellerId": seller["seller_id"]}, query={"marketplaceIds": M})
    call(L, "searchListingsItems", 400, path={"sellerId": seller["seller_id"]},
         query={"marketplaceIds": M, "pageSize": "500"})
    call(L, "deleteListingsItem", 200, path=me, query={"marketplaceIds": M})
    call(L, "deleteListingsItem", 400, path={**me, "sellerId": "SOMEONE"}, query={"marketplaceIds": M})

    SHIP, INV, RET = "externalFulfillmentShipments_2024-09-11", "externalFulfillmentInventory_2024-09-11", \
        "externalFulfillmentReturns_2024-09-11"
    seller_id = seller["seller_id"]
    server.control("POST", "/external-fulfillment/locations", {"seller_id": seller_id, "location_id": LOCATION})
    server.control("PUT", "/external-fulfillment/listings", {"seller_id": seller_id, "merchant_sku": "FLEX",
                                                             "client_sku": "EAN", "dimensions": DIMENSIONS})
    call(INV, "batchInventory", 207, body={"requests": [update("FLEX", 5, 1)]})
    call(INV, "batchInventory", 400, body={"requests": []})
    shipment_id = server.control("POST", "/external-fulfillment/shipments", {
        "seller_id": seller_id, "location_id": LOCATION, "lines": [{"sku": "FLEX", "units": 1}]})[1]["shipment_id"]
    server.control("POST", "/clock/advance", {"seconds": 60})
    path = {"shipmentId": shipment_id}
    call(SHIP, "getShipments", 200, query={"status": "ACCEPTED"})
    call(SHIP, "getShipments", 400, query={"status": "LOST"})
    call(SHIP, "getShipment", 200, path=path)
    call(SHIP, "getShipment", 404, path={"shipmentId": "NONE"})
    call(SHIP, "createPackages", 409, path=path, body={"packages": [package("P1", [("1", 1)])]})
    call(SHIP, "processShipment", 204, path=path, query={"operation": "CONFIRM"})
    call(SHIP, "processShipment", 409, path=path, query={"operation": "CONFIRM"})
    call(SHIP, "createPackages", 422, path=path, body={"packages": [package("P1", [("1", 1)], {**DIMENSIONS,
                                                                                             "width": 90.0})]})
    server.control("PUT", "/external-fulfillment/listings", {"seller_id": seller_id, "merchant_sku": "FLEX",
                                                             "client_sku": "EAN", "dimensions": DIMENSIONS})
    call(SHIP, "createPackages", 204, path=path, body={"packages": [package("P1", [("1", 1)])]})
    call(SHIP, "updatePackage", 204, path={**path, "packageId": "P1"}, body=package("P1", [("1", 1)]))
    call(SHIP, "updatePackage", 404, path={**path, "packageId": "P9"}, body=package("P9", [("1", 1)]))
    call(SHIP, "retrieveInvoice", 409, path=path)
    call(SHIP, "retrieveShippingOptions", 200, path=path, query={"packageId": "P1"})
    call(SHIP, "retrieveShippingOptions", 404, path=path, query={"packageId": "P9"})
    call(SHIP, "generateShipLabels", 409, path=path, query={"operation": "GENERATE"}, body={"packageIds": ["P1"]})
    call(SHIP, "generateInvoice", 200, path=path)
    call(SHIP, "generateInvoice", 404, path={"shipmentId": "NONE"})
    call(SHIP, "retrieveInvoice", 200, path=path)
    call(SHIP, "generateShipLabels", 200, path=path, query={"operation": "GENERATE"}, body={"packageIds": ["P1"]})
    call(SHIP, "updatePackageStatus", 204, path={**path, "packageId": "P1"}, query={"status": "SHIPPED"})
    call(SHIP, "updatePackageStatus", 409, path={**path, "packageId": "P1"}, query={"status": "SHIPPED"})
    return_id = server.control("POST", "/external-fulfillment/returns",
                               {"seller_id": seller_id, "shipment_id": shipment_id})[1]["return_id"]
    call(RET, "listReturns", 200, query={"status": "CREATED"})
    call(RET, "listReturns", 400, query={"maxResults": "0"})
    call(RET, "getReturn", 200, path={"returnId": return_id})
    call(RET, "getReturn", 404, path={"returnId": "NONE"})

    participations = call("sellers", "getMarketplaceParticipations", 200).body["payload"]
    assert [p["marketplace"]["id"] for p in participations] == [M]
    call(V0, "getOrders", 403, query={"MarketplaceIds": "A1F83G8C2ARO7P", "CreatedAfter": "2020-01-01T00:00:00Z"})

    sp.token = "Atza|stale"
    for model, operation_id in ((V0, "getOrders"), (R, "getReports"), (F, "getInventorySummaries")):
        assert sp(model, operation_id, query={"MarketplaceIds": M}).status == 403

    assert covered == registered_operations(), "an operation is served but not exercised here"
