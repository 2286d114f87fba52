"""Seed 003 (Increff, Amazon SmartConnect / Seller Flex): F003-1..14."""
import random
import shelve
from datetime import datetime

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from mock_amazon.app import ROUTES
from mock_amazon.client import InProcess
from mock_amazon.pipeline import invoke
from model.workflows import routing, seller_flex
from model.workflows.pacing import Pacer
from model.workflows.protocol import Request
from tests.mock.flex import DIMENSIONS, package, update

scenarios("003_increff_smartconnect.feature")
MARKETPLACE = "ATVPDKIKX0DER"
SHIP = "externalFulfillmentShipments_2024-09-11"


@given(parsers.parse('a seller-flex site "{location}" with {count:d} mapped listings and {units:d} units of each in '
                     "the warehouse"))
def site(bdd, location, count, units):
    seller = bdd.seller.seller_id
    assert bdd.control.post("/_testbed/external-fulfillment/locations",
                            json={"seller_id": seller, "location_id": location}).status_code == 201
    bdd.location, bdd.flex = location, []
    for n in range(count):
        sku = f"SF-{n:03d}"
        assert bdd.control.put("/_testbed/external-fulfillment/listings", json={
            "seller_id": seller, "merchant_sku": sku, "client_sku": f"EAN-{n:04d}", "dimensions": DIMENSIONS}
        ).status_code == 200
        bdd.flex.append(sku)
    bdd.warehouse = {sku: units for sku in bdd.flex}
    bdd.book = seller_flex.SequenceBook()
    bdd.session.pacers["batchInventory"] = Pacer(6.0, 1, bdd.clock.seconds())
    bdd.session.pacers["getShipment"] = Pacer(6.0, 1, bdd.clock.seconds())


def push(bdd, sku, book=None):
    return bdd.run(seller_flex.push_inventory(sku, bdd.location, bdd.warehouse[sku], book or bdd.book, MARKETPLACE))


def inventory_calls(bdd):
    return [e for e in bdd.amazon.traffic(limit=5000) if e["operation"] == "batchInventory"]


# F003-1
ORDERS = {"FBA": {"FulfillmentChannel": "AFN"}, "SELLER_FLEX": {"locationId": "BLR1"},
          "SELF_SHIP": {"FulfillmentChannel": "MFN"},
          "EASY_SHIP": {"FulfillmentChannel": "MFN", "EasyShipShipmentStatus": "PendingPickUp"}}


@given(parsers.parse("an order of the {program} program"))
def order_of_program(bdd, program):
    bdd.order = ORDERS[program]


@then(parsers.parse("the integration routes it to the {route}"))
def routed(bdd, route):
    assert routing.ROUTES[routing.program_of(bdd.order)].startswith(route)


# F003-2/3
@when("the integration pushes the warehouse quantity of every SKU")
def push_every(bdd):
    bdd.results["pushed"] = [push(bdd, sku) for sku in bdd.flex]


@then("each SKU went in a call of its own, no faster than 6 calls a second")
def one_per_call(bdd):
    calls = inventory_calls(bdd)
    assert len(calls) == len(bdd.flex) and all(e["status"] == 207 for e in calls)
    times = [e["time"] for e in calls]
    seconds = [datetime.fromisoformat(t).timestamp() for t in times]
    assert all(b - a >= 1 / 6 - 1e-6 for a, b in zip(seconds, seconds[1:]))


@then(parsers.parse('Amazon accepted sequence number 1 for each SKU at "{location}"'))
def sequence_one(bdd, location):
    ledger = bdd.amazon.ledger(bdd.seller.seller_id)
    assert all(ledger.get(sku, location).sequence == 1 for sku in bdd.flex)
    assert all(result.accepted and result.sequence == 1 for result in bdd.results["pushed"])


@when(parsers.parse("the warehouse quantity of one SKU changes to {units:d} and the integration pushes it"))
def change_and_push(bdd, units):
    bdd.warehouse[bdd.flex[0]] = units
    bdd.results["push"] = push(bdd, bdd.flex[0])


@then(parsers.parse("Amazon accepted sequence number 2 for it and holds {units:d} sellable units"))
def sequence_two(bdd, units):
    position = bdd.amazon.ledger(bdd.seller.seller_id).get(bdd.flex[0], bdd.location)
    assert bdd.results["push"].sequence == 2 and position.sequence == 2 and position.sellable == units


@given(parsers.parse("Amazon accepted sequence number {sequence:d} for the first SKU with {units:d} units"))
def accepted_number(bdd, sequence, units):
    answer = invoke(bdd.amazon, ROUTES["externalFulfillmentInventory_2024-09-11.batchInventory"], _token(bdd),
                    body={"requests": [update(bdd.flex[0], units, sequence, bdd.location)]})
    assert answer.body["responses"][0]["status"]["statusCode"] == 200


def _token(bdd):
    """A valid access token, for the steps that send a deliberately wrong request by hand."""
    if bdd.session.needs_token():
        bdd.session.accept_token(InProcess(bdd.amazon)(bdd.session.token_request()))
    return bdd.session.access_token


@when(parsers.parse("an update with sequence number {sequence:d} and {units:d} unit is sent for it"))
def stale_update(bdd, sequence, units):
    bdd.results["answer"] = invoke(bdd.amazon, ROUTES["externalFulfillmentInventory_2024-09-11.batchInventory"],
                                   _token(bdd), body={"requests": [update(bdd.flex[0], units, sequence,
                                                                          bdd.location)]})


@then("it is rejected as a stale sequence number")
def rejected_stale(bdd):
    result = bdd.results["answer"].body["responses"][0]
    assert result["status"]["statusCode"] == 400
    assert result["body"]["actionableErrors"][0]["errorType"] == "STALE_SEQUENCE_NUMBER"


@then(parsers.parse("Amazon still holds {units:d} sellable units of it"))
def still_holds(bdd, units):
    assert bdd.amazon.ledger(bdd.seller.seller_id).get(bdd.flex[0], bdd.location).sellable == units


@given("the integration keeps its sequence numbers in a file")
def book_file(bdd, tmp_path):
    bdd.book_path = str(tmp_path / "sequences")


@when("the integration pushes the first SKU, restarts, and pushes it again")
def push_restart_push(bdd):
    with shelve.open(bdd.book_path) as numbers:
        push(bdd, bdd.flex[0], seller_flex.SequenceBook(numbers))
    with shelve.open(bdd.book_path) as numbers:  # a new process: only the file remembers
        bdd.results["push"] = push(bdd, bdd.flex[0], seller_flex.SequenceBook(numbers))


@then("the second push carried sequence number 2 and was accepted without a stale retry")
def after_restart(bdd):
    result = bdd.results["push"]
    assert result.accepted and result.sequence == 2 and not result.stale_recovered


@given(parsers.parse("{count:d} more mapped SKUs with random warehouse quantities"))
def many_skus(bdd, count):
    rng = random.Random(9)
    seller = bdd.seller.seller_id
    for n in range(count):
        sku = f"BULK-{n:04d}"
        bdd.amazon.external_fulfillment.map_listing(seller, sku, f"EANB{n:05d}", dimensions=DIMENSIONS)
        bdd.flex.append(sku)
        bdd.warehouse[sku] = rng.randint(0, 80)


@when("the integration pushes every SKU")
def push_all(bdd):
    bdd.results["pushed"] = [push(bdd, sku) for sku in bdd.flex]


@then("every SKU's sellable quantity at Amazon equals the warehouse's")
def all_equal(bdd):
    ledger = bdd.amazon.ledger(bdd.seller.seller_id)
    assert all(ledger.get(sku, bdd.location).sellable == bdd.warehouse[sku] for sku in bdd.flex)


@then("no stale sequence number was sent and no call was throttled")
def clean_push(bdd):
    assert all(r.accepted and not r.stale_recovered for r in bdd.results["pushed"])
    assert not any(e["throttled"] for e in inventory_calls(bdd))


# F003-4/5/11/12/13: orders
@given("the integration subscribes to shipment notifications")
def subscribe_shipments(bdd):
    _subscribe(bdd, "EXTERNAL_FULFILLMENT_SHIPMENT_STATUS_CHANGE")


@given("the integration subscribes to return notifications")
def subscribe_returns(bdd):
    _subscribe(bdd, "EXTERNAL_FULFILLMENT_RETURN_STATUS_CHANGE")


def _subscribe(bdd, notification_type):

    def subscribe():
        destinations = yield Request("notifications.getDestinations")
        if destinations.body["payload"]:
            destination = destinations.body["payload"][0]["destinationId"]
        else:
            created = yield Request("notifications.createDestination", body={
                "name": "integration", "resourceSpecification": {
                    "sqs": {"arn": "arn:aws:sqs:ap-south-1:000000000000:integration"}}})
            destination = created.body["payload"]["destinationId"]
        answer = yield Request("notifications.createSubscription", path={"notificationType": notification_type},
                               body={"payloadVersion": "1.0", "destinationId": destination})
        assert answer.ok, answer
    bdd.run(subscribe())


def _place(bdd, sku, units, **extra):
    """Amazon places an order; it can only sell what the integration has pushed, so push first if needed."""
    if bdd.amazon.ledger(bdd.seller.seller_id).get(sku, bdd.location) is None:
        push(bdd, sku)
    placed = bdd.control.post("/_testbed/external-fulfillment/shipments", json={
        "seller_id": bdd.seller.seller_id, "location_id": bdd.location, "lines": [{"sku": sku, "units": units}],
        **extra})
    assert placed.status_code == 201, placed.json
    bdd.advance(60)
    return placed.json["shipment_id"]


def _notifications(bdd):
    return bdd.control.get("/_testbed/notifications").json["notifications"]


@when(parsers.parse("Amazon places an order for {units:d} units of the first SKU"))
def amazon_places(bdd, units):
    bdd.shipment_id = _place(bdd, bdd.flex[0], units)


@then(parsers.parse("a notification names the order as {status}"))
def notified(bdd, status):
    payloads = [m["body"]["payload"] for m in _notifications(bdd)]
    assert {"shipmentId": bdd.shipment_id, "status": status}.items() <= payloads[-1].items()


@then("the integration pulls the order and finds it ACCEPTED")
def pulls(bdd):
    accepted = bdd.run(seller_flex.accepted_orders(bdd.location))
    assert [s["id"] for s in accepted] == [bdd.shipment_id]
    bdd.shipment = accepted[0]


@when("the integration confirms it")
def confirms(bdd):
    bdd.results["confirm"] = bdd.run(seller_flex.confirm(bdd.shipment_id))


@then("the order is CONFIRMED")
def confirmed(bdd):
    assert bdd.results["confirm"] == "confirmed"
    assert bdd.run(seller_flex.shipment_status(bdd.shipment_id))["status"] == "CONFIRMED"


@then("a second confirmation is refused because the order is already CONFIRMED")
def second_confirm(bdd):
    assert bdd.run(seller_flex.confirm(bdd.shipment_id)) == "already_confirmed"


@given(parsers.parse("an accepted order for {units:d} unit of the first SKU"))
@given(parsers.parse("an accepted order for {units:d} units of the first SKU"))
def accepted_order(bdd, units):
    bdd.shipment_id = _place(bdd, bdd.flex[0], units)
    bdd.shipment = bdd.run(seller_flex.accepted_orders(bdd.location))[-1]


@given(parsers.parse("an accepted and confirmed order for {units:d} unit of the first SKU"))
def confirmed_order(bdd, units):
    accepted_order(bdd, units)
    assert bdd.run(seller_flex.confirm(bdd.shipment_id)) == "confirmed"


@given(parsers.parse("a shipped order for {units:d} unit of the {which} SKU"))
def shipped_order(bdd, units, which):
    sku = bdd.flex[{"first": 0, "second": 1}[which]]
    shipment_id = _place(bdd, sku, units)
    shipment = next(s for s in bdd.run(seller_flex.accepted_orders(bdd.location)) if s["id"] == shipment_id)
    bdd.run(seller_flex.confirm(shipment_id))
    assert bdd.run(seller_flex.ship(shipment, {sku: DIMENSIONS}))["ok"]
    bdd.shipped = getattr(bdd, "shipped", []) + [shipment_id]


# F003-6/8
@given(parsers.parse('stock of "{sku}": {a:d} at "{first}" and {b:d} at "{second}"'))
def two_locations(bdd, sku, a, first, b, second):
    bdd.stock = {first: {sku: a}, second: {sku: b}}


@then(parsers.parse('a self-ship order of {units:d} "{sku}" is split as {a:d} from "{first}" and {b:d} from '
                    '"{second}"'))
def split(bdd, units, sku, a, first, b, second):
    assert routing.split_across_locations([(sku, units)], bdd.stock, "SELF_SHIP") == {first: [(sku, a)],
                                                                                        second: [(sku, b)]}


@then("splitting a seller-flex order is refused")
def no_split(bdd):
    with pytest.raises(ValueError, match="only SELF_SHIP"):
        routing.split_across_locations([("SKU-A", 1)], bdd.stock, "SELLER_FLEX")


@given(parsers.parse("{count:d} shipped orders to hand over"))
def many_shipped(bdd, count):
    bdd.handover = [f"S{n:04d}" for n in range(count)]
    bdd.calls_before = len(bdd.amazon.traffic(limit=100000))


@when("the integration makes manifests")
def make_manifests(bdd):
    bdd.results["manifests"] = routing.manifests(bdd.handover)


@then("there are manifests of 100, 100 and 30 orders")
def manifest_sizes(bdd):
    assert [len(m) for m in bdd.results["manifests"]] == [100, 100, 30]


@then("no call was made to Amazon")
def no_calls(bdd):
    assert len(bdd.amazon.traffic(limit=100000)) == bdd.calls_before


# F003-7/9/14
@when("the integration packs it without a height")
def pack_without_height(bdd):
    body = package("P1", [("1", 1)], {k: v for k, v in DIMENSIONS.items() if k != "height"})
    bdd.results["pack"] = invoke(bdd.amazon, ROUTES[f"{SHIP}.createPackages"], _token(bdd),
                                 path_args={"shipmentId": bdd.shipment_id}, body={"packages": [body]})


@then("packing fails naming the missing height")
def fails_height(bdd):
    answer = bdd.results["pack"]
    assert answer.status == 400 and answer.body["errors"][0]["details"].endswith("dimensions.height")


@when("the integration packs it with the listing's dimensions, gets the invoice and the label, and hands it over")
def ship_it(bdd):
    bdd.results["ship"] = bdd.run(seller_flex.ship(bdd.shipment, {bdd.flex[0]: DIMENSIONS}))


@then("the order is SHIPPED with a tracking ID")
def shipped(bdd):
    assert bdd.results["ship"]["ok"] and bdd.results["ship"]["tracking"]
    assert bdd.run(seller_flex.shipment_status(bdd.shipment_id))["status"] == "SHIPPED"


@when("the integration packs it 50% longer than the listing says")
def pack_longer(bdd):
    bdd.results["ship"] = bdd.run(seller_flex.ship(bdd.shipment, {bdd.flex[0]: {**DIMENSIONS,
                                                                                "length": DIMENSIONS["length"] * 1.5}}))


@then("packing fails and the listing is inactive")
def inactive(bdd):
    result = bdd.results["ship"]
    assert not result["ok"] and result["step"] == "createPackages" and result["response"].status == 422
    assert bdd.amazon.listings.items.load(bdd.seller.seller_id, bdd.flex[0]).status == "INACTIVE"


@when("the seller corrects the listing's dimensions")
def correct(bdd):
    bdd.control.put("/_testbed/external-fulfillment/listings", json={
        "seller_id": bdd.seller.seller_id, "merchant_sku": bdd.flex[0], "client_sku": "EAN-0000",
        "dimensions": {**DIMENSIONS, "length": DIMENSIONS["length"] * 1.5}})


@then("the listing is active again")
def active_again(bdd):
    assert bdd.amazon.listings.items.load(bdd.seller.seller_id, bdd.flex[0]).status == "ACTIVE"


# F003-10
@given(parsers.parse("{count:d} accepted orders"))
def accepted_orders(bdd, count):
    bdd.placed = [_place(bdd, bdd.flex[n % len(bdd.flex)], 1) for n in range(count)]


@when("the integration polls the status of every order")
def poll_all(bdd):
    bdd.results["statuses"] = [bdd.run(seller_flex.shipment_status(s))["status"] for s in bdd.placed]


@then("the polls went no faster than 6 calls a second")
def poll_pace(bdd):
    calls = [datetime.fromisoformat(e["time"]).timestamp() for e in bdd.amazon.traffic(limit=5000)
             if e["operation"] == "getShipment"]
    assert len(calls) == len(bdd.placed) and set(bdd.results["statuses"]) == {"ACCEPTED"}
    assert all(b - a >= 1 / 6 - 1e-6 for a, b in zip(calls, calls[1:]))


# F003-11
@when("the customer cancels it")
def customer_cancels(bdd):
    answer = bdd.control.post(f"/_testbed/external-fulfillment/shipments/{bdd.shipment_id}/cancel",
                              json={"seller_id": bdd.seller.seller_id})
    assert answer.status_code == 200


@then(parsers.parse("Amazon released the {units:d} reserved units"))
def released(bdd, units):
    position = bdd.amazon.ledger(bdd.seller.seller_id).get(bdd.flex[0], bdd.location)
    assert position.reserved == 0


@then("the cancellation is refused once the ship label exists for another order")
def refused_after_label(bdd):
    other = _place(bdd, bdd.flex[1], 1)
    shipment = next(s for s in bdd.run(seller_flex.accepted_orders(bdd.location)) if s["id"] == other)
    bdd.run(seller_flex.confirm(other))
    # everything up to the label, but no handover
    steps = seller_flex.ship(shipment, {bdd.flex[1]: DIMENSIONS})
    def until_label():
        response = None
        effect = steps.send(None)
        while not effect.operation.endswith("updatePackageStatus"):
            response = yield effect
            effect = steps.send(response)
    bdd.run(until_label())
    refused = bdd.control.post(f"/_testbed/external-fulfillment/shipments/{other}/cancel",
                               json={"seller_id": bdd.seller.seller_id})
    assert refused.status_code == 409 and "SHIPLABEL_GENERATED" in refused.json["errors"][0]["message"]


@when("the integration rejects it as out of stock")
def reject(bdd):
    assert bdd.run(seller_flex.reject(bdd.shipment_id, bdd.shipment["lineItems"])).ok


@then("the order is CANCELLED as SELLER_REJECTED")
def seller_rejected(bdd):
    shipment = bdd.run(seller_flex.shipment_status(bdd.shipment_id))
    assert shipment["status"] == "CANCELLED"
    assert shipment["lineItems"][0]["cancellations"][0]["cancellationType"] == "SELLER_REJECTED"


# F003-12
@when("Amazon places a replacement for it")
def replacement(bdd):
    bdd.replacement = _place(bdd, bdd.flex[0], 1, shipment_type="REPLACEMENT", original_id=bdd.shipped[-1])


@then("the integration pulls a REPLACEMENT order worth 0.00 that names the original order")
def pulls_replacement(bdd):
    shipment = next(s for s in bdd.run(seller_flex.accepted_orders(bdd.location)) if s["id"] == bdd.replacement)
    assert shipment["shipmentInfo"]["shipmentType"] == "REPLACEMENT"
    assert shipment["shipmentInfo"]["originalShipmentInfo"]["id"] == bdd.shipped[-1]
    assert shipment["charges"][0]["totalCharge"]["netAmount"]["value"] == "0.00"


# F003-13
@when("the first order's customer returns it and the second's return is cancelled")
def returns(bdd):
    seller = bdd.seller.seller_id
    bdd.control.put("/_testbed/settings", json={"ef_return_reject_chance": 0.0})
    bdd.control.post("/_testbed/external-fulfillment/returns",
                     json={"seller_id": seller, "shipment_id": bdd.shipped[0]})
    second = bdd.control.post("/_testbed/external-fulfillment/returns",
                              json={"seller_id": seller, "shipment_id": bdd.shipped[1]}).json
    bdd.control.post(f"/_testbed/external-fulfillment/returns/{second['return_id']}/cancel",
                     json={"seller_id": seller})


@when("two days pass")
def two_days(bdd):
    bdd.advance(2 * 86_400)


@then(parsers.parse("the integration lists {count:d} returns"))
def lists_returns(bdd, count):

    def listing():
        answer = yield Request("externalFulfillmentReturns_2024-09-11.listReturns", query={"maxResults": 100})
        return answer.body["returns"]
    assert len(bdd.run(listing())) == count


@then("events say one return was PROCESSED and one CANCELLED")
def return_events(bdd):
    statuses = sorted(m["body"]["payload"]["status"] for m in _notifications(bdd)
                      if m["type"] == "EXTERNAL_FULFILLMENT_RETURN_STATUS_CHANGE")
    assert statuses == ["CANCELLED", "PROCESSED"]


# F003-14
@when(parsers.parse('the seller maps client SKU "{client}" to merchant SKU "{merchant}" with ASIN "{asin}"'))
def map_listing(bdd, client, merchant, asin):
    answer = bdd.control.put("/_testbed/external-fulfillment/listings", json={
        "seller_id": bdd.seller.seller_id, "merchant_sku": merchant, "client_sku": client, "asin": asin,
        "dimensions": DIMENSIONS})
    assert answer.status_code == 200
    bdd.results["mapping"] = answer.json


@then(parsers.parse('the listing "{merchant}" exists with ASIN "{asin}" for channel "{channel}"'))
def mapped(bdd, merchant, asin, channel):
    assert bdd.results["mapping"] == {"merchant_sku": merchant, "client_sku": bdd.results["mapping"]["client_sku"],
                                      "asin": asin, "channel": channel}
    assert bdd.amazon.listings.items.load(bdd.seller.seller_id, merchant).asin == asin
