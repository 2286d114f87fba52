"""Seed 002 (Flxpoint, Amazon FBA as a source over SP-API): F002-1..10."""
from datetime import datetime, timezone

from pytest_bdd import given, parsers, scenarios, then, when

from model.workflows import fulfillment, orders, reports
from model.workflows.protocol import WorkflowError
from tests.mock.mcf import ADDRESS

scenarios("002_flxpoint_fba_source.feature")


@when("Amazon revokes the token and the integration reads orders again")
def revoke_and_read(bdd):
    bdd.amazon.store.execute("DELETE FROM tokens")
    bdd.run(orders.ready_to_ship(bdd.clock.now()))


@then("Amazon answered at most one call with 403")
def one_forbidden(bdd):
    assert sum(entry["status"] == 403 for entry in bdd.control.get("/_testbed/traffic").json["traffic"]) <= 1


# inventory (F002-2..5)
@given(parsers.parse("the FBA SKU has {a:d} sellable units at PHX7 and {b:d} at ONT8, and {c:d} unsellable at ONT8"))
def split_stock(bdd, a, b, c):
    sku = bdd.fba_skus[0]
    ledger = bdd.amazon.ledger(bdd.seller.seller_id)
    for position in ledger.positions_of(sku):
        del ledger.positions[(sku, position.location)]
    ledger.set_quantity(sku, "PHX7", a, channel="AFN")
    ledger.set_quantity(sku, "ONT8", b, channel="AFN")
    ledger.set_quantity(sku, "ONT8", c, condition="unsellable", channel="AFN")


@when(parsers.re(r"the inventory job runs( again)?$"))
def inventory_job(bdd):
    bdd.results["inventory"] = bdd.run(reports.fba_inventory_job(bdd.skus, poll_seconds=30))


@when(parsers.parse("the inventory job runs with include FBM {toggle}"))
def inventory_job_fbm(bdd, toggle):
    bdd.results["inventory"] = bdd.run(reports.fba_inventory_job(bdd.skus, include_fbm=toggle == "on",
                                                                 poll_seconds=30))


@then(parsers.parse("the SKU's quantity is {quantity:d}, taken from the AFN inventory report"))
def sku_quantity(bdd, quantity):
    run = bdd.results["inventory"]
    assert run.quantities[bdd.fba_skus[0]] == quantity and run.sources[bdd.fba_skus[0]] == "afn_report"


@then("the run kept the raw and the parsed copies of both reports")
def kept_reports(bdd):
    run = bdd.results["inventory"]
    assert run.raw["afn"].startswith(b"seller-sku\t") and run.raw["listings"].startswith(b"item-name\t")
    assert len(run.parsed["afn"]) >= 2 and run.parsed["listings"]


@then("every catalog SKU has a quantity again, as a full feed")
def full_feed(bdd):
    assert set(bdd.results["inventory"].quantities) == set(bdd.skus)


@given(parsers.parse("the merchant-fulfilled SKU has {units:d} units listed"))
def merchant_units(bdd, units):
    bdd.amazon.ledger(bdd.seller.seller_id).set_quantity(bdd.mfn_skus[0], "DEFAULT", units)


@then(parsers.parse("the merchant-fulfilled SKU's quantity is {quantity:d}"))
def merchant_quantity(bdd, quantity):
    assert bdd.results["inventory"].quantities[bdd.mfn_skus[0]] == quantity


@given(parsers.parse("a SKU that only the FBA Inventory API knows, with {units:d} fulfillable units"))
def api_only(bdd, units):
    bdd.amazon.fba_inventory.create_item(bdd.seller.seller_id, "API-ONLY", "ATVPDKIKX0DER", "Only the API")
    bdd.amazon.fba_inventory.add_inventory(bdd.seller.seller_id, "token-1", [{"sellerSku": "API-ONLY",
                                                                              "quantity": units}])
    bdd.hidden = "API-ONLY"


@given("a SKU that nobody knows")
def unknown_sku(bdd):
    bdd.skus = bdd.skus + ["API-ONLY", "NOBODY"]


@when("the inventory job runs with the fallback flag on")
def inventory_job_fallback(bdd):
    bdd.amazon.listings.close(bdd.seller.seller_id, "API-ONLY")  # stranded: in no report, still in the API
    bdd.results["inventory"] = bdd.run(reports.fba_inventory_job(bdd.skus, fetch_missing_from_api=True,
                                                                 poll_seconds=30))


@then(parsers.parse("the API-only SKU's quantity is {units:d}, taken from the FBA Inventory API"))
def api_only_quantity(bdd, units):
    run = bdd.results["inventory"]
    assert run.sources["API-ONLY"] == "fba_api" and run.quantities["API-ONLY"] == units


@then("the unknown SKU's quantity is 0, by default")
def unknown_quantity(bdd):
    run = bdd.results["inventory"]
    assert run.quantities["NOBODY"] == 0 and run.sources["NOBODY"] == "default"


@then("the FBA Inventory API was asked in batches of at most 50 SKUs")
def batches(bdd):
    calls = [e for e in bdd.amazon.traffic() if e["operation"] == "getInventorySummaries"]
    assert len(calls) == 1 and calls[0]["status"] == 200  # two missing SKUs: one batch


# fulfillment requests (F002-6..9)
PROBLEMS = {"": {}, "PO box address": {"address": {**ADDRESS, "addressLine1": "PO Box 12"}},
            "unknown SKU": {"sku": "NO-SUCH-SKU"}, "zero quantity": {"units": 0},
            "bad state code": {"address": {**ADDRESS, "stateOrRegion": "XQ"}}}


def request(bdd, request_id, method="Standard", sku=None, units=1, address=None):
    return {"id": request_id, "created": "2026-01-05T00:00:00Z", "method": method, "address": address or ADDRESS,
            "lines": [(sku or bdd.fba_skus[0], units)]}


@given("fulfillment requests:")
def requests_table(bdd, datatable):
    header, *rows = datatable
    bdd.requests = [request(bdd, row[0], row[1], **PROBLEMS[row[2]]) for row in rows]


@when("the integration sends them by feed")
def send_feed(bdd):
    bdd.results["feed"] = bdd.run(fulfillment.send_by_feed(bdd.requests, poll_seconds=60))


@then(parsers.parse("request {request_id} is accepted"))
def accepted(bdd, request_id):
    assert bdd.results["feed"][request_id] == (True, "accepted")


@then(parsers.parse("requests {ids} are rejected with a reason each"))
def rejected(bdd, ids):
    for request_id in ids.replace(" and ", ", ").split(", "):
        ok, reason = bdd.results["feed"][request_id]
        assert not ok and reason, request_id


@when(parsers.parse("the integration sends {request_id} again"))
def send_again(bdd, request_id):
    again = [r for r in bdd.requests if r["id"] == request_id]
    bdd.results["again"] = bdd.run(fulfillment.send_by_feed(again, poll_seconds=60))
    assert bdd.results["again"][request_id][0]


@then(parsers.re(r"Amazon holds exactly one fulfillment order (each )?for (?P<ids>.+)"))
def one_order(bdd, ids):
    held = [o.id for o in bdd.amazon.fulfillment_outbound.orders.scan(bdd.seller.seller_id)]
    for request_id in ids.split(" and "):
        assert held.count(request_id) == 1


@given(parsers.parse('a fulfillment request {request_id} with shipping method "{method}"'))
def unmapped(bdd, request_id, method):
    bdd.requests = [request(bdd, request_id, method)]


@when("the integration prepares it")
def prepare(bdd):
    try:
        fulfillment.request_body(bdd.requests[0])
    except ValueError as error:
        bdd.error = error


@then("it is refused because the method is not mapped to Standard, Expedited or Priority")
def refused(bdd):
    assert bdd.error is not None and "not mapped" in str(bdd.error)
    assert list(bdd.amazon.fulfillment_outbound.orders.scan(bdd.seller.seller_id)) == []


@given(parsers.parse("the account's time zone is {zone} with business hours {opens:d} to {closes:d} on weekdays"))
def business_hours(bdd, zone, opens, closes):
    bdd.hours = fulfillment.BusinessHours(zone, opens, closes)


@given(parsers.parse("requests are held for {hours:d} hours"))
def hold(bdd, hours):
    bdd.hold = hours


@when("an order arrives on Friday at 17:00 New York time")
def friday(bdd):
    bdd.results["released"] = fulfillment.release_time(datetime(2026, 1, 9, 22, 0, tzinfo=timezone.utc), bdd.hold,
                                                       bdd.hours)


@then("its request is released on Monday at 09:00 New York time")
def monday(bdd):
    assert bdd.results["released"] == datetime(2026, 1, 12, 14, 0, tzinfo=timezone.utc)


@then("on Saturday it waits, and on Monday at 09:00 it is sent")
def waits_then_sends(bdd):
    released = bdd.results["released"]
    assert fulfillment.next_step(True, released, datetime(2026, 1, 10, 12, 0, tzinfo=timezone.utc)) == "wait"
    assert fulfillment.next_step(True, released, released) == "send"


@given("automatic sending of fulfillment requests is off")
def auto_send_off(bdd):
    bdd.auto_send = False
    bdd.hours, bdd.hold = fulfillment.BusinessHours("America/New_York"), 0


@then("its request is left for a person to send, whatever the time")
def manual(bdd):
    released = bdd.results["released"]
    for moment in (released, datetime(2026, 2, 1, tzinfo=timezone.utc)):
        assert fulfillment.next_step(bdd.auto_send, released, moment) == "manual"


# shipments (F002-10)
@given(parsers.parse("Amazon ships a fulfillment request {request_id} for {units:d} units in 2 shipments"))
def two_shipments(bdd, request_id, units):
    bdd.control.put("/_testbed/settings", json={"mcf_split_chance": 1.0})
    ledger = bdd.amazon.ledger(bdd.seller.seller_id)
    first, second = bdd.fba_skus[:2]
    ledger.set_quantity(first, "PHX7", 10, channel="AFN")
    ledger.set_quantity(second, "PHX7", 10, channel="AFN")
    order = {**request(bdd, request_id), "lines": [(first, units - 1), (second, 1)]}
    assert bdd.run(fulfillment.send_by_api(order)) == (True, "accepted")
    bdd.advance(600 + 1800 + 4 * 3600)


@when(parsers.parse("the integration imports shipments over the last {days:d} days"))
def import_shipments(bdd, days):
    bdd.results["lines"] = bdd.run(reports.import_shipments(bdd.clock.now(), lookback_days=days,
                                                            poll_seconds=60))


@then(parsers.parse("{request_id} has 2 shipment lines adding up to {units:d} units"))
def shipment_lines(bdd, request_id, units):
    lines = [line for line in bdd.results["lines"] if line.order_id == request_id]
    assert len(lines) == 2 and sum(line.quantity for line in lines) == units


@then("every line has a tracking number, a carrier, a service level and a ship date")
def line_fields(bdd):
    for line in bdd.results["lines"]:
        assert line.tracking and line.carrier and line.service_level and line.ship_date


# failure paths
@given(parsers.parse("Amazon takes {hours:d} hours to process reports"))
def slow_reports(bdd, hours):
    bdd.control.put("/_testbed/settings", json={"report_processing_seconds": hours * 3600})


@when(parsers.parse("the inventory job runs, giving up after {minutes:d} minutes"))
def job_gives_up(bdd, minutes):
    try:
        bdd.run(reports.fetch_report("GET_AFN_INVENTORY_DATA", poll_seconds=300, give_up_after=minutes * 60))
    except WorkflowError as error:
        bdd.error = error


@then("the run fails saying the report did not finish")
def failed_loudly(bdd):
    assert bdd.error is not None and "did not finish" in str(bdd.error)


@given(parsers.parse("Amazon fails the next {count:d} createFulfillmentOrder calls with 503 and throttles the rest"))
def flaky(bdd, count):
    bdd.control.put("/_testbed/faults", json={"faults": [{"operation": "createFulfillmentOrder", "status": 503,
                                                          "count": count}]})
    bdd.control.put("/_testbed/rate-limits", json={"limits": {"createFulfillmentOrder": {"rate": 0.02,
                                                                                         "burst": 1}}})


@when(parsers.parse("the integration sends fulfillment request {first} by the API, and then {second}"))
def send_two(bdd, first, second):
    bdd.results["sent"] = [bdd.run(fulfillment.send_by_api(request(bdd, rid))) for rid in (first, second)]


@then("both are accepted")
def both_accepted(bdd):
    assert bdd.results["sent"] == [(True, "accepted"), (True, "accepted")]
    traffic = bdd.control.get("/_testbed/traffic").json["traffic"]
    assert any(e["status"] == 503 for e in traffic) and any(e["throttled"] for e in traffic)
