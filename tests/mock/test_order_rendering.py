"""getOrders and getOrder answer with each order as it is stored now: an order's rendering is kept only until the
order is saved again, and one made from a change that was rolled back is never served."""
import pytest

from mock_amazon.apis.orders.routes import order_v0

V0 = "ordersV0"
SINCE = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2020-01-01T00:00:00Z", "MaxResultsPerPage": "100"}


def stored_orders(amazon) -> list[dict]:
    """Every order of the seller rendered afresh from its stored document, in purchase order."""
    seller_id = amazon.seller.seller_id
    return [order_v0(amazon.orders.orders.stored(seller_id, order.id))
            for order in amazon.orders.orders.scan(seller_id, since=0)]


def test_answers_follow_every_change_to_an_order(sp, amazon):
    seller_id = amazon.seller.seller_id
    skus = {item.channel: item.sku for item in amazon.listings.items.scan(seller_id)}
    mfn = amazon.orders.place(seller_id, [(skus["MFN"], 2)], channel="MFN")
    easy = amazon.orders.place(seller_id, [(skus["MFN"], 1)], channel="MFN", easy_ship=True)
    doomed = amazon.orders.place(seller_id, [(skus["AFN"], 1)], channel="AFN")
    answers = []

    def answer_matches_the_store():
        answer = sp(V0, "getOrders", query=SINCE).body["payload"]["Orders"]
        assert answer == stored_orders(amazon)
        answers.append(answer)

    answer_matches_the_store()
    answer_matches_the_store()  # unchanged orders: the same answer
    amazon.advance(amazon.settings.verification_seconds)
    answer_matches_the_store()
    item = amazon.orders.get(seller_id, mfn.id).items[0]["order_item_id"]
    assert sp(V0, "confirmShipment", path={"orderId": mfn.id}, body={
        "marketplaceId": "ATVPDKIKX0DER", "packageDetail": {
            "packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": "1Z1",
            "shipDate": "2026-01-05T10:00:00Z", "orderItems": [{"orderItemId": item, "quantity": 1}]}}).status == 204
    answer_matches_the_store()
    assert sp(V0, "updateShipmentStatus", path={"orderId": easy.id},
              body={"marketplaceId": "ATVPDKIKX0DER", "shipmentStatus": "ReadyForPickup"}).status == 204
    amazon.orders.acknowledge(seller_id, mfn.id, "SHOP-7", success=True)
    amazon.orders.cancel(seller_id, doomed.id)
    answer_matches_the_store()
    assert sp(V0, "getOrder", path={"orderId": mfn.id}).body["payload"] == order_v0(
        amazon.orders.orders.stored(seller_id, mfn.id))
    by_id = {order["AmazonOrderId"]: order for order in answers[-1]}
    assert (by_id[mfn.id]["OrderStatus"], by_id[mfn.id]["NumberOfItemsShipped"], by_id[mfn.id]["SellerOrderId"]) \
        == ("PartiallyShipped", 1, "SHOP-7")
    assert by_id[easy.id]["EasyShipShipmentStatus"] == "PendingPickUp"
    assert by_id[doomed.id]["OrderStatus"] == "Canceled"
    assert answers[0] == answers[1] != answers[2] != answers[3] != answers[4]


def test_a_rendering_of_a_rolled_back_change_is_never_served(sp, amazon):
    seller_id = amazon.seller.seller_id
    order = next(amazon.orders.orders.scan(seller_id, since=0))
    before = sp(V0, "getOrder", path={"orderId": order.id}).body["payload"]
    orders = amazon.orders.orders
    with pytest.raises(RuntimeError), orders.editing(seller_id, order.id) as changing:
        changing.seller_order_id = "NEVER-STORED"
        orders.save(changing)  # saved inside the transaction, then rendered as the API renders it
        assert orders.rendering(changing, ("v0", frozenset()), order_v0)["SellerOrderId"] == "NEVER-STORED"
        raise RuntimeError("the change fails")
    after = sp(V0, "getOrder", path={"orderId": order.id}).body["payload"]
    assert after == before and "SellerOrderId" not in after
    assert sp(V0, "getOrders", query=SINCE).body["payload"]["Orders"] == stored_orders(amazon)
