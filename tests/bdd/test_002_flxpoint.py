"""Seed 002 (Flxpoint, Amazon FBA as a source over SP-API): F002-1..10."""
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from mock_amazon import MockAmazon
from model.workflows import fulfillment, orders, reports
from model.workflows.protocol import WorkflowError
from model.workflows.session import Session
from tests.bdd.marketplace import Catalog, Marketplace, Seller
from tests.mock.mcf import ADDRESS

scenarios("002_flxpoint_fba_source.feature")


@dataclass(frozen=True)
class Sending:
    """When the integration sends fulfillment requests: the account's business hours, how long it holds a
    request first, and whether it sends on its own at all."""
    hours: fulfillment.BusinessHours
    hold_hours: int = 0
    automatic: bool = True


@pytest.fixture
def inventory_skus(catalog: Catalog) -> list[str]:
    """The SKUs the inventory job asks about: the catalog's, unless a step adds some."""
    return list(catalog.skus)


@when("Amazon revokes the token and the integration reads orders again")
def revoke_and_read(marketplace: Marketplace, amazon: MockAmazon, session: Session) -> None:
    amazon.store.execute("DELETE FROM tokens")
    marketplace.run(orders.ready_to_ship(marketplace.clock.now()), session)


@then("Amazon answered at most one call with 403")
def one_forbidden(marketplace: Marketplace) -> None:
    assert sum(entry["status"] == 403 for entry in marketplace.traffic()) <= 1


# inventory (F002-2..5)
@given(parsers.parse("the FBA SKU has {a:d} sellable units at PHX7 and {b:d} at ONT8, and {c:d} unsellable at ONT8"))
def split_stock(amazon: MockAmazon, seller: Seller, catalog: Catalog, a: int, b: int, c: int) -> None:
    sku = catalog.fba_skus[0]
    ledger = amazon.ledger(seller.seller_id)
    for position in ledger.positions_of(sku):
        del ledger.positions[(sku, position.location)]
    ledger.set_quantity(sku, "PHX7", a, channel="AFN")
    ledger.set_quantity(sku, "ONT8", b, channel="AFN")
    ledger.set_quantity(sku, "ONT8", c, condition="unsellable", channel="AFN")


@when(parsers.re(r"the inventory job runs( again)?$"), target_fixture="inventory")
def inventory_job(marketplace: Marketplace, session: Session, inventory_skus: list[str]) -> reports.InventoryRun:
    run: reports.InventoryRun = marketplace.run(reports.fba_inventory_job(inventory_skus, poll_seconds=30), session)
    return run


@when(parsers.parse("the inventory job runs with include FBM {toggle}"), target_fixture="inventory")
def inventory_job_fbm(marketplace: Marketplace, session: Session, inventory_skus: list[str],
                      toggle: str) -> reports.InventoryRun:
    run: reports.InventoryRun = marketplace.run(reports.fba_inventory_job(
        inventory_skus, include_fbm=toggle == "on", poll_seconds=30), session)
    return run


@then(parsers.parse("the SKU's quantity is {quantity:d}, taken from the AFN inventory report"))
def sku_quantity(catalog: Catalog, inventory: reports.InventoryRun, quantity: int) -> None:
    sku = catalog.fba_skus[0]
    assert inventory.quantities[sku] == quantity and inventory.sources[sku] == "afn_report"


@then("the run kept the raw and the parsed copies of both reports")
def kept_reports(inventory: reports.InventoryRun) -> None:
    assert inventory.raw["afn"].startswith(b"seller-sku\t") and inventory.raw["listings"].startswith(b"item-name\t")
    assert len(inventory.parsed["afn"]) >= 2 and inventory.parsed["listings"]


@then("every catalog SKU has a quantity again, as a full feed")
def full_feed(inventory_skus: list[str], inventory: reports.InventoryRun) -> None:
    assert set(inventory.quantities) == set(inventory_skus)


@given(parsers.parse("the merchant-fulfilled SKU has {units:d} units listed"))
def merchant_units(amazon: MockAmazon, seller: Seller, catalog: Catalog, units: int) -> None:
    amazon.ledger(seller.seller_id).set_quantity(catalog.mfn_skus[0], "DEFAULT", units)


@then(parsers.parse("the merchant-fulfilled SKU's quantity is {quantity:d}"))
def merchant_quantity(catalog: Catalog, inventory: reports.InventoryRun, quantity: int) -> None:
    assert inventory.quantities[catalog.mfn_skus[0]] == quantity


@given(parsers.parse("a SKU that only the FBA Inventory API knows, with {units:d} fulfillable units"))
def api_only(amazon: MockAmazon, seller: Seller, units: int) -> None:
    amazon.fba_inventory.create_item(seller.seller_id, "API-ONLY", "ATVPDKIKX0DER", "Only the API")
    amazon.fba_inventory.add_inventory(seller.seller_id, "token-1", [{"sellerSku": "API-ONLY", "quantity": units}])


@given("a SKU that nobody knows")
def unknown_sku(inventory_skus: list[str]) -> None:
    inventory_skus.extend(["API-ONLY", "NOBODY"])


@when("the inventory job runs with the fallback flag on", target_fixture="inventory")
def inventory_job_fallback(marketplace: Marketplace, amazon: MockAmazon, session: Session, seller: Seller,
                           inventory_skus: list[str]) -> reports.InventoryRun:
    amazon.listings.close(seller.seller_id, "API-ONLY")  # stranded: in no report, still in the API
    run: reports.InventoryRun = marketplace.run(reports.fba_inventory_job(
        inventory_skus, fetch_missing_from_api=True, poll_seconds=30), session)
    return run


@then(parsers.parse("the API-only SKU's quantity is {units:d}, taken from the FBA Inventory API"))
def api_only_quantity(inventory: reports.InventoryRun, units: int) -> None:
    assert inventory.sources["API-ONLY"] == "fba_api" and inventory.quantities["API-ONLY"] == units


@then("the unknown SKU's quantity is 0, by default")
def unknown_quantity(inventory: reports.InventoryRun) -> None:
    assert inventory.quantities["NOBODY"] == 0 and inventory.sources["NOBODY"] == "default"


@then("the FBA Inventory API was asked in batches of at most 50 SKUs")
def batches(amazon: MockAmazon) -> None:
    calls = [e for e in amazon.traffic() if e["operation"] == "getInventorySummaries"]
    assert len(calls) == 1 and calls[0]["status"] == 200  # two missing SKUs: one batch


# fulfillment requests (F002-6..9)
PROBLEMS: dict[str, dict[str, Any]] = {
    "": {}, "PO box address": {"address": {**ADDRESS, "addressLine1": "PO Box 12"}},
    "unknown SKU": {"sku": "NO-SUCH-SKU"}, "zero quantity": {"units": 0},
    "bad state code": {"address": {**ADDRESS, "stateOrRegion": "XQ"}}}


def fulfillment_request(catalog: Catalog, request_id: str, method: str = "Standard", sku: str | None = None,
                        units: int = 1, address: dict[str, str] | None = None) -> dict[str, Any]:
    return {"id": request_id, "created": "2026-01-05T00:00:00Z", "method": method, "address": address or ADDRESS,
            "lines": [(sku or catalog.fba_skus[0], units)]}


@given("fulfillment requests:", target_fixture="fulfillment_requests")
def requests_table(catalog: Catalog, datatable: list[list[str]]) -> list[dict[str, Any]]:
    header, *rows = datatable
    return [fulfillment_request(catalog, row[0], row[1], **PROBLEMS[row[2]]) for row in rows]


@when("the integration sends them by feed", target_fixture="feed")
def send_feed(marketplace: Marketplace, session: Session,
              fulfillment_requests: list[dict[str, Any]]) -> dict[str, tuple[bool, str]]:
    feed: dict[str, tuple[bool, str]] = marketplace.run(
        fulfillment.send_by_feed(fulfillment_requests, poll_seconds=60), session)
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


@then(parsers.re(r"Amazon holds exactly one fulfillment order (each )?for (?P<ids>.+)"))
def one_order(amazon: MockAmazon, seller: Seller, ids: str) -> None:
    held = [o.id for o in amazon.fulfillment_outbound.orders.scan(seller.seller_id)]
    for request_id in ids.split(" and "):
        assert held.count(request_id) == 1


@given(parsers.parse('a fulfillment request {request_id} with shipping method "{method}"'),
       target_fixture="fulfillment_requests")
def unmapped(catalog: Catalog, request_id: str, method: str) -> list[dict[str, Any]]:
    return [fulfillment_request(catalog, request_id, method)]


@when("the integration prepares it", target_fixture="error")
def prepare(fulfillment_requests: list[dict[str, Any]]) -> ValueError | None:
    try:
        fulfillment.request_body(fulfillment_requests[0])
    except ValueError as error:
        return error
    return None


@then("it is refused because the method is not mapped to Standard, Expedited or Priority")
def refused(amazon: MockAmazon, seller: Seller, error: ValueError | None) -> None:
    assert error is not None and "not mapped" in str(error)
    assert list(amazon.fulfillment_outbound.orders.scan(seller.seller_id)) == []


@given(parsers.parse("the account's time zone is {zone} with business hours {opens:d} to {closes:d} on weekdays"),
       target_fixture="sending")
def business_hours(zone: str, opens: int, closes: int) -> Sending:
    return Sending(fulfillment.BusinessHours(zone, opens, closes))


@given(parsers.parse("requests are held for {hours:d} hours"), target_fixture="sending")
def hold(sending: Sending, hours: int) -> Sending:
    return replace(sending, hold_hours=hours)


@when("an order arrives on Friday at 17:00 New York time", target_fixture="released")
def friday(sending: Sending) -> datetime:
    return fulfillment.release_time(datetime(2026, 1, 9, 22, 0, tzinfo=timezone.utc), sending.hold_hours,
                                    sending.hours)


@then("its request is released on Monday at 09:00 New York time")
def monday(released: datetime) -> None:
    assert released == datetime(2026, 1, 12, 14, 0, tzinfo=timezone.utc)


@then("on Saturday it waits, and on Monday at 09:00 it is sent")
def waits_then_sends(released: datetime) -> None:
    assert fulfillment.next_step(True, released, datetime(2026, 1, 10, 12, 0, tzinfo=timezone.utc)) == "wait"
    assert fulfillment.next_step(True, released, released) == "send"


@given("automatic sending of fulfillment requests is off", target_fixture="sending")
def auto_send_off() -> Sending:
    return Sending(fulfillment.BusinessHours("America/New_York"), hold_hours=0, automatic=False)


@then("its request is left for a person to send, whatever the time")
def manual(sending: Sending, released: datetime) -> None:
    for moment in (released, datetime(2026, 2, 1, tzinfo=timezone.utc)):
        assert fulfillment.next_step(sending.automatic, released, moment) == "manual"


# shipments (F002-10)
@given(parsers.parse("Amazon ships a fulfillment request {request_id} for {units:d} units in 2 shipments"))
def two_shipments(marketplace: Marketplace, amazon: MockAmazon, session: Session, seller: Seller, catalog: Catalog,
                  request_id: str, units: int) -> None:
    marketplace.control.put("/_testbed/settings", json={"mcf_split_chance": 1.0})
    ledger = amazon.ledger(seller.seller_id)
    first, second = catalog.fba_skus[:2]
    ledger.set_quantity(first, "PHX7", 10, channel="AFN")
    ledger.set_quantity(second, "PHX7", 10, channel="AFN")
    order = {**fulfillment_request(catalog, request_id), "lines": [(first, units - 1), (second, 1)]}
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


@then("every line has a tracking number, a carrier, a service level and a ship date")
def line_fields(shipment_lines: list[reports.ShippedLine]) -> None:
    for line in shipment_lines:
        assert line.tracking and line.carrier and line.service_level and line.ship_date


# failure paths
@given(parsers.parse("Amazon takes {hours:d} hours to process reports"))
def slow_reports(marketplace: Marketplace, hours: int) -> None:
    marketplace.control.put("/_testbed/settings", json={"report_processing_seconds": hours * 3600})


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


@given(parsers.parse("Amazon fails the next {count:d} createFulfillmentOrder calls with 503 and throttles the rest"))
def flaky(marketplace: Marketplace, count: int) -> None:
    marketplace.control.put("/_testbed/faults", json={"faults": [{"operation": "createFulfillmentOrder",
                                                                  "status": 503, "count": count}]})
    marketplace.control.put("/_testbed/rate-limits", json={"limits": {"createFulfillmentOrder": {"rate": 0.02,
                                                                                                 "burst": 1}}})


@when(parsers.parse("the integration sends fulfillment request {first} by the API, and then {second}"),
      target_fixture="sent")
def send_two(marketplace: Marketplace, session: Session, catalog: Catalog, first: str,
             second: str) -> list[tuple[bool, str]]:
    return [marketplace.run(fulfillment.send_by_api(fulfillment_request(catalog, rid)), session)
            for rid in (first, second)]


@then("both are accepted")
def both_accepted(marketplace: Marketplace, sent: list[tuple[bool, str]]) -> None:
    assert sent == [(True, "accepted"), (True, "accepted")]
    traffic = marketplace.traffic()
    assert any(e["status"] == 503 for e in traffic) and any(e["throttled"] for e in traffic)
