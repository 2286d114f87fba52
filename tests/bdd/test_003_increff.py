"""Seed 003 (Increff, Amazon SmartConnect / Seller Flex): F003-1..14."""
import random
import shelve
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from mock_amazon import MockAmazon
from mock_amazon.app import ROUTES
from mock_amazon.client import InProcess
from mock_amazon.pipeline import Reply, invoke
from model.workflows import routing, seller_flex
from model.workflows.pacing import Pacer
from model.workflows.protocol import Request, Response, Workflow
from model.workflows.session import Session
from tests.bdd.marketplace import Marketplace, Seller
from tests.mock.flex import DIMENSIONS, package, update

scenarios("003_increff_smartconnect.feature")
MARKETPLACE = "ATVPDKIKX0DER"
SHIP = "externalFulfillmentShipments_2024-09-11"


@dataclass
class Site:
    """A seller-flex site as the integration keeps it: its location, the mapped SKUs, the warehouse's quantity
    of each, and the sequence numbers sent so far."""
    location: str
    skus: list[str]
    warehouse: dict[str, int]
    book: seller_flex.SequenceBook = field(default_factory=seller_flex.SequenceBook)


@dataclass(frozen=True)
class ForwardOrder:
    """An order Amazon placed at the site: its shipment ID and, once pulled, the shipment as the integration
    read it."""
    shipment_id: str
    shipment: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Handover:
    """Shipped orders waiting for their manifests, and how many calls Amazon had answered before."""
    shipment_ids: list[str]
    calls_before: int


@pytest.fixture
def shipped_orders() -> list[str]:
    """The shipment IDs of the orders shipped in the scenario, in order."""
    return []


@given(parsers.parse('a seller-flex site "{location}" with {count:d} mapped listings and {units:d} units of each in '
                     "the warehouse"), target_fixture="site")
def seller_flex_site(marketplace: Marketplace, seller: Seller, session: Session, location: str, count: int,
                     units: int) -> Site:
    control = marketplace.control
    assert control.post("/_testbed/external-fulfillment/locations",
                        json={"seller_id": seller.seller_id, "location_id": location}).status_code == 201
    skus = []
    for n in range(count):
        sku = f"SF-{n:03d}"
        assert control.put("/_testbed/external-fulfillment/listings", json={
            "seller_id": seller.seller_id, "merchant_sku": sku, "client_sku": f"EAN-{n:04d}",
            "dimensions": DIMENSIONS}).status_code == 200
        skus.append(sku)
    session.pacers["batchInventory"] = Pacer(6.0, 1, marketplace.clock.seconds())
    session.pacers["getShipment"] = Pacer(6.0, 1, marketplace.clock.seconds())
    return Site(location, skus, {sku: units for sku in skus})


def push(marketplace: Marketplace, session: Session, site: Site, sku: str,
         book: seller_flex.SequenceBook | None = None) -> seller_flex.PushResult:
    result: seller_flex.PushResult = marketplace.run(seller_flex.push_inventory(
        sku, site.location, site.warehouse[sku], book or site.book, MARKETPLACE), session)
    return result


def inventory_calls(amazon: MockAmazon) -> list[dict[str, Any]]:
    return [e for e in amazon.traffic(limit=5000) if e["operation"] == "batchInventory"]


# F003-1
ORDERS = {"FBA": {"FulfillmentChannel": "AFN"}, "SELLER_FLEX": {"locationId": "BLR1"},
          "SELF_SHIP": {"FulfillmentChannel": "MFN"},
          "EASY_SHIP": {"FulfillmentChannel": "MFN", "EasyShipShipmentStatus": "PendingPickUp"}}


@given(parsers.parse("an order of the {program} program"), target_fixture="program_order")
def order_of_program(program: str) -> dict[str, str]:
    return ORDERS[program]


@then(parsers.parse("the integration routes it to the {route}"))
def routed(program_order: dict[str, str], route: str) -> None:
    assert routing.ROUTES[routing.program_of(program_order)].startswith(route)


# F003-2/3
@when("the integration pushes the warehouse quantity of every SKU", target_fixture="pushed")
def push_every(marketplace: Marketplace, session: Session, site: Site) -> list[seller_flex.PushResult]:
    return [push(marketplace, session, site, sku) for sku in site.skus]


@then("each SKU went in a call of its own, no faster than 6 calls a second")
def one_per_call(amazon: MockAmazon, site: Site) -> None:
    calls = inventory_calls(amazon)
    assert len(calls) == len(site.skus) and all(e["status"] == 207 for e in calls)
    times = [e["time"] for e in calls]
    seconds = [datetime.fromisoformat(t).timestamp() for t in times]
    assert all(b - a >= 1 / 6 - 1e-6 for a, b in zip(seconds, seconds[1:]))


@then(parsers.parse('Amazon accepted sequence number 1 for each SKU at "{location}"'))
def sequence_one(amazon: MockAmazon, seller: Seller, site: Site, pushed: list[seller_flex.PushResult],
                 location: str) -> None:
    ledger = amazon.ledger(seller.seller_id)
    assert all(ledger.get(sku, location).sequence == 1 for sku in site.skus)
    assert all(result.accepted and result.sequence == 1 for result in pushed)


@when(parsers.parse("the warehouse quantity of one SKU changes to {units:d} and the integration pushes it"),
      target_fixture="last_push")
def change_and_push(marketplace: Marketplace, session: Session, site: Site, units: int) -> seller_flex.PushResult:
    site.warehouse[site.skus[0]] = units
    return push(marketplace, session, site, site.skus[0])


@then(parsers.parse("Amazon accepted sequence number 2 for it and holds {units:d} sellable units"))
def sequence_two(amazon: MockAmazon, seller: Seller, site: Site, last_push: seller_flex.PushResult,
                 units: int) -> None:
    position = amazon.ledger(seller.seller_id).get(site.skus[0], site.location)
    assert last_push.sequence == 2 and position.sequence == 2 and position.sellable == units


def _token(amazon: MockAmazon, session: Session) -> str | None:
    """A valid access token, for the steps that send a deliberately wrong request by hand."""
    if session.needs_token():
        session.accept_token(InProcess(amazon)(session.token_request()))
    return session.access_token


@given(parsers.parse("Amazon accepted sequence number {sequence:d} for the first SKU with {units:d} units"))
def accepted_number(amazon: MockAmazon, session: Session, site: Site, sequence: int, units: int) -> None:
    answer = invoke(amazon, ROUTES["externalFulfillmentInventory_2024-09-11.batchInventory"], _token(amazon, session),
                    body={"requests": [update(site.skus[0], units, sequence, site.location)]})
    assert answer.body["responses"][0]["status"]["statusCode"] == 200


@when(parsers.parse("an update with sequence number {sequence:d} and {units:d} unit is sent for it"),
      target_fixture="answer")
def stale_update(amazon: MockAmazon, session: Session, site: Site, sequence: int, units: int) -> Reply:
    return invoke(amazon, ROUTES["externalFulfillmentInventory_2024-09-11.batchInventory"], _token(amazon, session),
                  body={"requests": [update(site.skus[0], units, sequence, site.location)]})


@then("it is rejected as a stale sequence number")
def rejected_stale(answer: Reply) -> None:
    result = answer.body["responses"][0]
    assert result["status"]["statusCode"] == 400
    assert result["body"]["actionableErrors"][0]["errorType"] == "STALE_SEQUENCE_NUMBER"


@then(parsers.parse("Amazon still holds {units:d} sellable units of it"))
def still_holds(amazon: MockAmazon, seller: Seller, site: Site, units: int) -> None:
    assert amazon.ledger(seller.seller_id).get(site.skus[0], site.location).sellable == units


@given("the integration keeps its sequence numbers in a file", target_fixture="book_path")
def book_file(tmp_path: Path) -> str:
    return str(tmp_path / "sequences")


@when("the integration pushes the first SKU, restarts, and pushes it again", target_fixture="last_push")
def push_restart_push(marketplace: Marketplace, session: Session, site: Site,
                      book_path: str) -> seller_flex.PushResult:
    with shelve.open(book_path) as numbers:
        push(marketplace, session, site, site.skus[0], seller_flex.SequenceBook(numbers))
    with shelve.open(book_path) as numbers:  # a new process: only the file remembers
        return push(marketplace, session, site, site.skus[0], seller_flex.SequenceBook(numbers))


@then("the second push carried sequence number 2 and was accepted without a stale retry")
def after_restart(last_push: seller_flex.PushResult) -> None:
    assert last_push.accepted and last_push.sequence == 2 and not last_push.stale_recovered


@given(parsers.parse("{count:d} more mapped SKUs with random warehouse quantities"))
def many_skus(amazon: MockAmazon, seller: Seller, site: Site, count: int) -> None:
    rng = random.Random(9)
    for n in range(count):
        sku = f"BULK-{n:04d}"
        amazon.external_fulfillment.map_listing(seller.seller_id, sku, f"EANB{n:05d}", dimensions=DIMENSIONS)
        site.skus.append(sku)
        site.warehouse[sku] = rng.randint(0, 80)


@when("the integration pushes every SKU", target_fixture="pushed")
def push_all(marketplace: Marketplace, session: Session, site: Site) -> list[seller_flex.PushResult]:
    return [push(marketplace, session, site, sku) for sku in site.skus]


@then("every SKU's sellable quantity at Amazon equals the warehouse's")
def all_equal(amazon: MockAmazon, seller: Seller, site: Site) -> None:
    ledger = amazon.ledger(seller.seller_id)
    assert all(ledger.get(sku, site.location).sellable == site.warehouse[sku] for sku in site.skus)


@then("no stale sequence number was sent and no call was throttled")
def clean_push(amazon: MockAmazon, pushed: list[seller_flex.PushResult]) -> None:
    assert all(r.accepted and not r.stale_recovered for r in pushed)
    assert not any(e["throttled"] for e in inventory_calls(amazon))


# F003-4/5/11/12/13: orders
@given("the integration subscribes to shipment notifications")
def subscribe_shipments(marketplace: Marketplace, session: Session) -> None:
    _subscribe(marketplace, session, "EXTERNAL_FULFILLMENT_SHIPMENT_STATUS_CHANGE")


@given("the integration subscribes to return notifications")
def subscribe_returns(marketplace: Marketplace, session: Session) -> None:
    _subscribe(marketplace, session, "EXTERNAL_FULFILLMENT_RETURN_STATUS_CHANGE")


def _subscribe(marketplace: Marketplace, session: Session, notification_type: str) -> None:

    def subscribe() -> Workflow:
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
    marketplace.run(subscribe(), session)


def _place(marketplace: Marketplace, amazon: MockAmazon, session: Session, seller: Seller, site: Site, sku: str,
           units: int, **extra: Any) -> str:
    """Amazon places an order; it can only sell what the integration has pushed, so push first if needed."""
    if amazon.ledger(seller.seller_id).get(sku, site.location) is None:
        push(marketplace, session, site, sku)
    placed = marketplace.control.post("/_testbed/external-fulfillment/shipments", json={
        "seller_id": seller.seller_id, "location_id": site.location, "lines": [{"sku": sku, "units": units}],
        **extra})
    assert placed.status_code == 201, placed.json
    marketplace.advance(60)
    shipment_id: str = placed.json["shipment_id"]
    return shipment_id


def _notifications(marketplace: Marketplace) -> list[dict[str, Any]]:
    notifications: list[dict[str, Any]] = marketplace.control.get("/_testbed/notifications").json["notifications"]
    return notifications


@when(parsers.parse("Amazon places an order for {units:d} units of the first SKU"), target_fixture="order")
def amazon_places(marketplace: Marketplace, amazon: MockAmazon, session: Session, seller: Seller, site: Site,
                  units: int) -> ForwardOrder:
    return ForwardOrder(_place(marketplace, amazon, session, seller, site, site.skus[0], units))


@then(parsers.parse("a notification names the order as {status}"))
def notified(marketplace: Marketplace, order: ForwardOrder, status: str) -> None:
    payloads = [m["body"]["payload"] for m in _notifications(marketplace)]
    assert {"shipmentId": order.shipment_id, "status": status}.items() <= payloads[-1].items()


@then("the integration pulls the order and finds it ACCEPTED")
def pulls(marketplace: Marketplace, session: Session, site: Site, order: ForwardOrder) -> None:
    accepted = marketplace.run(seller_flex.accepted_orders(site.location), session)
    assert [s["id"] for s in accepted] == [order.shipment_id]


@when("the integration confirms it", target_fixture="confirmation")
def confirms(marketplace: Marketplace, session: Session, order: ForwardOrder) -> str:
    confirmation: str = marketplace.run(seller_flex.confirm(order.shipment_id), session)
    return confirmation


@then("the order is CONFIRMED")
def confirmed(marketplace: Marketplace, session: Session, order: ForwardOrder, confirmation: str) -> None:
    assert confirmation == "confirmed"
    assert marketplace.run(seller_flex.shipment_status(order.shipment_id), session)["status"] == "CONFIRMED"


@then("a second confirmation is refused because the order is already CONFIRMED")
def second_confirm(marketplace: Marketplace, session: Session, order: ForwardOrder) -> None:
    assert marketplace.run(seller_flex.confirm(order.shipment_id), session) == "already_confirmed"


@given(parsers.parse("an accepted order for {units:d} unit of the first SKU"), target_fixture="order")
@given(parsers.parse("an accepted order for {units:d} units of the first SKU"), target_fixture="order")
def accepted_order(marketplace: Marketplace, amazon: MockAmazon, session: Session, seller: Seller, site: Site,
                   units: int) -> ForwardOrder:
    shipment_id = _place(marketplace, amazon, session, seller, site, site.skus[0], units)
    return ForwardOrder(shipment_id, marketplace.run(seller_flex.accepted_orders(site.location), session)[-1])


@given(parsers.parse("an accepted and confirmed order for {units:d} unit of the first SKU"), target_fixture="order")
def confirmed_order(marketplace: Marketplace, amazon: MockAmazon, session: Session, seller: Seller, site: Site,
                    units: int) -> ForwardOrder:
    order = accepted_order(marketplace, amazon, session, seller, site, units)
    assert marketplace.run(seller_flex.confirm(order.shipment_id), session) == "confirmed"
    return order


@given(parsers.parse("a shipped order for {units:d} unit of the {which} SKU"))
def shipped_order(marketplace: Marketplace, amazon: MockAmazon, session: Session, seller: Seller, site: Site,
                  shipped_orders: list[str], units: int, which: str) -> None:
    sku = site.skus[{"first": 0, "second": 1}[which]]
    shipment_id = _place(marketplace, amazon, session, seller, site, sku, units)
    shipment = next(s for s in marketplace.run(seller_flex.accepted_orders(site.location), session)
                    if s["id"] == shipment_id)
    marketplace.run(seller_flex.confirm(shipment_id), session)
    assert marketplace.run(seller_flex.ship(shipment, {sku: DIMENSIONS}), session)["ok"]
    shipped_orders.append(shipment_id)


# F003-6/8
@given(parsers.parse('stock of "{sku}": {a:d} at "{first}" and {b:d} at "{second}"'), target_fixture="stock")
def two_locations(sku: str, a: int, first: str, b: int, second: str) -> dict[str, dict[str, int]]:
    return {first: {sku: a}, second: {sku: b}}


@then(parsers.parse('a self-ship order of {units:d} "{sku}" is split as {a:d} from "{first}" and {b:d} from '
                    '"{second}"'))
def split(stock: dict[str, dict[str, int]], units: int, sku: str, a: int, first: str, b: int, second: str) -> None:
    assert routing.split_across_locations([(sku, units)], stock, "SELF_SHIP") == {first: [(sku, a)],
                                                                                   second: [(sku, b)]}


@then("splitting a seller-flex order is refused")
def no_split(stock: dict[str, dict[str, int]]) -> None:
    with pytest.raises(ValueError, match="only SELF_SHIP"):
        routing.split_across_locations([("SKU-A", 1)], stock, "SELLER_FLEX")


@given(parsers.parse("{count:d} shipped orders to hand over"), target_fixture="handover")
def many_shipped(amazon: MockAmazon, count: int) -> Handover:
    return Handover([f"S{n:04d}" for n in range(count)], len(amazon.traffic(limit=100000)))


@when("the integration makes manifests", target_fixture="manifests")
def make_manifests(handover: Handover) -> list[list[str]]:
    return routing.manifests(handover.shipment_ids)


@then("there are manifests of 100, 100 and 30 orders")
def manifest_sizes(manifests: list[list[str]]) -> None:
    assert [len(m) for m in manifests] == [100, 100, 30]


@then("no call was made to Amazon")
def no_calls(amazon: MockAmazon, handover: Handover) -> None:
    assert len(amazon.traffic(limit=100000)) == handover.calls_before


# F003-7/9/14
@when("the integration packs it without a height", target_fixture="packing")
def pack_without_height(amazon: MockAmazon, session: Session, order: ForwardOrder) -> Reply:
    body = package("P1", [("1", 1)], {k: v for k, v in DIMENSIONS.items() if k != "height"})
    return invoke(amazon, ROUTES[f"{SHIP}.createPackages"], _token(amazon, session),
                  path_args={"shipmentId": order.shipment_id}, body={"packages": [body]})


@then("packing fails naming the missing height")
def fails_height(packing: Reply) -> None:
    assert packing.status == 400 and packing.body["errors"][0]["details"].endswith("dimensions.height")


@when("the integration packs it with the listing's dimensions, gets the invoice and the label, and hands it over",
      target_fixture="shipping")
def ship_it(marketplace: Marketplace, session: Session, site: Site, order: ForwardOrder) -> dict[str, Any]:
    shipping: dict[str, Any] = marketplace.run(seller_flex.ship(order.shipment, {site.skus[0]: DIMENSIONS}), session)
    return shipping


@then("the order is SHIPPED with a tracking ID")
def shipped(marketplace: Marketplace, session: Session, order: ForwardOrder, shipping: dict[str, Any]) -> None:
    assert shipping["ok"] and shipping["tracking"]
    assert marketplace.run(seller_flex.shipment_status(order.shipment_id), session)["status"] == "SHIPPED"


@when("the integration packs it 50% longer than the listing says", target_fixture="shipping")
def pack_longer(marketplace: Marketplace, session: Session, site: Site, order: ForwardOrder) -> dict[str, Any]:
    longer = {**DIMENSIONS, "length": DIMENSIONS["length"] * 1.5}
    shipping: dict[str, Any] = marketplace.run(seller_flex.ship(order.shipment, {site.skus[0]: longer}), session)
    return shipping


@then("packing fails and the listing is inactive")
def inactive(amazon: MockAmazon, seller: Seller, site: Site, shipping: dict[str, Any]) -> None:
    assert not shipping["ok"] and shipping["step"] == "createPackages" and shipping["response"].status == 422
    assert amazon.listings.items.load(seller.seller_id, site.skus[0]).status == "INACTIVE"


@when("the seller corrects the listing's dimensions")
def correct(marketplace: Marketplace, seller: Seller, site: Site) -> None:
    marketplace.control.put("/_testbed/external-fulfillment/listings", json={
        "seller_id": seller.seller_id, "merchant_sku": site.skus[0], "client_sku": "EAN-0000",
        "dimensions": {**DIMENSIONS, "length": DIMENSIONS["length"] * 1.5}})


@then("the listing is active again")
def active_again(amazon: MockAmazon, seller: Seller, site: Site) -> None:
    assert amazon.listings.items.load(seller.seller_id, site.skus[0]).status == "ACTIVE"


# F003-10
@given(parsers.parse("{count:d} accepted orders"), target_fixture="placed")
def accepted_orders(marketplace: Marketplace, amazon: MockAmazon, session: Session, seller: Seller, site: Site,
                    count: int) -> list[str]:
    return [_place(marketplace, amazon, session, seller, site, site.skus[n % len(site.skus)], 1)
            for n in range(count)]


@when("the integration polls the status of every order", target_fixture="statuses")
def poll_all(marketplace: Marketplace, session: Session, placed: list[str]) -> list[str]:
    return [marketplace.run(seller_flex.shipment_status(s), session)["status"] for s in placed]


@then("the polls went no faster than 6 calls a second")
def poll_pace(amazon: MockAmazon, placed: list[str], statuses: list[str]) -> None:
    calls = [datetime.fromisoformat(e["time"]).timestamp() for e in amazon.traffic(limit=5000)
             if e["operation"] == "getShipment"]
    assert len(calls) == len(placed) and set(statuses) == {"ACCEPTED"}
    assert all(b - a >= 1 / 6 - 1e-6 for a, b in zip(calls, calls[1:]))


# F003-11
@when("the customer cancels it")
def customer_cancels(marketplace: Marketplace, seller: Seller, order: ForwardOrder) -> None:
    answer = marketplace.control.post(f"/_testbed/external-fulfillment/shipments/{order.shipment_id}/cancel",
                                      json={"seller_id": seller.seller_id})
    assert answer.status_code == 200


@then(parsers.parse("Amazon released the {units:d} reserved units"))
def released(amazon: MockAmazon, seller: Seller, site: Site, units: int) -> None:
    position = amazon.ledger(seller.seller_id).get(site.skus[0], site.location)
    assert position.reserved == 0


@then("the cancellation is refused once the ship label exists for another order")
def refused_after_label(marketplace: Marketplace, amazon: MockAmazon, session: Session, seller: Seller,
                        site: Site) -> None:
    other = _place(marketplace, amazon, session, seller, site, site.skus[1], 1)
    shipment = next(s for s in marketplace.run(seller_flex.accepted_orders(site.location), session)
                    if s["id"] == other)
    marketplace.run(seller_flex.confirm(other), session)
    # everything up to the label, but no handover
    steps = seller_flex.ship(shipment, {site.skus[1]: DIMENSIONS})

    def until_label() -> Workflow:
        response: Response | None = None
        effect = steps.send(None)
        while not effect.operation.endswith("updatePackageStatus"):
            response = yield effect
            effect = steps.send(response)
    marketplace.run(until_label(), session)
    refused = marketplace.control.post(f"/_testbed/external-fulfillment/shipments/{other}/cancel",
                                       json={"seller_id": seller.seller_id})
    assert refused.status_code == 409 and "SHIPLABEL_GENERATED" in refused.json["errors"][0]["message"]


@when("the integration rejects it as out of stock")
def reject(marketplace: Marketplace, session: Session, order: ForwardOrder) -> None:
    assert marketplace.run(seller_flex.reject(order.shipment_id, order.shipment["lineItems"]), session).ok


@then("the order is CANCELLED as SELLER_REJECTED")
def seller_rejected(marketplace: Marketplace, session: Session, order: ForwardOrder) -> None:
    shipment = marketplace.run(seller_flex.shipment_status(order.shipment_id), session)
    assert shipment["status"] == "CANCELLED"
    assert shipment["lineItems"][0]["cancellations"][0]["cancellationType"] == "SELLER_REJECTED"


# F003-12
@when("Amazon places a replacement for it", target_fixture="replacement")
def amazon_replaces(marketplace: Marketplace, amazon: MockAmazon, session: Session, seller: Seller, site: Site,
                shipped_orders: list[str]) -> str:
    return _place(marketplace, amazon, session, seller, site, site.skus[0], 1, shipment_type="REPLACEMENT",
                  original_id=shipped_orders[-1])


@then("the integration pulls a REPLACEMENT order worth 0.00 that names the original order")
def pulls_replacement(marketplace: Marketplace, session: Session, site: Site, shipped_orders: list[str],
                      replacement: str) -> None:
    shipment = next(s for s in marketplace.run(seller_flex.accepted_orders(site.location), session)
                    if s["id"] == replacement)
    assert shipment["shipmentInfo"]["shipmentType"] == "REPLACEMENT"
    assert shipment["shipmentInfo"]["originalShipmentInfo"]["id"] == shipped_orders[-1]
    assert shipment["charges"][0]["totalCharge"]["netAmount"]["value"] == "0.00"


# F003-13
@when("the first order's customer returns it and the second's return is cancelled")
def returns(marketplace: Marketplace, seller: Seller, shipped_orders: list[str]) -> None:
    control = marketplace.control
    control.put("/_testbed/settings", json={"ef_return_reject_chance": 0.0})
    control.post("/_testbed/external-fulfillment/returns",
                 json={"seller_id": seller.seller_id, "shipment_id": shipped_orders[0]})
    second = control.post("/_testbed/external-fulfillment/returns",
                          json={"seller_id": seller.seller_id, "shipment_id": shipped_orders[1]}).json
    control.post(f"/_testbed/external-fulfillment/returns/{second['return_id']}/cancel",
                 json={"seller_id": seller.seller_id})


@when("two days pass")
def two_days(marketplace: Marketplace) -> None:
    marketplace.advance(2 * 86_400)


@then(parsers.parse("the integration lists {count:d} returns"))
def lists_returns(marketplace: Marketplace, session: Session, count: int) -> None:

    def listing() -> Workflow:
        answer = yield Request("externalFulfillmentReturns_2024-09-11.listReturns", query={"maxResults": 100})
        return answer.body["returns"]
    assert len(marketplace.run(listing(), session)) == count


@then("events say one return was PROCESSED and one CANCELLED")
def return_events(marketplace: Marketplace) -> None:
    statuses = sorted(m["body"]["payload"]["status"] for m in _notifications(marketplace)
                      if m["type"] == "EXTERNAL_FULFILLMENT_RETURN_STATUS_CHANGE")
    assert statuses == ["CANCELLED", "PROCESSED"]


# F003-14
@when(parsers.parse('the seller maps client SKU "{client}" to merchant SKU "{merchant}" with ASIN "{asin}"'),
      target_fixture="mapping")
def map_listing(marketplace: Marketplace, seller: Seller, client: str, merchant: str, asin: str) -> dict[str, str]:
    answer = marketplace.control.put("/_testbed/external-fulfillment/listings", json={
        "seller_id": seller.seller_id, "merchant_sku": merchant, "client_sku": client, "asin": asin,
        "dimensions": DIMENSIONS})
    assert answer.status_code == 200
    mapping: dict[str, str] = answer.json
    return mapping


@then(parsers.parse('the listing "{merchant}" exists with ASIN "{asin}" for channel "{channel}"'))
def mapped(amazon: MockAmazon, seller: Seller, mapping: dict[str, str], merchant: str, asin: str,
           channel: str) -> None:
    assert mapping == {"merchant_sku": merchant, "client_sku": mapping["client_sku"], "asin": asin,
                       "channel": channel}
    assert amazon.listings.items.load(seller.seller_id, merchant).asin == asin
