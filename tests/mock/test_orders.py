"""Orders move on the clock: Pending, then Unshipped; MFN ships on confirmShipment, AFN through Amazon."""
from mock_amazon.apis.orders.backend import MFN_LOCATION
from mock_amazon.entities import iso

V0 = "ordersV0"


def place(amazon, channel="MFN", quantity=2):
    sku = next(item.sku for item in amazon.listings.items.scan(amazon.seller.seller_id)
               if item.channel == channel)
    return amazon.orders.place(amazon.seller.seller_id, [(sku, quantity)], channel=channel)


def test_mfn_order_verifies_then_ships_partially_then_fully(sp, amazon):
    order = place(amazon, "MFN", 3)
    answer = sp(V0, "getOrder", path={"orderId": order.id})
    assert answer.body["payload"]["OrderStatus"] == "Pending"
    amazon.advance(amazon.settings.verification_seconds)
    assert sp(V0, "getOrder", path={"orderId": order.id}).body["payload"]["OrderStatus"] == "Unshipped"

    items = sp(V0, "getOrderItems", path={"orderId": order.id}).body["payload"]["OrderItems"]
    item_id = items[0]["OrderItemId"]

    def confirm(reference, quantity):
        return sp(V0, "confirmShipment", path={"orderId": order.id}, body={
            "marketplaceId": "ATVPDKIKX0DER",
            "packageDetail": {"packageReferenceId": reference, "carrierCode": "UPS", "trackingNumber": f"1Z{reference}",
                              "shipDate": "2026-01-05T10:00:00Z",
                              "orderItems": [{"orderItemId": item_id, "quantity": quantity}]}})

    assert confirm("1", 1).status == 204
    payload = sp(V0, "getOrder", path={"orderId": order.id}).body["payload"]
    assert (payload["OrderStatus"], payload["NumberOfItemsShipped"], payload["NumberOfItemsUnshipped"]) == \
        ("PartiallyShipped", 1, 2)
    too_many = confirm("2", 5)
    assert too_many.status == 400 and too_many.body["errors"][0]["details"] == "quantity"
    assert confirm("2", 2).status == 204
    assert sp(V0, "getOrder", path={"orderId": order.id}).body["payload"]["OrderStatus"] == "Shipped"
    again = confirm("3", 1)
    assert again.status == 400 and "Shipped" in again.body["errors"][0]["message"]
    stored = amazon.orders.get(amazon.seller.seller_id, order.id)
    assert [step.trigger for step in stored.history] == ["verify_payment", "confirm_shipment", "confirm_shipment"]


def test_afn_order_ships_through_amazon_and_releases_stock(sp, amazon):
    amazon.update_settings({"afn_ship_seconds": 1800, "afn_partial_chance": 0})  # within the token's hour
    ledger = amazon.ledger(amazon.seller.seller_id)
    order = place(amazon, "AFN", 1)
    sku = order.items[0]["sku"]
    assert ledger.total(sku, "reserved") == 1
    answer = sp(V0, "confirmShipment", path={"orderId": order.id}, body={
        "marketplaceId": "ATVPDKIKX0DER", "packageDetail": {
            "packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": "1Z", "shipDate": "2026-01-05T10:00:00Z",
            "orderItems": [{"orderItemId": order.items[0]["order_item_id"], "quantity": 1}]}})
    assert answer.status == 400 and "fulfilled by Amazon" in answer.body["errors"][0]["message"]
    amazon.advance(amazon.settings.verification_seconds + amazon.settings.afn_ship_seconds)
    payload = sp(V0, "getOrder", path={"orderId": order.id}).body["payload"]
    assert payload["OrderStatus"] == "Shipped" and payload["FulfillmentChannel"] == "AFN"
    assert ledger.total(sku, "reserved") == 0
    history = amazon.orders.get(amazon.seller.seller_id, order.id).history
    assert [(s.trigger, s.dest) for s in history] == [("verify_payment", "Unshipped"), ("fulfil_by_amazon", "Shipped")]
    # the history carries the times the changes were due, not the time they were noticed
    assert (history[1].time - history[0].time).total_seconds() == amazon.settings.afn_ship_seconds


def test_mfn_sale_lowers_the_listing_quantity(amazon):
    ledger = amazon.ledger(amazon.seller.seller_id)
    sku = next(i.sku for i in amazon.listings.items.scan(amazon.seller.seller_id) if i.channel == "MFN")
    ledger.set_quantity(sku, MFN_LOCATION, 5)
    amazon.orders.place(amazon.seller.seller_id, [(sku, 2)], channel="MFN")
    assert ledger.get(sku, MFN_LOCATION).sellable == 3


def test_get_orders_filters_and_pages(sp, amazon):
    for _ in range(7):
        place(amazon, "MFN", 1)
    amazon.advance(1)
    query = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2025-12-01T00:00:00Z", "MaxResultsPerPage": "4"}
    seen, token = [], None
    while True:
        answer = sp(V0, "getOrders", query={"MarketplaceIds": "ATVPDKIKX0DER", "NextToken": token} if token else query)
        assert answer.status == 200
        seen += answer.body["payload"]["Orders"]
        token = answer.body["payload"].get("NextToken")
        if not token:
            break
    everything = list(amazon.orders.orders.scan(amazon.seller.seller_id))
    assert [o["AmazonOrderId"] for o in seen] == [o.id for o in everything]
    assert [o["PurchaseDate"] for o in seen] == sorted(o["PurchaseDate"] for o in seen)

    pending = sp(V0, "getOrders", query={**query, "OrderStatuses": "Pending", "MaxResultsPerPage": "100"})
    assert {o["OrderStatus"] for o in pending.body["payload"]["Orders"]} == {"Pending"}
    assert len(pending.body["payload"]["Orders"]) == 7
    afn = sp(V0, "getOrders", query={**query, "FulfillmentChannels": "AFN", "MaxResultsPerPage": "100"})
    assert {o["FulfillmentChannel"] for o in afn.body["payload"]["Orders"]} <= {"AFN"}
    checkpoint = iso(amazon.clock.seconds())
    amazon.advance(amazon.settings.verification_seconds)
    recent = sp(V0, "getOrders", query={"MarketplaceIds": "ATVPDKIKX0DER", "LastUpdatedAfter": checkpoint,
                                        "MaxResultsPerPage": "100"}).body["payload"]["Orders"]
    assert len(recent) == 7 and {o["OrderStatus"] for o in recent} == {"Unshipped"}


def restricted(sp, path: str, data_elements: list[str] | None = None) -> str:
    resource = {"method": "GET", "path": path, **({"dataElements": data_elements} if data_elements else {})}
    answer = sp("tokens_2021-03-01", "createRestrictedDataToken", body={"restrictedResources": [resource]})
    assert answer.status == 200, answer
    return answer.body["restrictedDataToken"]


def test_order_details_and_2026_shapes(sp, amazon):
    order = place(amazon, "MFN", 1)
    rdt = {"x-amz-access-token": restricted(sp, f"/orders/v0/orders/{order.id}/address")}
    address = sp(V0, "getOrderAddress", path={"orderId": order.id}, headers=rdt).body["payload"]
    assert address["ShippingAddress"]["CountryCode"] == "US"
    rdt = {"x-amz-access-token": restricted(sp, "/orders/v0/orders/{orderId}/buyerInfo")}
    buyer = sp(V0, "getOrderBuyerInfo", path={"orderId": order.id}, headers=rdt).body["payload"]
    assert buyer["BuyerEmail"].endswith("@marketplace.amazon.com")
    modern = sp("orders_2026-01-01", "getOrder", path={"orderId": order.id},
                query={"includedData": "BUYER,RECIPIENT,PACKAGES"}).body["order"]
    assert modern["fulfillment"]["fulfillmentStatus"] == "PENDING"
    assert modern["recipient"]["deliveryAddress"]["city"] == address["ShippingAddress"]["City"]
    found = sp("orders_2026-01-01", "searchOrders", query={
        "createdAfter": "2025-12-01T00:00:00Z", "fulfillmentStatuses": "PENDING", "fulfilledBy": "MERCHANT",
        "maxResultsPerPage": "100"}).body
    assert order.id in [o["orderId"] for o in found["orders"]]
    assert all(o["fulfillment"]["fulfilledBy"] == "MERCHANT" for o in found["orders"])


def test_update_shipment_status(sp, amazon):
    order = place(amazon, "MFN", 1)
    amazon.advance(amazon.settings.verification_seconds)
    answer = sp(V0, "updateShipmentStatus", path={"orderId": order.id},
                body={"marketplaceId": "ATVPDKIKX0DER", "shipmentStatus": "ReadyForPickup"})
    assert answer.status == 204
    assert sp(V0, "getOrder", path={"orderId": order.id}).body["payload"]["EasyShipShipmentStatus"] == "PendingPickUp"
    bad = sp(V0, "updateShipmentStatus", path={"orderId": order.id},
             body={"marketplaceId": "ATVPDKIKX0DER", "shipmentStatus": "Teleported"})
    assert bad.status == 400


def test_every_get_orders_filter_filters(sp, amazon):
    """Each filter narrows the answer to the orders it names, judged by what getOrders reports for them."""
    amazon.advance(amazon.settings.verification_seconds)
    mfn = [place(amazon, "MFN", 1) for _ in range(3)]
    amazon.advance(amazon.settings.verification_seconds)
    amazon.orders.acknowledge(amazon.seller.seller_id, mfn[0].id, "SHOP-0001", success=True)
    easy_ship = mfn[1]
    assert sp(V0, "updateShipmentStatus", path={"orderId": easy_ship.id},
              body={"marketplaceId": "ATVPDKIKX0DER", "shipmentStatus": "ReadyForPickup"}).status == 204
    amazon.advance(180)  # LastUpdatedBefore and CreatedBefore must be two minutes old
    base = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2025-12-01T00:00:00Z", "MaxResultsPerPage": "100"}

    def ids(**query):
        return {o["AmazonOrderId"] for o in sp(V0, "getOrders", query={**base, **query}).body["payload"]["Orders"]}

    everything = sp(V0, "getOrders", query=base).body["payload"]["Orders"]
    assert len(everything) > 3
    one = everything[0]
    assert ids(AmazonOrderIds=f"{mfn[2].id},{one['AmazonOrderId']}") == {mfn[2].id, one["AmazonOrderId"]}
    assert ids(SellerOrderId="SHOP-0001") == {mfn[0].id}
    assert ids(SellerOrderId="SHOP-9999") == set()
    email = amazon.orders.get(amazon.seller.seller_id, mfn[2].id).buyer["email"]
    assert ids(BuyerEmail=email.upper()) == {o.id for o in amazon.orders.orders.scan(amazon.seller.seller_id)
                                             if o.buyer["email"] == email}
    assert ids(PaymentMethods="COD,CVS") == set() and len(ids(PaymentMethods="Other")) == len(everything)
    assert ids(EasyShipShipmentStatuses="PendingPickUp") == {easy_ship.id}
    assert ids(EasyShipShipmentStatuses="Delivered") == set()
    assert ids(ElectronicInvoiceStatuses="NotRequired") == {easy_ship.id}
    assert ids(IsISPU="true") == set() and len(ids(IsISPU="false")) == len(everything)
    assert ids(StoreChainStoreId="store-1") == set()
    assert ids(ActualFulfillmentSupplySourceId="source-1") == set()
    earliest = sorted(o["EarliestDeliveryDate"] for o in everything)
    middle = earliest[len(earliest) // 2]
    assert ids(EarliestDeliveryDateBefore=middle) == {o["AmazonOrderId"] for o in everything
                                                      if o["EarliestDeliveryDate"] <= middle}
    assert ids(EarliestDeliveryDateAfter=middle) == {o["AmazonOrderId"] for o in everything
                                                     if o["EarliestDeliveryDate"] >= middle}
    latest = sorted(o["LatestDeliveryDate"] for o in everything)[len(everything) // 2]
    assert ids(LatestDeliveryDateBefore=latest) == {o["AmazonOrderId"] for o in everything
                                                    if o["LatestDeliveryDate"] <= latest}
    assert ids(LatestDeliveryDateAfter=latest) == {o["AmazonOrderId"] for o in everything
                                                   if o["LatestDeliveryDate"] >= latest}
    assert ids(OrderStatuses="Unshipped", FulfillmentChannels="MFN") == {
        o["AmazonOrderId"] for o in everything if (o["OrderStatus"], o["FulfillmentChannel"]) == ("Unshipped", "MFN")}
    foreign = sp(V0, "getOrders", query={**base, "MarketplaceIds": "A1F83G8C2ARO7P"})  # not the seller's: refused
    assert foreign.status == 403 and foreign.body["errors"][0]["code"] == "Unauthorized"


def test_filters_hold_across_pages(sp, amazon):
    """A filtered query keeps its filters in the NextToken: every page answers the same question."""
    amazon.advance(amazon.settings.verification_seconds)
    for _ in range(5):
        place(amazon, "MFN", 1)
    query = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2025-12-01T00:00:00Z", "FulfillmentChannels": "MFN",
             "MaxResultsPerPage": "2"}
    seen, token = [], None
    while True:
        payload = sp(V0, "getOrders", query={"MarketplaceIds": "ATVPDKIKX0DER", "NextToken": token} if token
                     else query).body["payload"]
        seen += payload["Orders"]
        token = payload.get("NextToken")
        if not token:
            break
    assert {o["FulfillmentChannel"] for o in seen} == {"MFN"}
    assert len(seen) == len({o["AmazonOrderId"] for o in seen}) == len(
        [o for o in amazon.orders.orders.scan(amazon.seller.seller_id) if o.fulfillment_channel == "MFN"])
