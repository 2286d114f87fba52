"""SmartConnect / External Fulfillment: sequence-numbered inventory, the shipment lifecycle with 409s, packing
rules, cancellations, replacements and returns."""
import pytest

from tests.mock.flex import (
    DIMENSIONS,
    INV,
    LOCATION,
    RET,
    SHIP,
    fetch,
    package,
    set_up,
    update,
)


@pytest.fixture
def skus(amazon):
    return set_up(amazon)


def place(amazon, lines, **kwargs):
    shipment = amazon.external_fulfillment.place(amazon.seller.seller_id, LOCATION, lines, **kwargs)
    amazon.advance(amazon.settings.ef_accept_seconds)
    return shipment.id


def test_inventory_updates_follow_the_sequence_rule(sp, amazon, skus):
    seller = amazon.seller.seller_id
    answer = sp(INV, "batchInventory", body={"requests": [
        update(skus[0], 7, 2), update(skus[1], 3, 1), update(skus[2], 4, 5), fetch(skus[0]),
        update("NOT-MAPPED", 1, 1), update(skus[0], 1, 1, location="NOWHERE"),
        {"uri": "/inventory/teleport?locationId=BLR1&skuId=x", "method": "POST"}]})
    assert answer.status == 207
    codes = [(r["status"]["statusCode"], r["body"].get("actionableErrors", [{}])[0].get("errorType") if
              r["body"].get("actionableErrors") else None) for r in answer.body["responses"]]
    assert codes == [(200, None), (400, "STALE_SEQUENCE_NUMBER"), (200, None), (200, None), (400, "INVALID_SKU"),
                     (404, "INVALID_LOCATION"), (400, "INVALID_URI")]
    assert answer.body["responses"][3]["body"]["sellableQuantity"] == 7
    assert amazon.ledger(seller).get(skus[1], LOCATION).sellable == 10, "a stale update changes nothing"
    assert amazon.ledger(seller).get(skus[2], LOCATION).sequence == 5
    too_many = sp(INV, "batchInventory", body={"requests": [fetch(skus[0])] * 11})
    assert too_many.status == 400 and too_many.error_code == "SC_00002"


def test_external_fulfillment_throttles_with_its_own_code(sp, amazon, skus):
    for sequence in range(2, 8):
        assert sp(INV, "batchInventory", body={"requests": [update(skus[0], 5, sequence)]}).status == 207
    throttled = sp(INV, "batchInventory", body={"requests": [update(skus[0], 5, 9)]})
    assert throttled.status == 429 and throttled.error_code == "SC_00007"
    amazon.advance(1)
    assert sp(INV, "batchInventory", body={"requests": [update(skus[0], 5, 9)]}).status == 207


def test_forward_order_through_handover_and_delivery(sp, amazon, skus, http):
    seller = amazon.seller.seller_id
    destination = sp("notifications", "createDestination", body={
        "name": "q", "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:ap-south-1:000000000000:flex"}}})
    sp("notifications", "createSubscription", path={"notificationType": "EXTERNAL_FULFILLMENT_SHIPMENT_STATUS_CHANGE"},
       body={"payloadVersion": "1.0", "destinationId": destination.body["payload"]["destinationId"]})
    ledger = amazon.ledger(seller)
    shipment_id = place(amazon, [(skus[0], 1), (skus[1], 1)])
    assert ledger.get(skus[0], LOCATION).reserved == 1 and ledger.get(skus[0], LOCATION).sellable == 9
    notified = http.get("/_testbed/notifications").json["notifications"]
    assert [(m["body"]["payload"]["shipmentId"], m["body"]["payload"]["status"]) for m in notified] == \
        [(shipment_id, "ACCEPTED")]
    accepted = sp(SHIP, "getShipments", query={"status": "ACCEPTED", "locationId": LOCATION}).body["shipments"]
    assert [s["id"] for s in accepted] == [shipment_id]

    path = {"shipmentId": shipment_id}
    early = sp(SHIP, "createPackages", path=path, body={"packages": [package("P1", [("1", 1)])]})
    assert early.status == 409 and "ACCEPTED" in early.body["errors"][0]["message"]
    assert early.error_code == "SC_00005"
    assert sp(SHIP, "processShipment", path=path, query={"operation": "CONFIRM"}).status == 204
    again = sp(SHIP, "processShipment", path=path, query={"operation": "CONFIRM"})
    assert again.status == 409 and "CONFIRMED" in again.body["errors"][0]["message"]

    no_height = {k: v for k, v in DIMENSIONS.items() if k != "height"}
    missing = sp(SHIP, "createPackages", path=path, body={"packages": [package("P1", [("1", 1)], no_height),
                                                                       package("P2", [("2", 1)])]})
    assert missing.status == 400 and missing.body["errors"][0]["details"] == "packages[0].dimensions.height"
    half = sp(SHIP, "createPackages", path=path, body={"packages": [package("P1", [("1", 1)])]})
    assert half.status == 422 and "2 has 1 units but 0 are packed" in half.body["errors"][0]["message"]
    assert sp(SHIP, "createPackages", path=path, body={"packages": [package("P1", [("1", 1)]),
                                                                    package("P2", [("2", 1)])]}).status == 204
    labels_too_early = sp(SHIP, "generateShipLabels", path=path, query={"operation": "GENERATE"},
                          body={"packageIds": ["P1", "P2"]})
    assert labels_too_early.status == 409
    for package_id in ("P1", "P2"):
        options = sp(SHIP, "retrieveShippingOptions", path=path, query={"packageId": package_id}).body
        assert options["recommendedShippingOption"]["pickupWindow"]["startTime"] > amazon.clock.seconds()
    assert sp(SHIP, "retrieveInvoice", path=path).status == 409
    invoice = sp(SHIP, "generateInvoice", path=path).body
    assert sp(SHIP, "retrieveInvoice", path=path).body == invoice
    labels = sp(SHIP, "generateShipLabels", path=path, query={"operation": "GENERATE"},
                body={"packageIds": ["P1", "P2"]}).body["packageShipLabelList"]
    assert {label["packageId"] for label in labels} == {"P1", "P2"}
    label_file = http.get(labels[0]["fileData"]["url"].removeprefix("http://mock.test")).get_data()
    assert labels[0]["shipLabelMetadata"]["trackingId"].encode() in label_file
    regenerated = sp(SHIP, "generateShipLabels", path=path, query={"operation": "REGENERATE"},
                     body={"packageIds": ["P1"]}).body["packageShipLabelList"]
    assert regenerated[0]["shipLabelMetadata"]["trackingId"] != labels[0]["shipLabelMetadata"]["trackingId"]
    cancel = http.post(f"/_testbed/external-fulfillment/shipments/{shipment_id}/cancel", json={"seller_id": seller})
    assert cancel.status_code == 409, "no cancellation once the label exists"

    for package_id in ("P1", "P2"):
        assert sp(SHIP, "updatePackageStatus", path={**path, "packageId": package_id},
                  query={"status": "SHIPPED"}).status == 204
    shipped = sp(SHIP, "getShipment", path=path).body
    assert shipped["status"] == "SHIPPED" and {p["status"] for p in shipped["packages"]} == {"SHIPPED"}
    assert ledger.get(skus[0], LOCATION).reserved == 0 and ledger.get(skus[0], LOCATION).sellable == 9
    for package_id in ("P1", "P2"):
        sp(SHIP, "updatePackageStatus", path={**path, "packageId": package_id},
           body={"status": "DELIVERED", "subStatus": "DELIVERED"})
    delivered = sp(SHIP, "getShipment", path=path).body
    assert delivered["status"] == "DELIVERED" and delivered["subStatus"] == "DELIVERED"
    history = [s.trigger for s in amazon.external_fulfillment.shipments.load(seller, shipment_id).history]
    assert history == ["accept", "confirm", "create_packages", "retrieve_pickup_slots", "retrieve_pickup_slots",
                       "generate_invoice", "generate_ship_label", "regenerate_ship_label", "ship", "deliver"]


def test_wrong_dimensions_fail_packing_and_deactivate_the_listing(sp, amazon, skus):
    seller = amazon.seller.seller_id
    shipment_id = place(amazon, [(skus[0], 1)])
    sp(SHIP, "processShipment", path={"shipmentId": shipment_id}, query={"operation": "CONFIRM"})
    bigger = {**DIMENSIONS, "length": 40.0}
    failed = sp(SHIP, "createPackages", path={"shipmentId": shipment_id},
                body={"packages": [package("P1", [("1", 1)], bigger)]})
    assert failed.status == 422 and "listing is now inactive" in failed.body["errors"][0]["message"]
    assert amazon.listings.items.load(seller, skus[0]).status == "INACTIVE"
    assert sp(SHIP, "getShipment", path={"shipmentId": shipment_id}).body["status"] == "CONFIRMED"
    amazon.external_fulfillment.map_listing(seller, skus[0], "EAN0000000000", dimensions=bigger)
    assert amazon.listings.items.load(seller, skus[0]).status == "ACTIVE"
    assert sp(SHIP, "createPackages", path={"shipmentId": shipment_id},
              body={"packages": [package("P1", [("1", 1)], bigger)]}).status == 204


def test_cancellations_by_customer_and_by_seller(sp, amazon, skus, http):
    seller = amazon.seller.seller_id
    ledger = amazon.ledger(seller)
    customer = place(amazon, [(skus[0], 2)])
    response = http.post(f"/_testbed/external-fulfillment/shipments/{customer}/cancel",
                         json={"seller_id": seller, "reason": "Ordered by mistake"})
    assert response.json["status"] == "CANCELLED"
    cancelled = sp(SHIP, "getShipment", path={"shipmentId": customer}).body
    assert cancelled["lineItems"][0]["cancellations"][0]["cancellationType"] == "MARKETPLACE_CANCELLED"
    assert ledger.get(skus[0], LOCATION).reserved == 0 and ledger.get(skus[0], LOCATION).sellable == 10

    seller_side = place(amazon, [(skus[1], 1)])
    partial = sp(SHIP, "processShipment", path={"shipmentId": seller_side}, query={"operation": "REJECT"},
                 body={"lineItems": [{"lineItem": {"id": "1", "quantity": 1}}]})
    assert partial.status == 400 and partial.body["errors"][0]["details"] == "lineItems.reason"
    assert sp(SHIP, "processShipment", path={"shipmentId": seller_side}, query={"operation": "REJECT"},
              body={"lineItems": [{"lineItem": {"id": "1", "quantity": 1}, "reason": "OUT_OF_STOCK"}]}).status == 204
    rejected = sp(SHIP, "getShipment", path={"shipmentId": seller_side}).body
    assert rejected["status"] == "CANCELLED"
    assert rejected["lineItems"][0]["cancellations"][0]["cancellationType"] == "SELLER_REJECTED"
    assert sp(SHIP, "processShipment", path={"shipmentId": seller_side},
              query={"operation": "CONFIRM"}).status == 409


def test_replacement_is_a_zero_value_order_carrying_the_original(sp, amazon, skus):
    original = place(amazon, [(skus[0], 1)])
    replacement = place(amazon, [(skus[0], 1)], shipment_type="REPLACEMENT", original_id=original)
    body = sp(SHIP, "getShipment", path={"shipmentId": replacement}).body
    assert body["shipmentInfo"]["shipmentType"] == "REPLACEMENT"
    assert body["shipmentInfo"]["originalShipmentInfo"]["id"] == original
    assert body["charges"][0]["totalCharge"]["netAmount"]["value"] == "0.00"


def ship(sp, amazon, shipment_id):
    path = {"shipmentId": shipment_id}
    sp(SHIP, "processShipment", path=path, query={"operation": "CONFIRM"})
    sp(SHIP, "createPackages", path=path, body={"packages": [package("P1", [("1", 1)])]})
    sp(SHIP, "retrieveShippingOptions", path=path, query={"packageId": "P1"})
    sp(SHIP, "generateInvoice", path=path)
    sp(SHIP, "generateShipLabels", path=path, query={"operation": "GENERATE"}, body={"packageIds": ["P1"]})
    assert sp(SHIP, "updatePackageStatus", path={**path, "packageId": "P1"},
              query={"status": "SHIPPED"}).status == 204


def test_returns_move_on_the_clock_and_are_announced(sp, amazon, skus, http):
    seller = amazon.seller.seller_id
    amazon.update_settings({"ef_return_reject_chance": 0.0})
    destination = sp("notifications", "createDestination", body={
        "name": "q", "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:ap-south-1:000000000000:ret"}}})
    sp("notifications", "createSubscription", path={"notificationType": "EXTERNAL_FULFILLMENT_RETURN_STATUS_CHANGE"},
       body={"payloadVersion": "1.0", "destinationId": destination.body["payload"]["destinationId"]})
    shipped = []
    for sku in skus[:3]:
        shipment_id = place(amazon, [(sku, 1)])
        ship(sp, amazon, shipment_id)
        shipped.append(shipment_id)
    first = http.post("/_testbed/external-fulfillment/returns", json={"seller_id": seller, "shipment_id": shipped[0]})
    second = http.post("/_testbed/external-fulfillment/returns",
                       json={"seller_id": seller, "shipment_id": shipped[1], "return_type": "REJECT"})
    third = http.post("/_testbed/external-fulfillment/returns",
                      json={"seller_id": seller, "shipment_id": shipped[2], "sub_type": "REPLACEMENT"})
    assert first.json["status"] == "CREATED" and second.json["status"] == "CUSTOMER_DROPPED_OFF"
    cancelled = http.post(f"/_testbed/external-fulfillment/returns/{third.json['return_id']}/cancel",
                          json={"seller_id": seller})
    assert cancelled.json["status"] == "CANCELLED"
    before = amazon.ledger(seller).get(skus[0], LOCATION).sellable
    amazon.advance(amazon.settings.ef_return_step_seconds * 8)
    item = sp(RET, "getReturn", path={"returnId": first.json["return_id"]}).body
    assert item["status"] == "PROCESSED" and item["returnShippingInfo"]["deliveryDateTime"]
    assert amazon.ledger(seller).get(skus[0], LOCATION).sellable == before + 1, "a processed return is restocked"
    statuses = [s.dest for s in amazon.external_fulfillment.returns.load(seller, first.json["return_id"]).history]
    assert statuses == ["CARRIER_NOTIFIED_TO_PICK_UP_FROM_CUSTOMER", "CARRIER_OUT_FOR_PICK_UP_FROM_CUSTOMER",
                        "PICKED_FROM_CUSTOMER", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED", "PROCESSED"]
    processed = sp(RET, "listReturns", query={"status": "PROCESSED"}).body["returns"]
    assert {r["id"] for r in processed} == {first.json["return_id"], second.json["return_id"]}
    page = sp(RET, "listReturns", query={"maxResults": "2"}).body
    rest = sp(RET, "listReturns", query={"maxResults": "2", "nextToken": page["nextToken"]}).body
    assert len(page["returns"]) + len(rest["returns"]) == 3
    by_rma = sp(RET, "listReturns", query={"rmaId": item["returnMetadata"]["rmaId"]}).body["returns"]
    assert [r["id"] for r in by_rma] == [first.json["return_id"]]
    events = http.get("/_testbed/notifications").json["notifications"]
    assert sorted(m["body"]["payload"]["status"] for m in events) == ["CANCELLED", "PROCESSED", "PROCESSED"]
    assert sp(RET, "listReturns", query={"maxResults": "500"}).status == 400
