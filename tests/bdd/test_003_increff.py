"""Seed 003 (Increff, Amazon SmartConnect / Seller Flex): F003-1..14. The integration's own steps, driving
model/workflows/smartconnect.py, seller_flex.py and returns.py; the steps that speak of Amazon in general are the
shared ones (tests/bdd/steps/amazon.py). Every step reaches the mock only through its control API, SP-API calls,
the notifications and the traffic journal, so the whole feature also runs against a live mock (--mock-url)."""
import random
import shelve
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from model.seller import Warehouse
from model.workflows import reports, returns, routing, seller_flex, smartconnect
from model.workflows.protocol import Request, Response, Workflow
from model.workflows.session import Session
from tests.bdd.marketplace import MARKETPLACE_ID, Catalog, Marketplace, Seller
from tests.bdd.steps.amazon import ORDINALS, journal_time, listing
from tests.mock.flex import DIMENSIONS, fetch, update

scenarios("003_increff_smartconnect.feature")
SHIP = "externalFulfillmentShipments_2024-09-11"
INVENTORY = "externalFulfillmentInventory_2024-09-11.batchInventory"
RETURNS = "externalFulfillmentReturns_2024-09-11"
QUEUE = "arn:aws:sqs:ap-south-1:000000000000:integration"


@dataclass(frozen=True)
class ForwardOrder:
    """An order Amazon placed at the site: its shipment ID and, once pulled, the shipment as the integration
    read it."""
    shipment_id: str
    shipment: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Handover:
    """The manifests the integration made, and how many calls Amazon had answered before it made them."""
    manifests: list[list[str]]
    calls_before: int


@pytest.fixture
def shipped_orders() -> list[str]:
    """The shipment IDs of the orders shipped in the scenario, in order."""
    return []


@pytest.fixture
def placed() -> list[str]:
    """The shipment IDs of orders Amazon placed in bulk."""
    return []


def merchant_sku(integration: smartconnect.Integration, which: str) -> str:
    """`the first SKU`, `the second SKU`, or a quoted merchant SKU."""
    if which.startswith('"'):
        return which.strip('"')
    return list(integration.mappings)[ORDINALS[which.split()[1]]]


def one_request(request: Request) -> Workflow[Response]:
    return (yield request)


def at_amazon(marketplace: Marketplace, session: Session, sku: str, location: str) -> dict[str, Any]:
    """What Amazon holds of a SKU at a site: batchInventory's fetch (sellable, reserved, last sequence number)."""
    answer = marketplace.call(INVENTORY, session, body={"requests": [fetch(sku, location)]})
    body: dict[str, Any] = answer.body["responses"][0]["body"]
    return body


def shipment_at_amazon(marketplace: Marketplace, session: Session, shipment_id: str) -> dict[str, Any]:
    shipment: dict[str, Any] = marketplace.call(f"{SHIP}.getShipment", session, path={"shipmentId": shipment_id}).body
    return shipment


def push(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
         sku: str) -> seller_flex.PushResult:
    """The integration pushes the warehouse's quantity of the merchant SKU's client SKU."""
    result: seller_flex.PushResult = marketplace.run(smartconnect.push(integration, integration.client_sku(sku)),
                                                     session)
    return result


def place(marketplace: Marketplace, session: Session, seller: Seller, integration: smartconnect.Integration,
          sku: str, units: int, **extra: Any) -> str:
    """Amazon places an order at the site (it can only sell what the integration pushed: push first if needed),
    and hands it to the merchant (ACCEPTED) a minute later."""
    if seller_flex.SequenceBook.key(sku, integration.location) not in integration.book.numbers:
        push(marketplace, session, integration, sku)
    placed_now = marketplace.control.post("/_testbed/external-fulfillment/shipments", json={
        "seller_id": seller.seller_id, "location_id": integration.location, "lines": [{"sku": sku, "units": units}],
        **extra})
    assert placed_now.status_code == 201, placed_now.json
    marketplace.advance(60)
    shipment_id: str = placed_now.json["shipment_id"]
    return shipment_id


def map_at_amazon(marketplace: Marketplace, seller: Seller, merchant: str, client: str,
                  dimensions: dict[str, float] | None = DIMENSIONS, asin: str | None = None) -> dict[str, str]:
    answer = marketplace.control.put("/_testbed/external-fulfillment/listings", json={
        "seller_id": seller.seller_id, "merchant_sku": merchant, "client_sku": client, "asin": asin,
        "dimensions": dimensions})
    assert answer.status_code == 200, answer.json
    mapping: dict[str, str] = answer.json
    return mapping


# the site and the integration
@given(parsers.parse('a seller-flex site "{location}" with {count:d} mapped listings and {units:d} units of each in '
                     "the warehouse"), target_fixture="integration")
def seller_flex_site(marketplace: Marketplace, seller: Seller, session: Session, location: str, count: int,
                     units: int) -> smartconnect.Integration:
    """Amazon registers the site and the listings SF-000, SF-001, ... (tied to client SKUs EAN-0000, ...); the
    integration maps them and its warehouse holds `units` of each client SKU. It paces itself to Amazon's rate."""
    assert marketplace.control.post("/_testbed/external-fulfillment/locations", json={
        "seller_id": seller.seller_id, "location_id": location}).status_code == 201
    integration = smartconnect.Integration(marketplace.clock, location, Warehouse(marketplace.clock))
    for n in range(count):
        mapping = map_at_amazon(marketplace, seller, f"SF-{n:03d}", f"EAN-{n:04d}")
        integration.map_listing(smartconnect.ListingMapping(mapping["client_sku"], mapping["asin"],
                                                            mapping["merchant_sku"]))
        integration.warehouse.receive(mapping["client_sku"], units)
    smartconnect.pace(session, marketplace.clock)
    return integration


@given(parsers.parse('the warehouse\'s location "{location}" holds {units:d} units of the first merchant-fulfilled '
                     "SKU"))
def location_stock(integration: smartconnect.Integration, catalog: Catalog, location: str, units: int) -> None:
    """Self-ship stock in one of the warehouse's own locations (not a seller-flex site)."""
    integration.locations.setdefault(location, {})[catalog.mfn_skus[0]] = units


@given(parsers.parse("the warehouse holds {units:d} units of the first SKU, pushed to Amazon"))
def stock_pushed(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
                 units: int) -> None:
    client = integration.client_sku(merchant_sku(integration, "the first"))
    integration.warehouse.adjust(client, units - integration.warehouse.stock[client])
    push(marketplace, session, integration, merchant_sku(integration, "the first"))


# orders Amazon places at the site
@given(parsers.re(r'Amazon places an order for (?P<units>\d+) units? of (?P<which>the first SKU|the second SKU|'
                  r'"[^"]+")$'), target_fixture="order")
@when(parsers.re(r'Amazon places an order for (?P<units>\d+) units? of (?P<which>the first SKU|the second SKU|'
                 r'"[^"]+")$'), target_fixture="order")
def amazon_places(marketplace: Marketplace, session: Session, seller: Seller, integration: smartconnect.Integration,
                  units: str, which: str) -> ForwardOrder:
    """A customer orders from the seller-flex site; Amazon hands the order to the merchant (ACCEPTED)."""
    return ForwardOrder(place(marketplace, session, seller, integration, merchant_sku(integration, which),
                              int(units)))


@given(parsers.parse("Amazon places {count:d} orders of 1 unit of the first SKU"), target_fixture="placed")
def amazon_places_many(marketplace: Marketplace, session: Session, seller: Seller,
                       integration: smartconnect.Integration, count: int) -> list[str]:
    sku = merchant_sku(integration, "the first")
    return [place(marketplace, session, seller, integration, sku, 1) for _ in range(count)]


@given(parsers.parse("an accepted order for {units:d} unit of the first SKU"), target_fixture="order")
@given(parsers.parse("an accepted order for {units:d} units of the first SKU"), target_fixture="order")
def accepted_order(marketplace: Marketplace, session: Session, seller: Seller, integration: smartconnect.Integration,
                   units: int) -> ForwardOrder:
    shipment_id = place(marketplace, session, seller, integration, merchant_sku(integration, "the first"), units)
    return ForwardOrder(shipment_id, shipment_at_amazon(marketplace, session, shipment_id))


@given(parsers.parse("an accepted order for {units:d} unit of the second SKU"), target_fixture="other_order")
def accepted_second(marketplace: Marketplace, session: Session, seller: Seller, integration: smartconnect.Integration,
                    units: int) -> ForwardOrder:
    return ForwardOrder(place(marketplace, session, seller, integration, merchant_sku(integration, "the second"),
                              units))


@given(parsers.re(r'an accepted and confirmed order for (?P<units>\d+) unit of (?P<which>the first SKU|"[^"]+")$'),
       target_fixture="order")
def confirmed_order(marketplace: Marketplace, session: Session, seller: Seller, integration: smartconnect.Integration,
                    units: str, which: str) -> ForwardOrder:
    """Placed, and taken by the integration at ACCEPTED (confirming it)."""
    shipment_id = place(marketplace, session, seller, integration, merchant_sku(integration, which), int(units))
    shipment = shipment_at_amazon(marketplace, session, shipment_id)
    marketplace.run(smartconnect.take(integration, shipment), session)
    return ForwardOrder(shipment_id, shipment_at_amazon(marketplace, session, shipment_id))


@given(parsers.parse("a shipped order for {units:d} unit of the {which} SKU"))
def shipped_order(marketplace: Marketplace, session: Session, seller: Seller, integration: smartconnect.Integration,
                  shipped_orders: list[str], units: int, which: str) -> None:
    shipment_id = place(marketplace, session, seller, integration, merchant_sku(integration, f"the {which}"), units)
    shipment = shipment_at_amazon(marketplace, session, shipment_id)
    marketplace.run(seller_flex.confirm(shipment_id), session)
    assert marketplace.run(seller_flex.ship(shipment, seller_flex.recommended_dimensions(shipment)), session)["ok"]
    shipped_orders.append(shipment_id)


# routing (F003-1/6)
@when("the integration routes new orders and its warehouse ships what it must", target_fixture="routed")
def route(marketplace: Marketplace, session: Session, integration: smartconnect.Integration) -> dict[str, str]:
    routed: dict[str, str] = marketplace.run(smartconnect.route_new_orders(
        integration, marketplace.started - timedelta(days=1)), session)
    return routed


@then(parsers.parse("the integration routed the order as {program}"))
def routed_as(routed: dict[str, str], program: str) -> None:
    assert list(routed.values()) == [program]


def amazon_order(marketplace: Marketplace, session: Session, order_id: str) -> dict[str, Any]:
    answer = marketplace.call("orders_2026-01-01.getOrder", session, path={"orderId": order_id},
                              query={"includedData": ["PACKAGES"]})
    order: dict[str, Any] = answer.body["order"]
    return order


RECORDS = ("it untouched by the integration", "it SHIPPED from the site with Amazon's label",
           "it Shipped with the warehouse's own tracking", "it packed and waiting for Amazon's pickup")


@then(parsers.re(r"Amazon's record of the order shows (?P<record>.+)$"))
def record_shows(marketplace: Marketplace, session: Session, routed: dict[str, str], record: str) -> None:
    """One of: it untouched by the integration (FBA: no call named it, Amazon still ships it), it SHIPPED from the
    site with Amazon's label (seller-flex), it Shipped with the warehouse's own tracking (self-ship), it packed and
    waiting for Amazon's pickup (Easy Ship: PendingPickUp, no tracking from the seller)."""
    assert record in RECORDS, f"unknown record {record!r}; known: {RECORDS}"
    [order_id] = routed
    if record == RECORDS[1]:
        shipment = shipment_at_amazon(marketplace, session, order_id)
        assert shipment["status"] == "SHIPPED" and shipment["locationId"] == "BLR1"
        return
    v0 = marketplace.call("ordersV0.getOrder", session, path={"orderId": order_id}).body["payload"]
    order = amazon_order(marketplace, session, order_id)
    if record == RECORDS[0]:
        assert v0["OrderStatus"] == "Unshipped" and v0["FulfillmentChannel"] == "AFN"
        assert not [e for e in marketplace.traffic() if order_id in e["path"] and e["operation"] != "getOrder"
                    and e["operation"] != "lwa.token"]
    elif record == RECORDS[2]:
        assert v0["OrderStatus"] == "Shipped" and [p["trackingNumber"] for p in order["packages"]] == \
            [f"DEL1-{order_id}-1"]
    else:
        assert v0["OrderStatus"] == "Unshipped" and v0["EasyShipShipmentStatus"] == "PendingPickUp"
        assert order.get("packages", []) == []


@then(parsers.parse('Amazon holds the self-ship order as Shipped in 2 packages: {a:d} units from "{first}" and {b:d} '
                    'from "{second}"'))
def split_shipped(marketplace: Marketplace, session: Session, order_id: str, a: int, first: str, b: int,
                  second: str) -> None:
    order = amazon_order(marketplace, session, order_id)
    assert order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    shipped = {p["trackingNumber"].split("-")[0]: sum(i["quantity"] for i in p["packageItems"])
               for p in order["packages"]}
    assert shipped == {first: a, second: b}


@then(parsers.parse('Amazon holds the seller-flex order as SHIPPED, packed whole at "{location}"'))
def flex_whole(marketplace: Marketplace, session: Session, order: ForwardOrder, location: str) -> None:
    shipment = shipment_at_amazon(marketplace, session, order.shipment_id)
    assert shipment["status"] == "SHIPPED" and shipment["locationId"] == location
    assert len(shipment["packages"]) == shipment["shipmentInfo"]["numberOfUnits"]
    assert {p["status"] for p in shipment["packages"]} == {"SHIPPED"}


@then("splitting a seller-flex order is refused")
def no_split(integration: smartconnect.Integration) -> None:
    with pytest.raises(ValueError, match="only SELF_SHIP"):
        routing.split_across_locations([("SF-000", 1)], {"BLR1": {"SF-000": 5}, "DEL1": {"SF-000": 5}},
                                       "SELLER_FLEX")


# inventory (F003-2/3)
@when("the integration pushes the warehouse quantity of every SKU", target_fixture="pushed")
def push_every(marketplace: Marketplace, session: Session,
               integration: smartconnect.Integration) -> list[seller_flex.PushResult]:
    return [push(marketplace, session, integration, sku) for sku in integration.mappings]


@then("each SKU went in a call of its own, no faster than 6 calls a second")
def one_per_call(marketplace: Marketplace, integration: smartconnect.Integration) -> None:
    calls = marketplace.traffic(operation="batchInventory")
    assert len(calls) == len(integration.mappings) and all(e["status"] == 207 for e in calls)
    times = [journal_time(e).timestamp() for e in calls]
    assert all(b - a >= 1 / 6 - 1e-5 for a, b in zip(times, times[1:]))


@then(parsers.parse('Amazon holds sequence number 1 for each SKU at "{location}"'))
def sequence_one(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
                 pushed: list[seller_flex.PushResult], location: str) -> None:
    assert all(at_amazon(marketplace, session, sku, location)["clientSequenceNumber"] == 1
               for sku in integration.mappings)
    assert all(result.accepted and result.sequence == 1 for result in pushed)


@when(parsers.parse("the warehouse quantity of the first SKU changes to {units:d} and the integration pushes it"),
      target_fixture="last_push")
def change_and_push(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
                    units: int) -> seller_flex.PushResult:
    sku = merchant_sku(integration, "the first")
    client = integration.client_sku(sku)
    integration.warehouse.adjust(client, units - integration.warehouse.stock[client])
    return push(marketplace, session, integration, sku)


@then(parsers.parse('Amazon holds sequence number {sequence:d} and {units:d} sellable units of the first SKU at '
                    '"{location}"'))
def holds_sequence(marketplace: Marketplace, session: Session, integration: smartconnect.Integration, sequence: int,
                   units: int, location: str) -> None:
    held = at_amazon(marketplace, session, merchant_sku(integration, "the first"), location)
    assert (held["clientSequenceNumber"], held["sellableQuantity"]) == (sequence, units)


@given(parsers.parse("Amazon accepted sequence number {sequence:d} for the first SKU with {units:d} units"))
def accepted_number(marketplace: Marketplace, session: Session, integration: smartconnect.Integration, sequence: int,
                    units: int) -> None:
    answer = marketplace.call(INVENTORY, session, body={"requests": [update(merchant_sku(integration, "the first"),
                                                                             units, sequence,
                                                                             integration.location)]})
    assert answer.body["responses"][0]["status"]["statusCode"] == 200


@when(parsers.parse("an update with sequence number {sequence:d} and {units:d} unit is sent for it"),
      target_fixture="answer")
def stale_update(marketplace: Marketplace, session: Session, integration: smartconnect.Integration, sequence: int,
                 units: int) -> Response:
    request = Request(INVENTORY, body={"requests": [update(merchant_sku(integration, "the first"), units, sequence,
                                                           integration.location)]})
    answer: Response = marketplace.run(one_request(request), session)
    return answer


@then("it is rejected as a stale sequence number")
def rejected_stale(answer: Response) -> None:
    result = answer.body["responses"][0]
    assert result["status"]["statusCode"] == 400
    assert result["body"]["actionableErrors"][0]["errorType"] == "STALE_SEQUENCE_NUMBER"


@given("the integration keeps its sequence numbers in a file", target_fixture="book_path")
def book_file(tmp_path: Path) -> str:
    return str(tmp_path / "sequences")


@when("the integration pushes the first SKU, restarts, and pushes it again", target_fixture="last_push")
def push_restart_push(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
                      book_path: str) -> seller_flex.PushResult:
    sku = merchant_sku(integration, "the first")
    with shelve.open(book_path) as numbers:
        integration.book = seller_flex.SequenceBook(numbers)
        push(marketplace, session, integration, sku)
    with shelve.open(book_path) as numbers:  # a new process: only the file remembers
        integration.book = seller_flex.SequenceBook(numbers)
        return push(marketplace, session, integration, sku)


@then("the second push carried sequence number 2 and was accepted without a stale retry")
def after_restart(last_push: seller_flex.PushResult) -> None:
    assert last_push.accepted and last_push.sequence == 2 and not last_push.stale_recovered


@given(parsers.parse('another system pushed the first SKU at "{location}" up to sequence number {sequence:d}'),
       target_fixture="handed")
def other_system(marketplace: Marketplace, session: Session, integration: smartconnect.Integration, location: str,
                 sequence: int) -> dict[str, int]:
    """The previous integrator's last push, sequence number `sequence`; what the client can share."""
    sku = merchant_sku(integration, "the first")
    answer = marketplace.call(INVENTORY, session, body={"requests": [update(sku, 3, sequence, location)]})
    assert answer.body["responses"][0]["status"]["statusCode"] == 200
    return {sku: sequence}


@given(parsers.re(r'the client (?P<shares>shares|does not share) the latest sequence numbers at "(?P<location>\w+)"$'))
def share_numbers(integration: smartconnect.Integration, handed: dict[str, int], shares: str, location: str) -> None:
    if shares == "shares":
        integration.book.hand_over(location, handed)


@when("the integration pushes the first SKU", target_fixture="last_push")
def push_first(marketplace: Marketplace, session: Session,
               integration: smartconnect.Integration) -> seller_flex.PushResult:
    return push(marketplace, session, integration, merchant_sku(integration, "the first"))


@then(parsers.re(r"the push (?P<went>in one call, with no stale number|stale first, and was recovered with a "
                 r"fetch)$"))
def push_went(marketplace: Marketplace, last_push: seller_flex.PushResult, went: str) -> None:
    """From the journal: the other system's one call, then the integration's one call, or three (the stale
    update, the fetch, the update again)."""
    stale = went.startswith("stale")
    assert last_push.accepted and last_push.stale_recovered == stale
    assert len(marketplace.traffic(operation="batchInventory")) == (4 if stale else 2)


@given(parsers.parse("{count:d} more mapped SKUs with random warehouse quantities"))
def many_skus(marketplace: Marketplace, seller: Seller, integration: smartconnect.Integration, count: int) -> None:
    rng = random.Random(9)
    for n in range(count):
        mapping = map_at_amazon(marketplace, seller, f"BULK-{n:04d}", f"EANB{n:05d}")
        integration.map_listing(smartconnect.ListingMapping(mapping["client_sku"], mapping["asin"],
                                                            mapping["merchant_sku"]))
        integration.warehouse.receive(mapping["client_sku"], rng.randint(0, 80))


@then("every SKU's sellable quantity at Amazon equals the warehouse's")
def all_equal(marketplace: Marketplace, session: Session, integration: smartconnect.Integration) -> None:
    skus = list(integration.mappings)
    held = {}
    for start in range(0, len(skus), 10):
        answer = marketplace.call(INVENTORY, session, body={"requests": [fetch(sku, integration.location)
                                                                         for sku in skus[start:start + 10]]})
        held.update({r["body"]["skuId"]: r["body"]["sellableQuantity"] for r in answer.body["responses"]})
    assert held == {sku: integration.warehouse.free(integration.client_sku(sku)) for sku in skus}


@then("no stale sequence number was sent and no call was throttled")
def clean_push(marketplace: Marketplace, pushed: list[seller_flex.PushResult]) -> None:
    assert all(r.accepted and not r.stale_recovered for r in pushed)
    assert not any(e["throttled"] for e in marketplace.traffic(operation="batchInventory"))


# onboarding
@when("the integration builds the consent URL for the seller", target_fixture="consent")
def build_consent(seller: Seller) -> str:
    return smartconnect.consent_url(seller.client_id, "https://integrator.example/amazon/callback", "state-1")


@then("it asks for the scopes smartconnect::inventories and smartconnect::orders, for a code sent to its redirect")
def consent_scopes(consent: str) -> None:
    query = parse_qs(urlparse(consent).query)
    assert query["scope"] == ["smartconnect::inventories smartconnect::orders"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["https://integrator.example/amazon/callback"]


@when(parsers.parse('the seller consents and the integration exchanges the code for the merchant ID and '
                    '"{location}"'), target_fixture="channel")
def consents(marketplace: Marketplace, seller: Seller, location: str) -> smartconnect.Channel:
    """The seller consents in Seller Central; Amazon's redirect carries the code and the selling partner ID
    (the merchant ID), which the integration exchanges and keeps with the location code."""
    redirect = marketplace.control.post(f"/_testbed/sellers/{seller.seller_id}/authorize").json
    channel: smartconnect.Channel = marketplace.run_plain(smartconnect.connect(
        redirect["selling_partner_id"], location, seller.client_id, seller.client_secret,
        redirect["spapi_oauth_code"]))
    return channel


@then(parsers.parse('the channel holds the refresh token, the merchant ID and the location code "{location}"'))
def channel_holds(seller: Seller, channel: smartconnect.Channel, location: str) -> None:
    assert (channel.refresh_token, channel.merchant_id, channel.location) == (seller.refresh_token,
                                                                              seller.seller_id, location)


@then(parsers.parse('with it the integration pushes the first SKU and lists the orders at "{location}"'))
def channel_works(marketplace: Marketplace, integration: smartconnect.Integration, channel: smartconnect.Channel,
                  location: str) -> None:
    connected = smartconnect.pace(marketplace.session_for(channel.client_id, channel.client_secret,
                                                          channel.refresh_token), marketplace.clock)
    assert push(marketplace, connected, integration, merchant_sku(integration, "the first")).accepted
    assert marketplace.run(seller_flex.accepted_orders(location), connected) == []


@then("Amazon's journal shows the code exchanged once")
def code_exchanged(marketplace: Marketplace) -> None:
    grants = [marketplace.traffic_entry(e["id"])["request"]["text"] for e in marketplace.traffic(operation="lwa.token")]
    assert sum("grant_type=authorization_code" in (text or "") for text in grants) == 1


# forward orders (F003-4/5/11)
def _subscribe(marketplace: Marketplace, session: Session, notification_type: str) -> None:

    def subscribe() -> Workflow:
        destinations = yield Request("notifications.getDestinations")
        if destinations.body["payload"]:
            destination = destinations.body["payload"][0]["destinationId"]
        else:
            created = yield Request("notifications.createDestination", body={
                "name": "integration", "resourceSpecification": {"sqs": {"arn": QUEUE}}})
            destination = created.body["payload"]["destinationId"]
        answer = yield Request("notifications.createSubscription", path={"notificationType": notification_type},
                               body={"payloadVersion": "1.0", "destinationId": destination})
        assert answer.ok, answer
    marketplace.run(subscribe(), session)


@given("the integration subscribes to shipment notifications")
def subscribe_shipments(marketplace: Marketplace, session: Session) -> None:
    _subscribe(marketplace, session, smartconnect.SHIPMENT_EVENT)


@given("the integration subscribes to return notifications")
def subscribe_returns(marketplace: Marketplace, session: Session) -> None:
    _subscribe(marketplace, session, returns.RETURN_EVENT)


@given("the integration processes its saved notifications", target_fixture="handled")
@when("the integration processes its saved notifications", target_fixture="handled")
def process_notifications(marketplace: Marketplace, session: Session, seller: Seller,
                          integration: smartconnect.Integration) -> list[str]:
    """The integration's queue read (the notifications Amazon delivered to it; live, with boto3 from the mock's
    SQS), each saved, then processed: the order or return it names pulled and followed."""
    smartconnect.save(integration, marketplace.notifications(seller, QUEUE))
    handled: list[str] = marketplace.run(smartconnect.process_inbox(integration), session)
    return handled


@then(parsers.parse("it took the order at ACCEPTED, with {units:d} units of the first client SKU allocated in the "
                    "warehouse"))
def took(integration: smartconnect.Integration, order: ForwardOrder, handled: list[str], units: int) -> None:
    assert f"{order.shipment_id}: ACCEPTED" in handled
    taken = integration.orders[order.shipment_id]
    client = integration.client_sku(merchant_sku(integration, "the first"))
    assert taken.lines == [(client, units)] and integration.warehouse.allocated[client] == units
    assert [step.trigger for step in taken.history] == ["import_order", "acknowledge"]


@then(parsers.re(r"Amazon holds the order as (?P<status>CONFIRMED|SHIPPED)$"))
def order_status(marketplace: Marketplace, session: Session, order: ForwardOrder, status: str) -> None:
    assert shipment_at_amazon(marketplace, session, order.shipment_id)["status"] == status


@then("a second confirmation is refused because the order is already CONFIRMED")
def second_confirm(marketplace: Marketplace, session: Session, order: ForwardOrder) -> None:
    assert marketplace.run(seller_flex.confirm(order.shipment_id), session) == "already_confirmed"


@given(parsers.re(r"a previous integrator still connected to the seller, with auto-confirm (?P<setting>on|off)$"),
       target_fixture="previous_confirms")
def previous_integrator(setting: str) -> bool:
    return setting == "on"


@when("the previous integrator takes its new orders")
def previous_takes(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
                   previous_confirms: bool) -> None:
    """Another integrator, on its own tokens: it lists the new orders and, with auto-confirm on, confirms them."""
    def previous() -> Workflow:
        for shipment in (yield from seller_flex.accepted_orders(integration.location)):
            if previous_confirms:
                yield from seller_flex.confirm(shipment["id"])
    marketplace.read(previous(), session)


@when("the integration takes new orders at ACCEPTED")
def takes_new(marketplace: Marketplace, session: Session, integration: smartconnect.Integration) -> None:
    marketplace.run(smartconnect.take_new_orders(integration), session)


@then(parsers.parse("the integration holds {count:d} of them"))
def holds(integration: smartconnect.Integration, placed: list[str], count: int) -> None:
    assert len([shipment_id for shipment_id in placed if shipment_id in integration.orders]) == count


@then(parsers.parse("Amazon holds the {count:d} orders as {status}"))
def placed_status(marketplace: Marketplace, session: Session, placed: list[str], count: int, status: str) -> None:
    assert [shipment_at_amazon(marketplace, session, s)["status"] for s in placed] == [status] * count


@when("the customer cancels it")
def customer_cancels(marketplace: Marketplace, seller: Seller, order: ForwardOrder) -> None:
    answer = marketplace.control.post(f"/_testbed/external-fulfillment/shipments/{order.shipment_id}/cancel",
                                      json={"seller_id": seller.seller_id})
    assert answer.status_code == 200, answer.json


@then(parsers.parse("the integration's order is cancelled and the warehouse released the {units:d} units"))
def integration_cancelled(integration: smartconnect.Integration, order: ForwardOrder, handled: list[str],
                          units: int) -> None:
    assert f"{order.shipment_id}: CANCELLED" in handled
    taken = integration.orders[order.shipment_id]
    assert taken.status == "canceled" and [s.trigger for s in taken.history][-1] == "cancel"
    client = integration.client_sku(merchant_sku(integration, "the first"))
    assert integration.warehouse.allocated[client] == 0 and integration.warehouse.free(client) == 10


@then(parsers.parse("Amazon holds the order as CANCELLED by the marketplace, its {units:d} reserved units released"))
def amazon_cancelled(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
                     order: ForwardOrder, units: int) -> None:
    shipment = shipment_at_amazon(marketplace, session, order.shipment_id)
    assert shipment["status"] == "CANCELLED"
    assert shipment["lineItems"][0]["cancellations"][0]["cancellationType"] == "MARKETPLACE_CANCELLED"
    assert shipment["lineItems"][0]["cancellations"][0]["cancelledQuantity"] == units
    assert at_amazon(marketplace, session, merchant_sku(integration, "the first"),
                     integration.location)["reservedQuantity"] == 0


@then("the customer's cancellation is refused naming SHIPLABEL_GENERATED")
def refused_after_label(marketplace: Marketplace, seller: Seller, order: ForwardOrder) -> None:
    refused = marketplace.control.post(f"/_testbed/external-fulfillment/shipments/{order.shipment_id}/cancel",
                                       json={"seller_id": seller.seller_id})
    assert refused.status_code == 409 and "SHIPLABEL_GENERATED" in refused.json["errors"][0]["message"]


@when("the integration rejects it as out of stock")
def reject(marketplace: Marketplace, session: Session, order: ForwardOrder) -> None:
    assert marketplace.run(seller_flex.reject(order.shipment_id, order.shipment["lineItems"]), session).ok


@then("the order is CANCELLED as SELLER_REJECTED")
def seller_rejected(marketplace: Marketplace, session: Session, order: ForwardOrder) -> None:
    shipment = shipment_at_amazon(marketplace, session, order.shipment_id)
    assert shipment["status"] == "CANCELLED"
    assert shipment["lineItems"][0]["cancellations"][0]["cancellationType"] == "SELLER_REJECTED"


# shipping (F003-7/8/9)
@when("the integration packs it without a height", target_fixture="packing")
def pack_without_height(marketplace: Marketplace, session: Session, order: ForwardOrder) -> dict[str, Any]:
    shipment = order.shipment
    request = Request(f"{SHIP}.createPackages", path={"shipmentId": order.shipment_id}, body={"packages": [
        {**package, "dimensions": {k: v for k, v in package["dimensions"].items() if k != "height"}}
        for package in seller_flex.packages_for(shipment, {shipment["lineItems"][0]["merchantSku"]: DIMENSIONS})]})
    return {"ok": False, "step": "createPackages", "response": marketplace.run(one_request(request), session)}


@then("packing fails naming the missing height")
def fails_height(packing: dict[str, Any]) -> None:
    response = packing["response"]
    assert response.status == 400 and response.body["errors"][0]["details"].endswith("dimensions.height")


@when("the integration packs it with the listing's dimensions, gets the invoice and the label, and hands it over",
      target_fixture="shipping")
def ship_it(marketplace: Marketplace, session: Session, order: ForwardOrder) -> dict[str, Any]:
    sku = order.shipment["lineItems"][0]["merchantSku"]
    shipping: dict[str, Any] = marketplace.run(seller_flex.ship(order.shipment, {sku: DIMENSIONS}), session)
    return shipping


@then("the order is SHIPPED with a tracking ID")
def shipped(marketplace: Marketplace, session: Session, order: ForwardOrder, shipping: dict[str, Any]) -> None:
    assert shipping["ok"] and shipping["tracking"]
    assert shipment_at_amazon(marketplace, session, order.shipment_id)["status"] == "SHIPPED"


@when("the integration packs it with Amazon's recommended package", target_fixture="packing")
def pack_recommended(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
                     order: ForwardOrder) -> dict[str, Any]:
    """The order read again, and packed as Amazon recommends (or, with capture on, as the packer measured)."""
    shipment = shipment_at_amazon(marketplace, session, order.shipment_id)
    packing: dict[str, Any] = marketplace.run(seller_flex.pack(shipment, smartconnect.dimensions_for(
        integration, shipment)), session)
    if packing["ok"]:
        integration.packages[order.shipment_id] = packing["packages"]
    return packing


@when(parsers.parse("the warehouse re-weighs the package at {kilograms:f} kg and the integration updates the order's "
                    "package at Amazon"))
def reweigh(marketplace: Marketplace, session: Session, integration: smartconnect.Integration, order: ForwardOrder,
            kilograms: float) -> None:
    [package] = integration.packages[order.shipment_id]
    answer = marketplace.run(seller_flex.update_package(order.shipment_id, package,
                                                        {**DIMENSIONS, "weight": kilograms}), session)
    assert answer.ok, answer


def package_at_amazon(marketplace: Marketplace, session: Session, order: ForwardOrder) -> dict[str, Any]:
    [package] = shipment_at_amazon(marketplace, session, order.shipment_id)["packages"]
    return package


@then(parsers.parse("Amazon holds the order's package weighing {kilograms:f} kg"))
def weighs(marketplace: Marketplace, session: Session, order: ForwardOrder, kilograms: float) -> None:
    assert float(package_at_amazon(marketplace, session, order)["weight"]["value"]) == kilograms


@when("the integration gets the invoice and the label, and hands it over", target_fixture="shipping")
def label_and_hand_over(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
                        order: ForwardOrder) -> dict[str, Any]:
    labelled: dict[str, Any] = marketplace.run(seller_flex.label(order.shipment_id,
                                                                 integration.packages[order.shipment_id]), session)
    handed = marketplace.run(seller_flex.hand_over(order.shipment_id, [p["id"] for p in
                                                                       integration.packages[order.shipment_id]]),
                             session)
    return {**labelled, "ok": labelled["ok"] and handed["ok"]}


@when("the integration gets the invoice and the label")
def label_only(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
               order: ForwardOrder) -> None:
    assert marketplace.run(seller_flex.label(order.shipment_id, integration.packages[order.shipment_id]),
                           session)["ok"]


@when("the integration packs it 50% longer than the listing says", target_fixture="shipping")
def pack_longer(marketplace: Marketplace, session: Session, order: ForwardOrder) -> dict[str, Any]:
    longer = {**DIMENSIONS, "length": DIMENSIONS["length"] * 1.5}
    sku = order.shipment["lineItems"][0]["merchantSku"]
    shipping: dict[str, Any] = marketplace.run(seller_flex.ship(order.shipment, {sku: longer}), session)
    return shipping


def listing_active(marketplace: Marketplace, session: Session, seller: Seller, sku: str) -> bool:
    """getListingsItem: BUYABLE in the summaries' status, and no issue."""
    item = listing(marketplace, session, seller, sku)
    return "BUYABLE" in item["summaries"][0]["status"] and not item.get("issues")


@then("packing fails and Amazon shows the listing inactive")
def inactive(marketplace: Marketplace, session: Session, seller: Seller, integration: smartconnect.Integration,
             shipping: dict[str, Any]) -> None:
    assert not shipping["ok"] and shipping["step"] == "createPackages" and shipping["response"].status == 422
    assert not listing_active(marketplace, session, seller, merchant_sku(integration, "the first"))


@when("the seller corrects the listing's dimensions")
def correct(marketplace: Marketplace, seller: Seller, integration: smartconnect.Integration) -> None:
    sku = merchant_sku(integration, "the first")
    map_at_amazon(marketplace, seller, sku, integration.client_sku(sku),
                  {**DIMENSIONS, "length": DIMENSIONS["length"] * 1.5})


@then("Amazon shows the listing active again")
def active_again(marketplace: Marketplace, session: Session, seller: Seller,
                 integration: smartconnect.Integration) -> None:
    assert listing_active(marketplace, session, seller, merchant_sku(integration, "the first"))


@given(parsers.parse('a mapped listing "{sku}" without dimensions at Amazon, with {units:d} units pushed from '
                     '"{client}"'))
def listing_without_dimensions(marketplace: Marketplace, session: Session, seller: Seller,
                               integration: smartconnect.Integration, sku: str, units: int, client: str) -> None:
    mapping = map_at_amazon(marketplace, seller, sku, client, dimensions=None)
    integration.map_listing(smartconnect.ListingMapping(client, mapping["asin"], sku))
    integration.warehouse.receive(client, units)
    assert push(marketplace, session, integration, sku).accepted


@then("packing fails naming a dimension of 0")
def fails_zero(packing: dict[str, Any]) -> None:
    response = packing["response"]
    # an empty weight is refused as below SmartConnect's minimum (5 g) before its sign is looked at
    assert not packing["ok"] and response.status == 400 and (
        "must be positive, not 0" in response.error_message or "at least 5 grams" in response.error_message)


@when(parsers.parse('"Capture Packet Dimensions" is on and the packer enters {length:g} x {width:g} x {height:g} cm '
                    'and {kilograms:g} kg for "{client}"'))
def capture(integration: smartconnect.Integration, length: float, width: float, height: float, kilograms: float,
            client: str) -> None:
    integration.capture_dimensions = True
    integration.captured[client] = {"length": length, "width": width, "height": height, "weight": kilograms}


@then(parsers.parse("Amazon holds the order's package measuring {length:g} x {width:g} x {height:g} cm and weighing "
                    "{kilograms:g} kg"))
def measures(marketplace: Marketplace, session: Session, order: ForwardOrder, length: float, width: float,
             height: float, kilograms: float) -> None:
    package = package_at_amazon(marketplace, session, order)
    assert [float(package["dimensions"][k]["value"]) for k in ("length", "width", "height")] == [length, width,
                                                                                                  height]
    assert float(package["weight"]["value"]) == kilograms


@when("the integration packs and labels every order")
def pack_and_label_all(marketplace: Marketplace, session: Session, integration: smartconnect.Integration) -> None:
    for shipment_id in list(integration.orders):
        assert marketplace.run(smartconnect.pack_and_label(integration, shipment_id), session)["ok"]


@when("the integration makes manifests", target_fixture="handover")
def make_manifests(marketplace: Marketplace, integration: smartconnect.Integration) -> Handover:
    calls_before = len(marketplace.traffic())
    return Handover(smartconnect.make_manifests(integration, list(integration.orders)), calls_before)


@then(parsers.parse("there are manifests of {sizes} orders, every labelled order in one of them"))
def manifest_sizes(integration: smartconnect.Integration, handover: Handover, sizes: str) -> None:
    assert [len(m) for m in handover.manifests] == [int(n) for n in sizes.replace(" and ", ", ").split(", ")]
    assert sorted(s for m in handover.manifests for s in m) == sorted(integration.orders)


@then("making them made no call to Amazon")
def no_calls(marketplace: Marketplace, handover: Handover) -> None:
    assert len(marketplace.traffic()) == handover.calls_before


@when("the integration hands over every manifest")
def hand_over_all(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
                  handover: Handover) -> None:
    for manifest in handover.manifests:
        assert marketplace.run(smartconnect.hand_over(integration, manifest), session) == manifest


def shipments_in(marketplace: Marketplace, session: Session, status: str) -> Iterator[dict[str, Any]]:
    """Every shipment Amazon holds in `status`, all pages of getShipments."""
    token = None
    while True:
        query = {"status": status, "maxResults": 100, **({"paginationToken": token} if token else {})}
        body = marketplace.call(f"{SHIP}.getShipments", session, query=query).body
        yield from body["shipments"]
        token = (body.get("pagination") or {}).get("nextToken")
        if not token:
            return


@then(parsers.parse("Amazon holds all {count:d} orders as {status}"))
def all_status(marketplace: Marketplace, session: Session, placed: list[str], count: int, status: str) -> None:
    assert sorted(s["id"] for s in shipments_in(marketplace, session, status)) == sorted(placed)
    assert len(placed) == count


# F003-10
@when(parsers.parse("the integration polls the status of every order for {rounds:d} rounds"))
def poll_all(marketplace: Marketplace, session: Session, integration: smartconnect.Integration, placed: list[str],
             rounds: int) -> None:
    statuses = marketplace.run(smartconnect.poll_statuses(integration, placed, rounds), session)
    assert set(statuses.values()) == {"ACCEPTED"}


def status_polls(marketplace: Marketplace) -> list[dict[str, Any]]:
    return marketplace.traffic(operation="getShipment")


@then(parsers.parse("no second of Amazon's clock saw more than {count:d} of them"))
def pace(marketplace: Marketplace, count: int) -> None:
    """Every one-second window of the journal's (simulated) times, from each call on."""
    times = [journal_time(e).timestamp() for e in status_polls(marketplace)]
    assert times and max(sum(1 for t in times if start <= t < start + 1 - 1e-3) for start in times) <= count


@then(parsers.parse("Amazon's journal shows each order polled every {seconds:d} seconds"))
def cadence(marketplace: Marketplace, placed: list[str], seconds: int) -> None:
    for shipment_id in placed:
        times = [journal_time(e).timestamp() for e in status_polls(marketplace) if e["path"].endswith(shipment_id)]
        assert len(times) > 1 and all(abs(b - a - seconds) < 1e-3 for a, b in zip(times, times[1:])), shipment_id


# F003-12
@when("Amazon places a replacement for it", target_fixture="replacement")
def amazon_replaces(marketplace: Marketplace, session: Session, seller: Seller, integration: smartconnect.Integration,
                    shipped_orders: list[str]) -> str:
    return place(marketplace, session, seller, integration, merchant_sku(integration, "the first"), 1,
                 shipment_type="REPLACEMENT", original_id=shipped_orders[-1])


@then("the integration pulls a REPLACEMENT order worth 0.00 that names the original order")
def pulls_replacement(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
                      shipped_orders: list[str], replacement: str) -> None:
    shipment = next(s for s in marketplace.run(seller_flex.accepted_orders(integration.location), session)
                    if s["id"] == replacement)
    assert shipment["shipmentInfo"]["shipmentType"] == "REPLACEMENT"
    assert shipment["shipmentInfo"]["originalShipmentInfo"]["id"] == shipped_orders[-1]
    assert shipment["charges"][0]["totalCharge"]["netAmount"]["value"] == "0.00"


# F003-13
@when("the customers of both orders open returns", target_fixture="return_ids")
def open_returns(marketplace: Marketplace, seller: Seller, shipped_orders: list[str]) -> list[str]:
    marketplace.settings(ef_return_reject_chance=0.0)
    opened = [marketplace.control.post("/_testbed/external-fulfillment/returns", json={
        "seller_id": seller.seller_id, "shipment_id": shipment_id}) for shipment_id in shipped_orders]
    assert [answer.status_code for answer in opened] == [201] * len(shipped_orders)
    return [answer.json["return_id"] for answer in opened]


@when("the integration syncs return orders")
def sync_returns(marketplace: Marketplace, session: Session, integration: smartconnect.Integration) -> None:
    marketplace.run(returns.sync_returns(integration.return_book, marketplace.clock.now()), session)


@then(parsers.parse("the integration expects {count:d} returns, as Amazon lists them"))
def expects(marketplace: Marketplace, session: Session, integration: smartconnect.Integration, count: int) -> None:
    listed = marketplace.call(f"{RETURNS}.listReturns", session, query={"maxResults": 100}).body["returns"]
    kept = integration.return_book.returns
    assert sorted(kept) == sorted(r["id"] for r in listed) and len(kept) == count
    assert {r.status for r in kept.values()} == {"expected"}


@when("the second order's return is cancelled before pickup")
def cancel_return(marketplace: Marketplace, seller: Seller, return_ids: list[str]) -> None:
    answer = marketplace.control.post(f"/_testbed/external-fulfillment/returns/{return_ids[1]}/cancel",
                                      json={"seller_id": seller.seller_id})
    assert answer.status_code == 200, answer.json


@then("the first return is processed and its unit is back in the warehouse")
def processed(integration: smartconnect.Integration, return_ids: list[str]) -> None:
    kept = integration.return_book.returns[return_ids[0]]
    assert kept.status == "processed" and kept.restocked
    assert integration.warehouse.stock[integration.client_sku(kept.merchant_sku)] == 11


@then("the second return is cancelled")
def cancelled(integration: smartconnect.Integration, return_ids: list[str]) -> None:
    assert integration.return_book.returns[return_ids[1]].status == "cancelled"


@then("each store return moved through its lifecycle to where Amazon's return stands")
def followed(marketplace: Marketplace, session: Session, integration: smartconnect.Integration,
             return_ids: list[str]) -> None:
    table = integration.lifecycles.store_return.table
    for return_id in return_ids:
        kept = integration.return_book.returns[return_id]
        amazon_status = marketplace.call(f"{RETURNS}.getReturn", session, path={"returnId": return_id}).body["status"]
        assert kept.status == returns.STORE_STATE[amazon_status], (return_id, amazon_status)
        assert all(any(step.trigger == row.trigger and step.source in row.sources and step.dest == row.dest
                       for row in table.transitions) for step in kept.history)


# F003-14
@when(parsers.parse('the seller maps client SKU "{client}" to merchant SKU "{merchant}" with ASIN "{asin}"'))
def map_listing(marketplace: Marketplace, seller: Seller, integration: smartconnect.Integration, client: str,
                merchant: str, asin: str) -> None:
    """In the integration (the listing mapping row) and in Seller Central (the listing, with its dimensions)."""
    mapping = map_at_amazon(marketplace, seller, merchant, client, asin=asin)
    integration.map_listing(smartconnect.ListingMapping(client, mapping["asin"], merchant))


@then(parsers.parse('the mapping row is "{client}", "{asin}", "{merchant}" for "{channel}"'))
def mapping_row(integration: smartconnect.Integration, client: str, asin: str, merchant: str, channel: str) -> None:
    assert integration.mappings[merchant] == smartconnect.ListingMapping(client, asin, merchant, channel)


@then(parsers.parse('Amazon lists "{merchant}" with ASIN "{asin}"'))
def listed(marketplace: Marketplace, session: Session, seller: Seller, merchant: str, asin: str) -> None:
    assert listing(marketplace, session, seller, merchant)["summaries"][0]["asin"] == asin


@when(parsers.parse('the warehouse receives {units:d} units of "{client}" and the integration pushes it'))
def receive_and_push(marketplace: Marketplace, session: Session, integration: smartconnect.Integration, units: int,
                     client: str) -> None:
    integration.warehouse.receive(client, units)
    assert push(marketplace, session, integration, integration.merchant_sku(client)).accepted


@then(parsers.parse('Amazon holds {units:d} sellable units of "{sku}" at "{location}"'))
def sellable_at(marketplace: Marketplace, session: Session, units: int, sku: str, location: str) -> None:
    assert at_amazon(marketplace, session, sku, location)["sellableQuantity"] == units


@then(parsers.parse('the warehouse allocated {units:d} unit of "{client}" to it'))
def allocated(integration: smartconnect.Integration, order: ForwardOrder, units: int, client: str) -> None:
    assert integration.orders[order.shipment_id].lines == [(client, units)]
    assert integration.warehouse.allocated[client] == units


# the warehouse ID in the Amazon Fulfilled Shipments report (F003-1/9)
@when("the integration reads the Amazon Fulfilled Shipments report", target_fixture="found")
def read_report(marketplace: Marketplace, session: Session, integration: smartconnect.Integration) -> dict[str, str]:
    _, rows = marketplace.run(reports.fetch_report("GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
                                                   start=marketplace.started - timedelta(days=1), poll_seconds=60,
                                                   marketplace_id=MARKETPLACE_ID), session)
    return smartconnect.smartconnect_orders(rows, [integration.location])


@then(parsers.parse('it finds the shipped order as a SmartConnect order of "{location}", by its warehouse ID'))
def found_shipped(marketplace: Marketplace, session: Session, shipped_orders: list[str], found: dict[str, str],
                  location: str) -> None:
    buyer_order = shipment_at_amazon(marketplace, session, shipped_orders[-1])["shipmentInfo"]["buyerOrderId"]
    assert found == {buyer_order: location}


@then("the accepted order is not in the report: only fulfilled orders are")
def not_found(marketplace: Marketplace, session: Session, other_order: ForwardOrder, found: dict[str, str]) -> None:
    buyer_order = shipment_at_amazon(marketplace, session, other_order.shipment_id)["shipmentInfo"]["buyerOrderId"]
    assert buyer_order not in found
