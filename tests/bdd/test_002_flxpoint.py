"""Seed 002 (Flxpoint, Amazon FBA as a source over SP-API): F002-1..10. The integration's own steps; the steps
that speak of Amazon are the shared ones (tests/bdd/steps/amazon.py). Every step reaches the mock only through its
control API, SP-API calls and the traffic journal, so the whole feature also runs against a live mock."""
import base64
import json
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from model.workflows import fulfillment, orders, reports
from model.workflows.protocol import WorkflowError
from model.workflows.session import Session
from tests.bdd.marketplace import MARKETPLACE_ID, Catalog, Marketplace, Seller
from tests.bdd.steps.amazon import ORDINALS, amazon_quantity, fulfillment_orders
from tests.mock.mcf import ADDRESS

scenarios("002_flxpoint_fba_source.feature")

OUTBOUND = "fulfillmentOutbound_2020-07-01"
FBA_INVENTORY = "fbaInventory"


@pytest.fixture
def inventory_skus(catalog: Catalog) -> list[str]:
    """The SKUs the inventory job asks about: the catalog's, unless a step adds some."""
    return list(catalog.skus)


@pytest.fixture
def pool() -> reports.InventoryPool:
    """The integration's inventory pool, kept across runs of the inventory job."""
    return reports.InventoryPool()


@pytest.fixture
def catalogue() -> dict[str, reports.Product]:
    """The integration's product catalogue, kept across runs of the catalogue import."""
    return {}


@pytest.fixture
def catalog_rules() -> reports.CatalogRules:
    return reports.CatalogRules()


@pytest.fixture
def fulfillment_requests() -> list[dict[str, Any]]:
    """The shop's orders whose fulfillment requests go to Amazon (a step may add some)."""
    return []


@pytest.fixture
def queue() -> fulfillment.FulfillmentQueue:
    """The account's sending of fulfillment requests, by the API and automatically unless a step says otherwise."""
    return fulfillment.FulfillmentQueue(fulfillment.SendingRules())


# the access token (F002-1)
@when("the integration reads orders")
def read_orders(marketplace: Marketplace, session: Session) -> None:
    """The merchant-fulfilled orders ready to ship, as the integration lists them (getOrders)."""
    marketplace.run(orders.ready_to_ship(marketplace.clock.now()), session)


# inventory (F002-2..5)
@when(parsers.re(r"the inventory job runs(?: with include FBM (?P<toggle>on|off))?$"))
def inventory_job(marketplace: Marketplace, session: Session, inventory_skus: list[str], pool: reports.InventoryPool,
                  toggle: str | None) -> None:
    """Both reports requested, awaited and read; the pool updated (include FBM only when the step says on)."""
    marketplace.run(reports.fba_inventory_job(inventory_skus, include_fbm=toggle == "on", poll_seconds=30,
                                              pool=pool), session)


@then(parsers.parse("the pool holds {units:d} units of the first FBA SKU, taken from the AFN inventory report"))
def fba_quantity(catalog: Catalog, pool: reports.InventoryPool, units: int) -> None:
    sku = catalog.fba_skus[0]
    assert (pool.quantities[sku], pool.sources[sku]) == (units, "afn_report")


def served_documents(marketplace: Marketplace) -> list[bytes]:
    """The report documents Amazon served, in order, as its traffic journal recorded them."""
    bodies = []
    for entry in marketplace.traffic(operation="document.get", status=200):
        response = marketplace.traffic_entry(entry["id"])["response"]
        text = response["text"] or ""
        bodies.append(base64.b64decode(text) if response.get("encoding") == "base64" else text.encode())
    return bodies


@then("the run kept both reports exactly as Amazon served them, and their parsed rows")
def kept_reports(marketplace: Marketplace, pool: reports.InventoryPool) -> None:
    run = pool.runs[-1]
    assert served_documents(marketplace)[-2:] == [run.raw["listings"], run.raw["afn"]]
    assert run.parsed["afn"] == reports.parse_tsv(run.raw["afn"]) and len(run.parsed["afn"]) >= 2
    assert run.parsed["listings"] == reports.parse_tsv(run.raw["listings"]) and run.parsed["listings"]


@then("the second run wrote every SKU again, changed or not")
def full_feed(inventory_skus: list[str], pool: reports.InventoryPool) -> None:
    assert len(pool.written) == 2 and pool.written[1] == sorted(inventory_skus)
    assert set(pool.quantities) == set(inventory_skus)


@then(parsers.parse("the pool kept {count:d} runs, each with its raw and parsed reports"))
def runs_kept(pool: reports.InventoryPool, count: int) -> None:
    assert len(pool.runs) == count
    assert all(set(run.raw) == set(run.parsed) == {"listings", "afn"} for run in pool.runs)


@then(parsers.parse("the pool holds {units:d} units of the first merchant-fulfilled SKU"))
def merchant_quantity(catalog: Catalog, pool: reports.InventoryPool, units: int) -> None:
    assert pool.quantities[catalog.mfn_skus[0]] == units


@then(parsers.re(r"every SKU in the pool has the FBA quantity Amazon reports(?P<fbm>, plus the merchant-fulfilled "
                 r"quantity it lists)?$"))
def pool_matches_amazon(marketplace: Marketplace, session: Session, seller: Seller, catalog: Catalog,
                        pool: reports.InventoryPool, fbm: str | None) -> None:
    """Against Amazon's records read independently: getInventorySummaries for FBA, getListingsItem for FBM."""
    summaries = marketplace.call(f"{FBA_INVENTORY}.getInventorySummaries", session, query={
        "granularityType": "Marketplace", "granularityId": MARKETPLACE_ID, "marketplaceIds": MARKETPLACE_ID,
        "details": "true", "sellerSkus": list(catalog.fba_skus)}).body["payload"]["inventorySummaries"]
    expected = {s["sellerSku"]: s["inventoryDetails"]["fulfillableQuantity"] for s in summaries}
    for sku in catalog.mfn_skus:
        expected[sku] = amazon_quantity(marketplace, session, seller, sku) if fbm else 0
    assert pool.quantities == expected


@given(parsers.parse("a SKU that only the FBA Inventory API knows, with {units:d} fulfillable units"))
def api_only(marketplace: Marketplace, session: Session, seller: Seller, inventory_skus: list[str],
             units: int) -> None:
    """Created and stocked through the FBA Inventory API, then its listing closed: in no report any more."""
    created = marketplace.call(f"{FBA_INVENTORY}.createInventoryItem", session, body={
        "sellerSku": "API-ONLY", "marketplaceId": MARKETPLACE_ID, "productName": "Only the API"})
    added = marketplace.call(f"{FBA_INVENTORY}.addInventory", session, headers={"x-amzn-idempotency-token": "t-1"},
                             body={"inventoryItems": [{"sellerSku": "API-ONLY", "marketplaceId": MARKETPLACE_ID,
                                                       "quantity": units}]})
    assert created.ok and added.ok, (created, added)
    assert marketplace.control.post(f"/_testbed/listings/{seller.seller_id}/API-ONLY/close").status_code == 200
    inventory_skus.append("API-ONLY")


@given(parsers.parse("{count:d} SKUs that nobody knows"))
def unknown_skus(inventory_skus: list[str], count: int) -> None:
    inventory_skus.extend(f"NOBODY-{n:03d}" for n in range(count))


@when("the inventory job runs with the fallback flag on")
def inventory_job_fallback(marketplace: Marketplace, session: Session, inventory_skus: list[str],
                           pool: reports.InventoryPool) -> None:
    marketplace.run(reports.fba_inventory_job(inventory_skus, fetch_missing_from_api=True, poll_seconds=30,
                                              pool=pool), session)


@then(parsers.parse("the pool holds {units:d} units of the API-only SKU, taken from the FBA Inventory API"))
def api_only_quantity(pool: reports.InventoryPool, units: int) -> None:
    assert (pool.quantities["API-ONLY"], pool.sources["API-ONLY"]) == (units, "fba_api")


@then("the unknown SKUs hold 0 units, by default")
def unknown_quantity(pool: reports.InventoryPool, inventory_skus: list[str]) -> None:
    unknown = [sku for sku in inventory_skus if sku.startswith("NOBODY-")]
    assert unknown and all((pool.quantities[s], pool.sources[s]) == (0, "default") for s in unknown)


@then(parsers.parse("the FBA Inventory API was asked for {first:d} SKUs and then for {second:d}"))
def batches(marketplace: Marketplace, first: int, second: int) -> None:
    """From the journal: each getInventorySummaries call's sellerSkus."""
    calls = marketplace.traffic(operation="getInventorySummaries", status=200)
    asked = [[sku for value in parse_qs(e["query"])["sellerSkus"] for sku in value.split(",")] for e in calls]
    assert [len(skus) for skus in asked] == [first, second]


# the catalogue (F002-2)
@when("the catalogue import runs")
def import_catalogue(marketplace: Marketplace, session: Session, catalogue: dict[str, reports.Product],
                     catalog_rules: reports.CatalogRules) -> None:
    marketplace.run(reports.import_catalog(catalogue, catalog_rules, poll_seconds=30), session)


def listings_report(marketplace: Marketplace, session: Session) -> list[dict[str, str]]:
    """The all-listings report as Amazon serves it now, read by the testbed."""
    rows: list[dict[str, str]] = marketplace.read(reports.fetch_report("GET_MERCHANT_LISTINGS_ALL_DATA",
                                                                       poll_seconds=30), session)[1]
    return rows


@then("the catalogue holds every listing with the title, ASIN and price of the listings report, and no image URL")
def catalogue_from_report(marketplace: Marketplace, session: Session, catalog: Catalog,
                          catalogue: dict[str, reports.Product]) -> None:
    rows = {row["seller-sku"]: row for row in listings_report(marketplace, session)}
    assert sorted(catalogue) == sorted(catalog.skus) == sorted(rows)
    for sku, product in catalogue.items():
        assert (product.title, product.asin, product.price) == (rows[sku]["item-name"], rows[sku]["asin1"],
                                                                rows[sku]["price"])
        assert product.image_url is None


@when("the seller deletes the first merchant-fulfilled listing at Amazon")
def delete_listing(marketplace: Marketplace, session: Session, seller: Seller, catalog: Catalog) -> None:
    answer = marketplace.call("listingsItems_2021-08-01.deleteListingsItem", session,
                              path={"sellerId": seller.seller_id, "sku": catalog.mfn_skus[0]},
                              query={"marketplaceIds": MARKETPLACE_ID})
    assert answer.ok, answer


@then(parsers.parse("the {which} merchant-fulfilled SKU is no longer in the catalogue"))
def dropped(catalog: Catalog, catalogue: dict[str, reports.Product], which: str) -> None:
    assert catalog.mfn_skus[ORDINALS[which]] not in catalogue and catalogue


@given(parsers.parse("a pricing rule of {percent:d}% above the report's price, and a filter that leaves out "
                     "inactive listings"), target_fixture="catalog_rules")
def pricing(percent: int) -> reports.CatalogRules:
    return reports.CatalogRules(markup_percent=percent, leave_out_inactive=True)


@given("Amazon made the first merchant-fulfilled listing inactive")
def inactive(marketplace: Marketplace, seller: Seller, catalog: Catalog) -> None:
    answer = marketplace.control.post(f"/_testbed/listings/{seller.seller_id}/{catalog.mfn_skus[0]}/deactivate",
                                      json={"reason": "Missing images"})
    assert answer.status_code == 200


@then(parsers.parse("every imported price is the listings report's price plus {percent:d}%"))
def priced(marketplace: Marketplace, session: Session, catalogue: dict[str, reports.Product], percent: int) -> None:
    rows = {row["seller-sku"]: row for row in listings_report(marketplace, session)}
    for sku, product in catalogue.items():
        expected = (Decimal(rows[sku]["price"]) * (100 + percent) / 100).quantize(Decimal("0.01"))
        assert Decimal(product.price) == expected, sku


# fulfillment requests (F002-6..9)
PROBLEMS: dict[str, dict[str, Any]] = {
    "": {}, "PO box address": {"address": {**ADDRESS, "addressLine1": "PO Box 12"}},
    "unknown SKU": {"sku": "NO-SUCH-SKU"}, "zero quantity": {"units": 0},
    "bad state code": {"address": {**ADDRESS, "stateOrRegion": "XQ"}}, "small order": {"total": "10.00"}}


def fulfillment_request(marketplace: Marketplace, catalog: Catalog, request_id: str, method: str = "Standard",
                        sku: str | None = None, units: int = 1, address: dict[str, str] | None = None,
                        total: str = "100.00") -> dict[str, Any]:
    """A shop order's fulfillment request, created now on Amazon's clock."""
    return {"id": request_id, "created": marketplace.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"), "method": method,
            "address": address or ADDRESS, "lines": [(sku or catalog.fba_skus[0], units)], "total": total}


@given("fulfillment requests:", target_fixture="fulfillment_requests")
def requests_table(marketplace: Marketplace, catalog: Catalog, datatable: list[list[str]]) -> list[dict[str, Any]]:
    """| request | shipping method | problem |: a problem is one of PO box address, unknown SKU, zero quantity,
    bad state code, small order (a 10.00 order; others are 100.00), or nothing."""
    header, *rows = datatable
    return [fulfillment_request(marketplace, catalog, row[0], row[1], **PROBLEMS[row[2]]) for row in rows]


@when(parsers.re(r"the integration sends them by feed(?P<xml> as SFR XML)?$"), target_fixture="feed")
def send_feed(marketplace: Marketplace, session: Session, fulfillment_requests: list[dict[str, Any]],
              xml: str | None) -> dict[str, tuple[bool, str]]:
    feed: dict[str, tuple[bool, str]] = marketplace.run(
        fulfillment.send_by_feed(fulfillment_requests, poll_seconds=60, xml=bool(xml)), session)
    return feed


@then(parsers.parse("request {request_id} is accepted"))
def accepted(feed: dict[str, tuple[bool, str]], request_id: str) -> None:
    assert feed[request_id] == (True, "accepted")


@then(parsers.parse("requests {ids} are rejected with a reason each"))
def rejected(feed: dict[str, tuple[bool, str]], ids: str) -> None:
    for request_id in ids.replace(" and ", ", ").split(", "):
        ok, reason = feed[request_id]
        assert not ok and reason, request_id


@when(parsers.parse("the integration sends {request_id} again"))
def send_again(marketplace: Marketplace, session: Session, fulfillment_requests: list[dict[str, Any]],
               request_id: str) -> None:
    again = [r for r in fulfillment_requests if r["id"] == request_id]
    answered = marketplace.run(fulfillment.send_by_feed(again, poll_seconds=60), session)
    assert answered[request_id][0]


@then(parsers.parse("Amazon received one {feed_type} feed, whose XML names {first} and {second}"))
def feed_received(marketplace: Marketplace, feed_type: str, first: str, second: str) -> None:
    """From the journal: the createFeed call's type, and the document uploaded before it."""
    [created] = marketplace.traffic(operation="createFeed", status=202)
    assert json.loads(marketplace.traffic_entry(created["id"])["request"]["text"])["feedType"] == feed_type
    [upload] = marketplace.traffic(operation="document.put", status=200)
    envelope = ElementTree.fromstring(marketplace.traffic_entry(upload["id"])["request"]["text"].encode())
    assert envelope.findtext("MessageType") == "FulfillmentOrderRequest"
    assert [m.findtext("FulfillmentOrderRequest/MerchantFulfillmentOrderID") for m in envelope.iter("Message")] == \
        [first, second]


SENDING = (r"the account sends fulfillment requests (?P<how>automatically|by hand)(?: by (?P<by>feed|SFR XML))?"
           r"(?:, held for (?P<hold>\d+) hours)?(?:, in business hours (?P<opens>\d+) to (?P<closes>\d+) on weekdays "
           r"in (?P<zone>[A-Za-z_]+/[A-Za-z_]+))?(?:, with an order minimum of (?P<minimum>[\d.]+))?")


def _rules(how: str, by: str | None, hold: str | None, opens: str | None, closes: str | None, zone: str | None,
           minimum: str | None, shipping_map: dict[str, str] | None = None) -> fulfillment.SendingRules:
    hours = fulfillment.BusinessHours(zone, int(opens or 9), int(closes or 17)) if zone else None
    return fulfillment.SendingRules(
        automatic=how == "automatically", hold_hours=float(hold or 0), hours=hours,
        by={None: "api", "feed": "feed", "SFR XML": "xml"}[by], minimum_total=float(minimum or 0),
        **({"shipping_map": shipping_map} if shipping_map else {}))


@given(parsers.re(SENDING + "$"), target_fixture="queue")
def sending(how: str, by: str | None, hold: str | None, opens: str | None, closes: str | None, zone: str | None,
            minimum: str | None) -> fulfillment.FulfillmentQueue:
    """The account's sending settings: automatic or by hand, by the API unless by feed or SFR XML, held for some
    hours, only in business hours (weekdays, the account's time zone), with an order minimum."""
    return fulfillment.FulfillmentQueue(_rules(how, by, hold, opens, closes, zone, minimum))


@given(parsers.re(SENDING + ", with the shipping method mapping:$"), target_fixture="queue")
def sending_mapped(how: str, by: str | None, hold: str | None, opens: str | None, closes: str | None,
                   zone: str | None, minimum: str | None, datatable: list[list[str]]) -> fulfillment.FulfillmentQueue:
    """As above, with the mapping template's | shop method | Amazon method | rows."""
    mapping = {shop: amazon for shop, amazon in datatable[1:]}
    return fulfillment.FulfillmentQueue(_rules(how, by, hold, opens, closes, zone, minimum, mapping))


@given(parsers.parse("a shop order comes in for {units:d} unit of the first FBA SKU"),
       target_fixture="fulfillment_requests")
def shop_order(marketplace: Marketplace, catalog: Catalog, fulfillment_requests: list[dict[str, Any]],
               units: int) -> list[dict[str, Any]]:
    return [*fulfillment_requests, fulfillment_request(marketplace, catalog, "FR-40", units=units)]


@given(parsers.parse("shop orders come in shipped {methods}"), target_fixture="fulfillment_requests")
def shop_orders(marketplace: Marketplace, catalog: Catalog, fulfillment_requests: list[dict[str, Any]],
                methods: str) -> list[dict[str, Any]]:
    """One order per method (`Ground, 2-Day and Freight`), numbered FR-81, FR-82, ..."""
    named = methods.replace(" and ", ", ").split(", ")
    return [*fulfillment_requests, *(fulfillment_request(marketplace, catalog, f"FR-{81 + n}", method)
                                     for n, method in enumerate(named))]


@when(parsers.re(r"the integration's sending schedule runs (?:once|every hour for (?P<hours>\d+) hours)$"))
def schedule(marketplace: Marketplace, session: Session, queue: fulfillment.FulfillmentQueue,
             fulfillment_requests: list[dict[str, Any]], hours: str | None) -> None:
    """New requests enter the queue; then one run, or a run every hour (the first now) for that many hours."""
    for order in fulfillment_requests:
        if order["id"] not in queue.requests:
            queue.add(order)
    marketplace.run(fulfillment.run_schedule(queue, marketplace.clock, int(hours or 1)), session)


@then(parsers.parse("Amazon ships the {shop} orders {amazon}"))
def shipped_as_mapped(marketplace: Marketplace, session: Session, queue: fulfillment.FulfillmentQueue, shop: str,
                      amazon: str) -> None:
    """Each named shop method's order, read back with getFulfillmentOrder: its shippingSpeedCategory."""
    by_method = {q.order["method"]: request_id for request_id, q in queue.requests.items()}
    for method, speed in zip(shop.replace(" and ", ", ").split(", "), amazon.replace(" and ", ", ").split(", ")):
        answer = marketplace.call(f"{OUTBOUND}.getFulfillmentOrder", session,
                                  path={"sellerFulfillmentOrderId": by_method[method]})
        assert answer.body["payload"]["fulfillmentOrder"]["shippingSpeedCategory"] == speed, method


@then(parsers.parse("the {method} request is refused, naming the mapping, and never reached Amazon"))
def refused(marketplace: Marketplace, session: Session, queue: fulfillment.FulfillmentQueue, method: str) -> None:
    [request_id] = [r for r, q in queue.requests.items() if q.order["method"] == method]
    assert queue.requests[request_id].state == "refused" and "not mapped" in queue.requests[request_id].message
    assert request_id not in [o["sellerFulfillmentOrderId"] for o in fulfillment_orders(marketplace, session)]
    assert not [e for e in marketplace.traffic(operation="createFulfillmentOrder") if request_id in str(e)]


@then(parsers.re(r"Amazon received it on (?P<weekday>\w+) between (?P<opens>\d\d):00 and (?P<closes>\d\d):00 in "
                 r"(?P<zone>[A-Za-z_]+/[A-Za-z_]+)$"))
def received_when(marketplace: Marketplace, session: Session, weekday: str, opens: str, closes: str,
                  zone: str) -> None:
    """getFulfillmentOrder's receivedDate, in the account's time zone."""
    [order] = fulfillment_orders(marketplace, session)
    received = datetime.fromisoformat(order["receivedDate"].replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    assert received.strftime("%A") == weekday and int(opens) <= received.hour < int(closes), received


@then("the request waits for a person")
def waits_for_person(queue: fulfillment.FulfillmentQueue) -> None:
    assert queue.state("manual") == list(queue.requests)


@when("a person sends it")
def person_sends(marketplace: Marketplace, session: Session, queue: fulfillment.FulfillmentQueue) -> None:
    [request_id] = queue.requests
    marketplace.run(fulfillment.send_by_hand(queue, request_id, marketplace.clock), session)


@then(parsers.parse("there are {count:d} run notifications"))
def notices(queue: fulfillment.FulfillmentQueue, count: int) -> None:
    assert [n["run"] for n in queue.notices] == list(range(1, count + 1))


@then(parsers.parse("the first says {sent:d} sent, {ok:d} accepted and {bad:d} rejected, and {held:d} held back by "
                    "the order minimum"))
def first_notice(queue: fulfillment.FulfillmentQueue, sent: int, ok: int, bad: int, held: int) -> None:
    notice = queue.notices[0]
    assert (notice["sent"], notice["accepted"], notice["rejected"], notice["held_back"]) == (sent, ok, bad, held)


@then("the second says nothing was sent")
def second_notice(queue: fulfillment.FulfillmentQueue) -> None:
    assert (queue.notices[1]["sent"], queue.notices[1]["accepted"], queue.notices[1]["rejected"]) == (0, 0, 0)


# shipments (F002-10)
@given(parsers.parse("Amazon ships a fulfillment request {request_id} for {units:d} units of two FBA SKUs"))
def two_skus_shipped(marketplace: Marketplace, session: Session, seller: Seller, catalog: Catalog, request_id: str,
                     units: int) -> None:
    first, second = catalog.fba_skus[:2]
    for sku in (first, second):
        marketplace.set_stock(seller, sku, "AFN", {"PHX7": {"sellable": 10}})
    order = {**fulfillment_request(marketplace, catalog, request_id), "lines": [(first, units - 1), (second, 1)]}
    assert marketplace.run(fulfillment.send_by_api(order), session) == (True, "accepted")
    marketplace.advance(600 + 1800 + 4 * 3600)


@when(parsers.parse("the integration imports shipments over the last {days:d} days"), target_fixture="shipment_lines")
def import_shipments(marketplace: Marketplace, session: Session, days: int) -> list[reports.ShippedLine]:
    lines: list[reports.ShippedLine] = marketplace.run(reports.import_shipments(
        marketplace.clock.now(), lookback_days=days, poll_seconds=60), session)
    return lines


@then(parsers.parse("{request_id} has 2 shipment lines adding up to {units:d} units"))
def shipment_lines_of(shipment_lines: list[reports.ShippedLine], request_id: str, units: int) -> None:
    lines = [line for line in shipment_lines if line.order_id == request_id]
    assert len(lines) == 2 and sum(line.quantity for line in lines) == units


@then("every line has the tracking number, carrier and ship date of Amazon's package")
def line_fields(marketplace: Marketplace, session: Session, shipment_lines: list[reports.ShippedLine]) -> None:
    """Against getFulfillmentOrder's shipments and packages for the same request."""
    for line in shipment_lines:
        payload = marketplace.call(f"{OUTBOUND}.getFulfillmentOrder", session,
                                   path={"sellerFulfillmentOrderId": line.order_id}).body["payload"]
        packages = {(p["trackingNumber"], p["carrierCode"], s["shippingDate"])
                    for s in payload["fulfillmentShipments"] for p in s["fulfillmentShipmentPackage"]}
        assert (line.tracking, line.carrier, line.ship_date) in packages
        assert line.service_level


# failure paths
@when(parsers.parse("the inventory job runs, giving up after {minutes:d} minutes"), target_fixture="error")
def job_gives_up(marketplace: Marketplace, session: Session, minutes: int) -> WorkflowError | None:
    try:
        marketplace.run(reports.fetch_report("GET_AFN_INVENTORY_DATA", poll_seconds=300,
                                             give_up_after=minutes * 60), session)
    except WorkflowError as error:
        return error
    return None


@then("the run fails saying the report did not finish")
def failed_loudly(error: WorkflowError | None) -> None:
    assert error is not None and "did not finish" in str(error)


@when(parsers.parse("the integration sends fulfillment request {first} by the API, and then {second}"),
      target_fixture="sent")
def send_two(marketplace: Marketplace, session: Session, catalog: Catalog, first: str,
             second: str) -> list[tuple[bool, str]]:
    return [marketplace.run(fulfillment.send_by_api(fulfillment_request(marketplace, catalog, rid)), session)
            for rid in (first, second)]


@then("both are accepted")
def both_accepted(sent: list[tuple[bool, str]]) -> None:
    assert sent == [(True, "accepted"), (True, "accepted")]
