"""Seed 001 (eFulfillment Service, a 3PL): F001-1..8. Every step reaches the mock only through its control API
and SP-API calls, so the whole feature also runs against a live mock (--mock-url)."""
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from model.workflows import efs, orders
from model.workflows.protocol import WorkflowError

scenarios("001_efulfillment_service.feature")

ORDINALS = {"first": 0, "second": 1, "third": 2}


def integration(bdd) -> efs.Integration:
    if not hasattr(bdd, "integration"):
        bdd.integration = efs.Integration(bdd.clock, efs.ThreePlWarehouse(bdd.clock))
        bdd.sessions = {}
    return bdd.integration


def new_seller(bdd) -> dict:
    seller = bdd.control.post("/_testbed/sellers").json
    seeded = bdd.control.post("/_testbed/seed", json={"seller_id": seller["seller_id"], "skus": 30, "orders": 0,
                                                      "seed": 11}).json
    seller["mfn_skus"] = [sku for sku in seeded["skus"] if sku not in seeded["fba_skus"]]
    return seller


def connect(bdd, seller: dict, region: str, nickname: str, code: str | None = None, **settings):
    code = code or bdd.control.post(f"/_testbed/sellers/{seller['seller_id']}/authorize").json["spapi_oauth_code"]
    bdd.last_code = code
    store = bdd.run_plain(efs.connect(integration(bdd), nickname, region, seller["client_id"],
                                      seller["client_secret"], code, seller["seller_id"], **settings))
    bdd.sessions[nickname] = bdd.session_for({"client_id": store.client_id, "client_secret": store.client_secret,
                                              "refresh_token": store.refresh_token})
    return store


def place_order(bdd, seller: dict, units: int, method: str) -> str:
    placed = bdd.control.post("/_testbed/orders", json={"seller_id": seller["seller_id"], "channel": "MFN",
                                                        "shipment_category": method,
                                                        "lines": [{"sku": seller["mfn_skus"][0], "quantity": units}]})
    assert placed.status_code == 201, placed.json
    bdd.order_id = placed.json["order_id"]
    bdd.order_ids = getattr(bdd, "order_ids", []) + [bdd.order_id]
    bdd.ordered_units = getattr(bdd, "ordered_units", 0) + units
    return bdd.order_id


def seller_order_id(bdd, order_id: str) -> str | None:
    return bdd.call("ordersV0.getOrder", path={"orderId": order_id}).body["payload"].get("SellerOrderId")


def listing(bdd, sku: str) -> dict:
    return bdd.call("listingsItems_2021-08-01.getListingsItem", path={"sellerId": bdd.seller["seller_id"], "sku": sku},
                    query={"marketplaceIds": "ATVPDKIKX0DER",
                           "includedData": ["attributes", "fulfillmentAvailability"]}).body


def amazon_quantity(bdd, sku: str) -> int:
    return listing(bdd, sku)["fulfillmentAvailability"][0]["quantity"]


# connecting (F001-1)
@given("two sellers on Amazon")
def two_sellers(bdd):
    bdd.sellers = [new_seller(bdd), new_seller(bdd)]


@when(parsers.parse('the 3PL connects the {which} seller in region "{region}" as "{nickname}" with a fulfillment '
                    'latency of {days:d} days'))
def connect_seller(bdd, which, region, nickname, days):
    connect(bdd, bdd.sellers[ORDINALS[which]], region, nickname, fulfillment_latency_days=days)


@when(parsers.parse('the 3PL tries to connect the {which} seller in region "{region}" as "{nickname}"'))
def try_connect(bdd, which, region, nickname):
    with pytest.raises(ValueError) as refused:
        connect(bdd, bdd.sellers[ORDINALS[which]], region, nickname)
    bdd.error = refused.value


@then("the connection is refused naming the regions NA, EU, FE")
def region_refused(bdd):
    assert "NA, EU, FE" in str(bdd.error) and integration(bdd).stores == {}


@when(parsers.parse('the same authorization code is used again to connect "{nickname}"'))
def reuse_code(bdd, nickname):
    with pytest.raises(WorkflowError) as refused:
        connect(bdd, bdd.sellers[0], "NA", nickname, code=bdd.last_code)
    bdd.error = refused.value


@then(parsers.parse('Login with Amazon refuses it and the 3PL has only the store "{nickname}"'))
def code_refused(bdd, nickname):
    assert bdd.error.response.status == 400 and bdd.error.response.body["error"] == "invalid_grant"
    assert list(integration(bdd).stores) == [nickname]
    assert integration(bdd).stores[nickname].marketplace_id == efs.REGIONS["EU"][1]


@then(parsers.parse('the 3PL has the stores "{first}" and "{second}", each with its own refresh token and settings'))
def two_stores(bdd, first, second):
    stores = integration(bdd).stores
    assert list(stores) == [first, second]
    assert [stores[n].refresh_token for n in (first, second)] == [s["refresh_token"] for s in bdd.sellers]
    assert [stores[n].seller_id for n in (first, second)] == [s["seller_id"] for s in bdd.sellers]
    assert (stores[first].fulfillment_latency_days, stores[second].fulfillment_latency_days) == (3, 2)


@then(parsers.parse('a buyer\'s order at the second seller is found by "{owner}" and not by "{other}"'))
def order_found_by_owner(bdd, owner, other):
    order_id = place_order(bdd, bdd.sellers[1], 1, "Standard")
    verified(bdd)
    since = bdd.clock.now().replace(year=bdd.clock.now().year - 1)
    found = {name: [o["AmazonOrderId"] for o in bdd.run(orders.ready_to_ship(since), bdd.sessions[name])]
             for name in (owner, other)}
    assert order_id in found[owner] and order_id not in found[other]


# orders (F001-6/7/8)
@given(parsers.parse('a seller connected to the 3PL as "{nickname}"'))
def connected_store(bdd, nickname):
    bdd.seller = new_seller(bdd)
    bdd.store = connect(bdd, bdd.seller, "NA", nickname)
    bdd.session = bdd.sessions[nickname]


@given("the warehouse stocks the seller's merchant-fulfilled SKUs")
def warehouse_stocks(bdd):
    for sku in bdd.seller["mfn_skus"]:
        integration(bdd).warehouse.receive(sku, 50)


@given(parsers.parse('{method} shipping is mapped to the warehouse service "{service}"'))
@when(parsers.parse('{method} shipping is mapped to the warehouse service "{service}"'))
def map_method(bdd, method, service):
    bdd.store.shipping_map[method] = service


@given(parsers.parse("a buyer orders {units:d} units with {method} shipping"))
@given(parsers.parse("a buyer orders {units:d} unit with {method} shipping"))
def buyer_orders(bdd, units, method):
    place_order(bdd, bdd.seller, units, method)


@given(parsers.parse("{count:d} buyers order 1 unit each with {method} shipping"))
def buyers_order(bdd, count, method):
    for _ in range(count):
        place_order(bdd, bdd.seller, 1, method)


@given("Amazon has verified the payment")
def verified(bdd):
    bdd.advance(bdd.settings()["verification_seconds"])


@given(parsers.parse('the warehouse refuses orders because "{reason}"'))
def warehouse_refuses(bdd, reason):
    integration(bdd).warehouse.refusing = reason


@given(parsers.parse("Amazon fails the next {count:d} getOrderItems calls with 503 and lets getOrders burst only "
                     "1 call"))
def flaky_orders(bdd, count):
    assert bdd.control.put("/_testbed/faults", json={"faults": [{"operation": "getOrderItems", "status": 503,
                                                                 "count": count}]}).status_code == 200
    assert bdd.control.put("/_testbed/rate-limits", json={"limits": {"getOrders": {"rate": 0.001, "burst": 1}}}
                           ).status_code == 200


@when(parsers.parse('the 3PL checks "{nickname}" for orders'))
def check(bdd, nickname):
    bdd.run(efs.order_check(integration(bdd), nickname))


@when(parsers.parse('the 3PL checks "{nickname}" for orders twice'))
def check_twice(bdd, nickname):
    check(bdd, nickname)
    check(bdd, nickname)


@when(parsers.parse('the warehouse takes orders again and the 3PL checks "{nickname}" for orders'))
def warehouse_back(bdd, nickname):
    integration(bdd).warehouse.refusing = None
    check(bdd, nickname)


@then(parsers.parse('the warehouse holds the order once, to ship by "{service}"'))
def held_once(bdd, service):
    warehouse = integration(bdd).warehouse
    assert warehouse.injected[bdd.order_id].service == service
    assert warehouse.stock[bdd.seller["mfn_skus"][0]] == 50 - bdd.ordered_units   # taken from stock once


@then("the 3PL order is acknowledged, and Amazon shows the 3PL's order number as the seller order ID")
def acknowledged(bdd):
    order = integration(bdd).orders[bdd.order_id]
    assert order.status == "acknowledged"
    assert [step.trigger for step in order.history][-1] == "acknowledge"
    assert seller_order_id(bdd, bdd.order_id) == order.id


@then("the warehouse does not hold the order, and Amazon shows no seller order ID")
def not_held(bdd):
    assert bdd.order_id not in integration(bdd).warehouse.injected
    assert seller_order_id(bdd, bdd.order_id) is None
    assert integration(bdd).orders[bdd.order_id].status in ("imported", "on_hold")


@then(parsers.parse('the 3PL order notes say "{text}"'))
def notes_say(bdd, text):
    assert any(text in note for note in integration(bdd).orders[bdd.order_id].notes)


@when(parsers.parse('the warehouse ships the order with tracking number "{tracking}"'))
def warehouse_ships(bdd, tracking):
    integration(bdd).warehouse.ship_order(bdd.order_id, "UPS", tracking)


@then("the 3PL order is fully shipped")
def fully_shipped(bdd):
    assert integration(bdd).orders[bdd.order_id].status == "fully_shipped"


@then(parsers.parse("the warehouse holds {count:d} orders, each once, all acknowledged"))
def all_held(bdd, count):
    warehouse = integration(bdd).warehouse
    assert sorted(warehouse.injected) == sorted(bdd.order_ids) and len(bdd.order_ids) == count
    assert warehouse.stock[bdd.seller["mfn_skus"][0]] == 50 - count
    assert all(integration(bdd).orders[o].status == "acknowledged" for o in bdd.order_ids)
    assert [seller_order_id(bdd, o) for o in bdd.order_ids] == [integration(bdd).orders[o].id for o in bdd.order_ids]


@then("Amazon answered some calls with 503 and throttled some")
def retried(bdd):
    traffic = bdd.control.get("/_testbed/traffic").json["traffic"]
    assert any(e["status"] == 503 for e in traffic) and any(e["throttled"] for e in traffic)
    feeds = [e for e in traffic if e["operation"] == "createFeed" and e["status"] == 202]
    assert len(feeds) == 1   # one acknowledgement feed: the second check found nothing new to acknowledge


@then(parsers.parse('the 3PL order is on hold with a note naming "{method}"'))
def on_hold(bdd, method):
    order = integration(bdd).orders[bdd.order_id]
    assert order.status == "on_hold" and any(method in note for note in order.notes)


# inventory (F001-2/3/4/5)
@given(parsers.parse("inventory sync is on with a fulfillment latency of {days:d} days"))
def sync_on(bdd, days):
    bdd.store.inventory_sync = True
    bdd.store.fulfillment_latency_days = days


@given(parsers.parse("the warehouse has {a:d} units of the first SKU, {b:d} of the second and {c:d} of the third"))
def warehouse_has(bdd, a, b, c):
    bdd.before = {sku: amazon_quantity(bdd, sku) for sku in bdd.seller["mfn_skus"][:3]}
    for sku, units in zip(bdd.seller["mfn_skus"], (a, b, c)):
        integration(bdd).warehouse.receive(sku, units)


@given(parsers.parse('the first SKU is activated, the second is activated as "{missing}", the third is not '
                     'activated'))
def some_activated(bdd, missing):
    first, second, third = bdd.seller["mfn_skus"][:3]
    bdd.store.activate(first)
    bdd.store.activate(second, missing)
    bdd.store.activate(third, active=False)


@given("the first, second and third SKUs are activated")
def all_activated(bdd):
    for sku in bdd.seller["mfn_skus"][:3]:
        bdd.store.activate(sku)


@given(parsers.parse('the 3PL synced inventory for "{nickname}" {hours:d} hours ago'))
def synced_earlier(bdd, nickname, hours):
    bdd.run(efs.sync_inventory(integration(bdd), nickname))
    bdd.advance(hours * 3600)


@when(parsers.parse("the fulfillment latency becomes {days:d} days"))
def latency_changes(bdd, days):
    bdd.store.fulfillment_latency_days = days


@when(parsers.parse("the warehouse receives {units:d} units of the first SKU and counts {fewer:d} fewer of the "
                    "second"))
def activity(bdd, units, fewer):
    integration(bdd).warehouse.receive(bdd.seller["mfn_skus"][0], units)
    integration(bdd).warehouse.adjust(bdd.seller["mfn_skus"][1], -fewer)


@when(parsers.parse("the warehouse receives {units:d} units of the first SKU"))
def receives(bdd, units):
    integration(bdd).warehouse.receive(bdd.seller["mfn_skus"][0], units)


@when(parsers.parse('the 3PL syncs inventory for "{nickname}"'))
def sync(bdd, nickname):
    bdd.results["sent"] = bdd.run(efs.sync_inventory(integration(bdd), nickname))


@then(parsers.parse("Amazon lists the {which} SKU with {units:d} units and a handling time of {days:d} days"))
def amazon_lists(bdd, which, units, days):
    item = listing(bdd, bdd.seller["mfn_skus"][ORDINALS[which]])
    assert item["fulfillmentAvailability"][0]["quantity"] == units
    assert item["attributes"]["fulfillment_availability"][0]["lead_time_to_ship_max_days"] == days


@then("Amazon's quantities of the second and third SKUs are unchanged")
def others_unchanged(bdd):
    for sku in bdd.seller["mfn_skus"][1:3]:
        item = listing(bdd, sku)
        assert item["fulfillmentAvailability"][0]["quantity"] == bdd.before[sku]
        assert "fulfillment_availability" not in item.get("attributes", {})
    assert list(bdd.results["sent"]) == [bdd.seller["mfn_skus"][0]]


@when(parsers.parse('the 3PL\'s schedule for "{nickname}" runs for {hours:d} hours'))
def schedule_runs(bdd, nickname, hours):
    bdd.started = bdd.clock.seconds()
    bdd.results["log"] = bdd.run(efs.run_schedule(integration(bdd), nickname, hours))


def job_times(bdd, job: str) -> list[float]:
    return [at - bdd.started for at, name, _ in bdd.results["log"] if name == job]


@then(parsers.parse("it checked for orders {count:d} times, 30 minutes apart"))
def order_checks(bdd, count):
    assert job_times(bdd, "orders") == pytest.approx([n * 1800.0 for n in range(count)], abs=1.0)


@then(parsers.parse("it synced inventory {count:d} times, 12 hours apart"))
def inventory_syncs(bdd, count):
    assert job_times(bdd, "inventory") == pytest.approx([n * 43_200.0 for n in range(count)], abs=1.0)


@then("asking for a sync every 6 hours is refused: at most every 12 hours")
def six_hours_refused(bdd):
    with pytest.raises(ValueError, match="at most every 12 hours"):
        efs.AmazonStore("Fast", "NA", "A1", "ATVPDKIKX0DER", "id", "secret", "token", inventory_sync_hours=6)


@then("nothing was sent, because it synced less than 12 hours ago")
def nothing_sent(bdd):
    assert bdd.results["sent"] == {}
    assert bdd.store.log[-1][2] == "synced less than 12 hours ago"
    assert amazon_quantity(bdd, bdd.seller["mfn_skus"][0]) == 40


@given(parsers.parse("the seller is enrolled in Remote Fulfillment with FBA and the option is {option}"))
def remote_fulfillment(bdd, option):
    bdd.store.remote_fulfillment_enrolled = True
    bdd.store.remote_fulfillment_with_fba = option == "Yes"


@then(parsers.parse("Amazon's quantity of the first SKU is {quantity}"))
def first_quantity(bdd, quantity):
    sku = bdd.seller["mfn_skus"][0]
    expected = bdd.before[sku] if quantity == "unchanged" else int(quantity)
    assert amazon_quantity(bdd, sku) == expected
