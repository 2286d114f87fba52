"""Steps that speak of Amazon, written once for every feature: sellers and their catalogue, orders buyers place,
stock at Amazon, Amazon's timings and troubles, the clock, and what Amazon's records show afterwards.

Every step reaches the mock only through its control API, SP-API calls and the traffic journal, so each runs
in-process and against a live mock alike. State passes as fixtures: `seller`, `catalog`, `session` (conftest.py),
`order_id` (the order a buyer placed last) and `amazon_orders` (every order placed in the scenario).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pytest_bdd import given, parsers, then, when

from model.workflows.session import Session
from tests.bdd.marketplace import MARKETPLACE_ID, AmazonOrder, Catalog, Marketplace, Seller

ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400}
NUMBERS = {"no": 0, "one": 1, "two": 2, "three": 3}


def number(text: str) -> int:
    """A count as a scenario writes it: 3, or one of no, one, two, three."""
    return NUMBERS[text] if text in NUMBERS else int(text)


def fulfillment_orders(marketplace: Marketplace, session: Session) -> list[dict]:
    """Every multi-channel fulfillment order Amazon holds for the seller, as listAllFulfillmentOrders lists it."""
    since = (marketplace.started - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    found: list[dict] = []
    token = None
    while True:
        query = {"nextToken": token} if token else {"queryStartDate": since}
        answer = marketplace.call("fulfillmentOutbound_2020-07-01.listAllFulfillmentOrders", session, query=query)
        assert answer.ok, answer
        found += answer.body["payload"]["fulfillmentOrders"]
        token = answer.body["payload"].get("nextToken")
        if not token:
            return found


def listing(marketplace: Marketplace, session: Session, seller: Seller, sku: str) -> dict:
    """The listing as getListingsItem answers it, with its attributes, offers' availability and summaries."""
    answer = marketplace.call("listingsItems_2021-08-01.getListingsItem", session,
                              path={"sellerId": seller.seller_id, "sku": sku},
                              query={"marketplaceIds": MARKETPLACE_ID,
                                     "includedData": ["summaries", "attributes", "fulfillmentAvailability"]})
    assert answer.ok, answer
    body: dict = answer.body
    return body


def amazon_quantity(marketplace: Marketplace, session: Session, seller: Seller, sku: str) -> int:
    """The merchant-fulfilled quantity Amazon lists for `sku`."""
    quantity: int = listing(marketplace, session, seller, sku)["fulfillmentAvailability"][0]["quantity"]
    return quantity


# sellers and their catalogue
@given("a seller connected with a refresh token")
def connected_seller(seller: Seller) -> None:
    """A new seller on Amazon whose refresh token the integration holds (the `seller` and `session` fixtures)."""


@given("the seller's catalog has FBA and merchant-fulfilled listings")
def seeded_catalog(catalog: Catalog) -> None:
    """Seeds `catalog_size` listings (12 unless a feature says otherwise): FBA ones with stock in Amazon's
    fulfilment centres, and merchant-fulfilled ones."""


@given("two sellers on Amazon", target_fixture="sellers")
def two_sellers(marketplace: Marketplace, catalog_size: int) -> list[tuple[Seller, Catalog]]:
    """Two sellers, each with a seeded catalog; handed on as `sellers`."""
    sellers = []
    for _ in range(2):
        seller = marketplace.new_seller()
        sellers.append((seller, marketplace.seed(seller, skus=catalog_size)))
    return sellers


# orders buyers place on Amazon
ORDER = (r"(?P<units>\d+) units? of (?P<kind>an FBA|a merchant-fulfilled) SKU"
         r"(?: with (?P<method>Standard|Expedited|Priority) shipping)?")


def _place(marketplace: Marketplace, seller: Seller, catalog: Catalog, amazon_orders: list[AmazonOrder],
           units: str, kind: str, method: str | None, **extra: object) -> str:
    channel = "AFN" if kind == "an FBA" else "MFN"
    sku = catalog.fba_skus[0] if channel == "AFN" else catalog.mfn_skus[0]
    order_id = marketplace.place_order(seller, channel, sku, int(units), shipment_category=method or "Standard",
                                       **extra)
    amazon_orders.append(AmazonOrder(order_id, sku, int(units), channel, method or "Standard"))
    return order_id


@given(parsers.re(r"a buyer orders " + ORDER + "$"), target_fixture="order_id")
@when(parsers.re(r"a buyer orders " + ORDER + "$"), target_fixture="order_id")
def buyer_orders(marketplace: Marketplace, seller: Seller, catalog: Catalog, amazon_orders: list[AmazonOrder],
                 units: str, kind: str, method: str | None) -> str:
    """A buyer orders on Amazon: the first FBA SKU (Amazon has stock of every seeded one) or the first
    merchant-fulfilled SKU, with Standard shipping unless named. The order is Pending until Amazon has verified the
    payment; its ID is handed on as `order_id`."""
    return _place(marketplace, seller, catalog, amazon_orders, units, kind, method)


@given(parsers.re(r"a buyer orders " + ORDER + " with Easy Ship$"), target_fixture="order_id")
def buyer_orders_easy_ship(marketplace: Marketplace, seller: Seller, catalog: Catalog,
                           amazon_orders: list[AmazonOrder], units: str, kind: str, method: str | None) -> str:
    """As above, a merchant-fulfilled order that Amazon collects from the seller (Easy Ship)."""
    return _place(marketplace, seller, catalog, amazon_orders, units, kind, method, easy_ship=True)


@given(parsers.re(r"(?P<count>\d+) buyers each order " + ORDER + "$"), target_fixture="order_id")
def buyers_order(marketplace: Marketplace, seller: Seller, catalog: Catalog, amazon_orders: list[AmazonOrder],
                 count: str, units: str, kind: str, method: str | None) -> str:
    """Several buyers order the same; the last order's ID is handed on as `order_id`."""
    return [_place(marketplace, seller, catalog, amazon_orders, units, kind, method) for _ in range(int(count))][-1]


@given("Amazon has verified the payment")
@when("Amazon has verified the payment")
def verified(marketplace: Marketplace) -> None:
    """Amazon's verification time passes: Pending orders become Unshipped (Amazon-fulfilled ones start their way
    through Amazon's fulfilment centre)."""
    marketplace.advance(marketplace.settings()["verification_seconds"])


@when("Amazon ships the FBA order")
def amazon_ships_fba(marketplace: Marketplace) -> None:
    """Amazon's shipping time for Amazon-fulfilled orders passes: verified FBA orders become Shipped."""
    marketplace.advance(marketplace.settings()["afn_ship_seconds"])


def _mcf_seconds(marketplace: Marketplace, *phases: str) -> float:
    settings = marketplace.settings()
    return sum(settings[f"mcf_{phase}_seconds"] for phase in phases) + 1


@when("Amazon ships the multi-channel orders")
def amazon_ships_mcf(marketplace: Marketplace) -> None:
    """Multi-channel fulfillment orders go through planning and processing and ship (or come back
    Unfulfillable, when Amazon cannot fulfil them)."""
    marketplace.advance(_mcf_seconds(marketplace, "planning", "processing", "ship"))


@when("Amazon plans the multi-channel orders")
def amazon_plans_mcf(marketplace: Marketplace) -> None:
    """Multi-channel fulfillment orders are planned: Amazon accepts them or finds it cannot fulfil them."""
    marketplace.advance(_mcf_seconds(marketplace, "planning"))


# the clock
@given(parsers.re(r"(?P<amount>\d+|one|two|three) (?P<unit>second|minute|hour|day)s? pass(?:es)?$"))
@when(parsers.re(r"(?P<amount>\d+|one|two|three) (?P<unit>second|minute|hour|day)s? pass(?:es)?$"))
def time_passes(marketplace: Marketplace, amount: str, unit: str) -> None:
    """Amazon's clock moves on, and everything Amazon had scheduled up to then happens, in order."""
    marketplace.advance(number(amount) * UNIT_SECONDS[unit])


@given(parsers.re(r"it is (?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) "
                  r"(?P<hour>\d\d):(?P<minute>\d\d) in (?P<zone>[A-Za-z_]+/[A-Za-z_]+)$"))
@when(parsers.re(r"it is (?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) "
                 r"(?P<hour>\d\d):(?P<minute>\d\d) in (?P<zone>[A-Za-z_]+/[A-Za-z_]+)$"))
def it_is(marketplace: Marketplace, weekday: str, hour: str, minute: str, zone: str) -> None:
    """Amazon's clock moves on to the next such local time (today's, if it is still ahead)."""
    local = marketplace.clock.now().astimezone(ZoneInfo(zone))
    target = local.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
    target += timedelta(days=(WEEKDAYS.index(weekday) - target.weekday()) % 7)
    if target < local:
        target += timedelta(days=7)
    marketplace.advance_to(target.astimezone(timezone.utc))


# Amazon's timings and troubles
@given(parsers.parse("Amazon fails the next {count:d} {operation} calls with {status:d}"))
def failing(marketplace: Marketplace, count: int, operation: str, status: int) -> None:
    """A fault rule: the next `count` calls of the operation answer `status` (e.g. 503) in Amazon's error shape.
    Replaces any earlier fault rules."""
    answer = marketplace.control.put("/_testbed/faults", json={"faults": [{"operation": operation, "status": status,
                                                                           "count": count}]})
    assert answer.status_code == 200, answer.json


@given(parsers.parse("Amazon allows {operation} one call every {seconds:d} seconds"))
def throttling(marketplace: Marketplace, operation: str, seconds: int) -> None:
    """The operation's usage plan becomes a rate of one call per `seconds`, with a burst of one: a client that
    does not wait gets 429. Replaces any earlier overrides of Amazon's limits."""
    answer = marketplace.control.put("/_testbed/rate-limits", json={"limits": {operation: {
        "rate": 1 / seconds, "burst": 1}}})
    assert answer.status_code == 200, answer.json


@given(parsers.parse("Amazon takes {hours:d} hours to process reports"))
def slow_reports(marketplace: Marketplace, hours: int) -> None:
    """Reports stay IN_PROGRESS that long after they leave the queue."""
    marketplace.settings(report_processing_seconds=hours * 3600)


@given("Amazon cannot fulfil multi-channel orders")
def unfulfillable(marketplace: Marketplace) -> None:
    """Every multi-channel fulfillment order comes back Unfulfillable from planning."""
    marketplace.settings(mcf_unfulfillable_chance=1)


@given(parsers.re(r"Amazon ships each multi-channel order in (?P<shipments>one|two) shipments?$"))
def mcf_shipments(marketplace: Marketplace, shipments: str) -> None:
    """Whether Amazon splits a multi-channel order into two shipments (a partial shipment each)."""
    marketplace.settings(mcf_split_chance=1.0 if shipments == "two" else 0.0)


@when("the seller cancels the multi-channel orders at Amazon, as the customer asked")
def cancel_mcf(marketplace: Marketplace, session: Session) -> None:
    """In Seller Central (cancelFulfillmentOrder, as the seller): every multi-channel order not yet shipped is
    cancelled."""
    for order in fulfillment_orders(marketplace, session):
        if order["fulfillmentOrderStatus"] in ("New", "Received", "Planning"):
            answer = marketplace.call("fulfillmentOutbound_2020-07-01.cancelFulfillmentOrder", session,
                                      path={"sellerFulfillmentOrderId": order["sellerFulfillmentOrderId"]})
            assert answer.ok, answer


@when("Amazon revokes the seller's access tokens")
def revoke(marketplace: Marketplace, seller: Seller) -> None:
    """Every access token of the seller stops working at once; the refresh token stays good."""
    assert marketplace.control.post(f"/_testbed/sellers/{seller.seller_id}/revoke").status_code == 200


# stock at Amazon
@given("Amazon holds the first FBA SKU as:")
def fba_stock(marketplace: Marketplace, seller: Seller, catalog: Catalog, datatable: list[list[str]]) -> None:
    """The first FBA SKU's stock in Amazon's fulfilment centres becomes exactly the table's, a row per centre:
    | centre | sellable | unsellable |."""
    header, *rows = datatable
    columns = [name.strip() for name in header]
    locations = {row[0]: {name: int(value) for name, value in zip(columns[1:], row[1:])} for row in rows}
    marketplace.set_stock(seller, catalog.fba_skus[0], "AFN", locations)


@given(parsers.parse("the seller lists {units:d} units of the first merchant-fulfilled SKU"))
def merchant_stock(marketplace: Marketplace, seller: Seller, catalog: Catalog, units: int) -> None:
    """Amazon lists that quantity for the merchant-fulfilled SKU."""
    marketplace.set_stock(seller, catalog.mfn_skus[0], "MFN", {"DEFAULT": {"sellable": units}})


# what Amazon's records show
@then(parsers.parse('Amazon holds the order as Shipped with tracking number "{tracking}"'))
def amazon_shipped(marketplace: Marketplace, session: Session, order_id: str, tracking: str) -> None:
    """Asked the way a client asks: the 2026-01-01 getOrder with its packages."""
    answer = marketplace.call("orders_2026-01-01.getOrder", session, path={"orderId": order_id},
                              query={"includedData": ["PACKAGES"]})
    order = answer.body["order"]
    assert order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert [p["trackingNumber"] for p in order["packages"]] == [tracking]


@then(parsers.re(r"Amazon holds (?P<count>no|one|two|three|\d+) multi-channel fulfillment orders?$"))
def mcf_count(marketplace: Marketplace, session: Session, count: str) -> None:
    """listAllFulfillmentOrders lists exactly that many for the seller."""
    assert len(fulfillment_orders(marketplace, session)) == number(count)


@then(parsers.re(r"Amazon holds every multi-channel fulfillment order as (?P<status>[A-Za-z]+)$"))
def mcf_status(marketplace: Marketplace, session: Session, status: str) -> None:
    """listAllFulfillmentOrders lists at least one, all in that FulfillmentOrderStatus."""
    statuses = [o["fulfillmentOrderStatus"] for o in fulfillment_orders(marketplace, session)]
    assert statuses and set(statuses) == {status}, statuses


@then(parsers.parse("Amazon holds exactly one multi-channel fulfillment order for {ids}"))
def one_mcf_each(marketplace: Marketplace, session: Session, ids: str) -> None:
    """Each named request number (`FR-1`, or `FR-30 and FR-31`) is on exactly one fulfillment order."""
    held = [o["sellerFulfillmentOrderId"] for o in fulfillment_orders(marketplace, session)]
    for request_id in ids.split(" and "):
        assert held.count(request_id) == 1, (request_id, held)


@then(parsers.parse("Amazon answered some calls with {status:d} and throttled some"))
def faults_and_throttles(marketplace: Marketplace, status: int) -> None:
    """The traffic journal holds at least one answer with that status and at least one 429."""
    assert marketplace.traffic(status=status) and marketplace.traffic(status=429)


@then(parsers.re(r"Amazon answered at most (?P<count>one|two|\d+) calls? with (?P<status>\d{3})$"))
def at_most(marketplace: Marketplace, count: str, status: str) -> None:
    """The traffic journal holds no more than that many answers with that status."""
    assert len(marketplace.traffic(status=int(status))) <= number(count)


@then(parsers.re(r"the integration has asked Login with Amazon for (?P<count>\d+) access tokens?$"))
def token_count(marketplace: Marketplace, count: str) -> None:
    """Counted in Amazon's traffic journal: the access tokens Login with Amazon issued (a step that reads Amazon's
    records asks for the testbed's own, so use it before any such step)."""
    assert len(marketplace.traffic(operation="lwa.token", status=200)) == int(count)


@then(parsers.parse("Amazon lists the {which} merchant-fulfilled SKU with {units:d} units and a handling time of "
                    "{days:d} days"))
def amazon_lists(marketplace: Marketplace, session: Session, seller: Seller, catalog: Catalog, which: str,
                 units: int, days: int) -> None:
    """getListingsItem: the quantity, and the handling time (lead_time_to_ship_max_days) the seller set."""
    item = listing(marketplace, session, seller, catalog.mfn_skus[ORDINALS[which]])
    assert item["fulfillmentAvailability"][0]["quantity"] == units
    assert item["attributes"]["fulfillment_availability"][0]["lead_time_to_ship_max_days"] == days


def order_dates(marketplace: Marketplace, session: Session, order_id: str) -> dict[str, datetime]:
    """The order's PurchaseDate and LatestShipDate, as getOrder answers them."""
    payload = marketplace.call("ordersV0.getOrder", session, path={"orderId": order_id}).body["payload"]
    return {key: datetime.fromisoformat(payload[key].replace("Z", "+00:00"))
            for key in ("PurchaseDate", "LatestShipDate")}


@then(parsers.parse("Amazon's LatestShipDate for the order is {days:d} days after the purchase"))
def latest_ship_date(marketplace: Marketplace, session: Session, order_id: str, days: int) -> None:
    """getOrder: the order must ship within the handling time its listing promised (lead_time_to_ship_max_days)."""
    dates = order_dates(marketplace, session, order_id)
    assert dates["LatestShipDate"] - dates["PurchaseDate"] == timedelta(days=days)


def tracking_calls(marketplace: Marketplace, order_id: str) -> list[dict]:
    """The confirmShipment calls for the order that Amazon accepted, from its traffic journal."""
    return [e for e in marketplace.traffic(operation="confirmShipment", status=204) if order_id in e["path"]]


@then("Amazon received the order's tracking before its LatestShipDate")
def tracking_in_time(marketplace: Marketplace, session: Session, order_id: str) -> None:
    """The journal's accepted confirmShipment for the order is earlier than getOrder's LatestShipDate."""
    [posted] = tracking_calls(marketplace, order_id)
    assert journal_time(posted) < order_dates(marketplace, session, order_id)["LatestShipDate"]


@then(parsers.re(r"Amazon's journal shows (?P<count>no|one|two|\d+) (?P<operation>\w+) calls?$"))
def journal_count(marketplace: Marketplace, count: str, operation: str) -> None:
    """The traffic journal holds exactly that many calls of the operation, whatever their answers."""
    assert len(marketplace.traffic(operation=operation)) == number(count)


def journal_time(entry: dict) -> datetime:
    """When the mock answered a journal entry, on its own (simulated) clock."""
    return datetime.fromisoformat(re.sub(r"Z$", "+00:00", entry["time"]))
