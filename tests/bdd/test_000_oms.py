"""Seed 000 (InfiPlex OMS with Amazon FBA): F000-1..9. Every step reaches the mock only through its control API
and SP-API calls, so the whole feature also runs against a live mock (--mock-url)."""
import csv
import io
from datetime import timedelta

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from model.workflows import oms as workflow
from tests.mock.mcf import ADDRESS

scenarios("000_infiplex_oms_fba.feature")

CUSTOMER = {"name": "Grace Hopper", "email": "grace@example.com", "address": ADDRESS}


def calls_so_far(bdd) -> int:
    return len(bdd.control.get("/_testbed/traffic").json["traffic"])


def fulfillment_orders(bdd) -> list[dict]:
    since = (bdd.started - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = bdd.call("fulfillmentOutbound_2020-07-01.listAllFulfillmentOrders", query={"queryStartDate": since})
    return answer.body["payload"]["fulfillmentOrders"]


def buy_on_amazon(bdd, sku: str, units: int) -> str:
    placed = bdd.control.post("/_testbed/orders", json={"seller_id": bdd.seller["seller_id"], "channel": "AFN",
                                                        "lines": [{"sku": sku, "quantity": units}]})
    assert placed.status_code == 201, placed.json
    return placed.json["order_id"]


def fba_sku(bdd) -> str:
    """The FBA SKU with the most fulfillable units at Amazon."""
    return max(sorted(bdd.oms.fba_skus), key=bdd.oms.fba_skus.get)


def web_order(bdd, source: str, lines) -> workflow.OmsOrder:
    bdd.web_orders = getattr(bdd, "web_orders", 0) + 1
    bdd.order = workflow.take_order(bdd.oms, source, f"{source.upper()}-{bdd.web_orders}", lines, CUSTOMER)
    return bdd.order


def only_package(bdd) -> workflow.OmsPackage:
    packages = bdd.oms.packages_of(bdd.order.id)
    assert len(packages) == 1
    return packages[0]


@given("an OMS connected to the seller's Amazon account, with FBA enabled")
def oms_connected(bdd):
    bdd.seller = bdd.control.post("/_testbed/sellers").json
    seeded = bdd.control.post("/_testbed/seed", json={"seller_id": bdd.seller["seller_id"], "skus": 12,
                                                      "orders": 0, "seed": 11}).json
    bdd.seeded_fba = seeded["fba_skus"]
    bdd.seeded_mfn = [sku for sku in seeded["skus"] if sku not in seeded["fba_skus"]]
    assert bdd.control.put("/_testbed/settings", json={"mcf_split_chance": 0}).status_code == 200
    keys = {k: bdd.seller[k] for k in ("client_id", "client_secret", "refresh_token")}
    bdd.oms = workflow.Oms(bdd.clock, amazon_keys=keys)
    bdd.session = bdd.session_for(keys)
    bdd.started = bdd.clock.now()


@given(parsers.parse("the setting {name} is no"))
def setting_off(bdd, name):
    assert hasattr(bdd.oms.settings, name), name
    setattr(bdd.oms.settings, name, False)


@when("the OMS pulls FBA inventory")
@given("the OMS pulled FBA inventory")
def pull(bdd):
    bdd.calls_before = calls_so_far(bdd)
    bdd.results["pulled"] = bdd.run(workflow.pull_fba_inventory(bdd.oms))


@then("it knows every FBA SKU of the seller, and no merchant-fulfilled SKU")
def knows_fba_skus(bdd):
    assert sorted(bdd.oms.fba_skus) == sorted(bdd.seeded_fba)
    assert all(isinstance(units, int) and units >= 0 for units in bdd.oms.fba_skus.values())
    assert not set(bdd.oms.fba_skus) & set(bdd.seeded_mfn)


@when("a buyer orders 2 units of an FBA SKU on Amazon.com and the OMS pulls FBA inventory again")
def amazon_sale_then_pull(bdd):
    bdd.sku = fba_sku(bdd)
    bdd.level_before = bdd.oms.fba_skus[bdd.sku]
    buy_on_amazon(bdd, bdd.sku, 2)
    pull(bdd)


@then("the OMS shows 2 fewer fulfillable units of that SKU")
def two_fewer(bdd):
    assert bdd.oms.fba_skus[bdd.sku] == bdd.level_before - 2


@then("it knows no FBA SKU, and it made no call to Amazon")
def knows_nothing(bdd):
    assert bdd.oms.fba_skus == {} and bdd.results["pulled"] == {}
    assert calls_so_far(bdd) == bdd.calls_before


@given("a buyer orders an FBA SKU on Amazon.com, and Amazon has verified the payment")
def amazon_order(bdd):
    bdd.amazon_order_id = buy_on_amazon(bdd, fba_sku(bdd), 1)
    bdd.advance(bdd.settings()["verification_seconds"])


@when("the OMS imports Amazon orders")
def import_amazon(bdd):
    bdd.results["imported"] = bdd.run(workflow.import_amazon_orders(bdd.oms, bdd.started - timedelta(days=1)))


@then("the order is in the OMS with no package and a note that Amazon fulfils it")
def no_package(bdd):
    [order] = [o for o in bdd.oms.orders.values() if o.channel_order_id == bdd.amazon_order_id]
    assert order.source == "amazon" and order.package_ids == [] and order.status == "acknowledged"
    assert any("Amazon fulfils them" in note for note in order.notes)


@then("Amazon holds no multi-channel fulfillment order")
def no_mcf(bdd):
    assert fulfillment_orders(bdd) == []


@given(parsers.parse("a {source} customer orders 1 unit of an FBA SKU"))
def customer_orders(bdd, source):
    web_order(bdd, source, [(fba_sku(bdd), 1)])


@given(parsers.parse("{count:d} webstore customers order 1 unit of an FBA SKU each"))
def customers_order(bdd, count):
    for _ in range(count):
        web_order(bdd, "webstore", [(fba_sku(bdd), 1)])


@given("a webstore customer orders an FBA SKU and a merchant-fulfilled SKU")
def mixed_order(bdd):
    bdd.mixed = (fba_sku(bdd), bdd.seeded_mfn[0])
    web_order(bdd, "webstore", [(bdd.mixed[0], 1), (bdd.mixed[1], 1)])


@when("the OMS sends its FBA packages")
def send(bdd):
    bdd.run(workflow.send_fba_packages(bdd.oms))


@then("the order has one package, flagged FBA and sent to FBA, and a note saying it was sent")
def sent_to_fba(bdd):
    package = only_package(bdd)
    assert package.fba and package.status == "sent_to_fba"
    assert [s.trigger for s in package.history] == ["flag_fba", "send_to_fba"]
    assert any("sent to FBA for shipment" in note for note in bdd.order.notes)


@then("Amazon holds one multi-channel fulfillment order, for that package")
def one_mcf(bdd):
    assert [o["sellerFulfillmentOrderId"] for o in fulfillment_orders(bdd)] == only_package(bdd).sent_as


def mcf_seconds(bdd, *phases: str) -> float:
    settings = bdd.settings()
    return sum(settings[f"mcf_{phase}_seconds"] for phase in phases) + 1


@when("Amazon ships it and the OMS collects FBA's answers")
def amazon_ships(bdd):
    bdd.advance(mcf_seconds(bdd, "planning", "processing", "ship"))
    bdd.run(workflow.collect_fba_responses(bdd.oms))


@when("Amazon plans it and the OMS collects FBA's answers")
def amazon_plans(bdd):
    bdd.advance(mcf_seconds(bdd, "planning"))
    bdd.run(workflow.collect_fba_responses(bdd.oms))


@then("the package carries Amazon's tracking number and the order is fully shipped")
def package_shipped(bdd):
    package = only_package(bdd)
    assert package.status == "shipped" and package.tracking
    assert bdd.order.status == "fully_shipped"
    answer = bdd.call("fulfillmentOutbound_2020-07-01.getFulfillmentOrder",
                      path={"sellerFulfillmentOrderId": package.sent_as[-1]})
    shipped = [p["trackingNumber"] for s in answer.body["payload"]["fulfillmentShipments"]
               for p in s["fulfillmentShipmentPackage"]]
    assert shipped == [package.tracking]


@then("a note records Amazon's tracking number")
def tracking_note(bdd):
    assert any(only_package(bdd).tracking in note for note in bdd.order.notes)


@then("the customer was e-mailed the tracking number")
def emailed(bdd):
    assert bdd.oms.emails == [{"to": CUSTOMER["email"], "subject": f"Your order {bdd.order.id} has shipped",
                               "order": bdd.order.id, "tracking": only_package(bdd).tracking}]


@then("no e-mail was sent, and one waits to be sent")
def email_waits(bdd):
    assert bdd.oms.emails == [] and bdd.order.unsent_emails == [only_package(bdd).tracking]


@when("a person sends the un-sent tracking e-mails")
def person_sends(bdd):
    assert workflow.send_unsent_tracking_emails(bdd.oms, bdd.order.id) == 1


@given("Amazon cannot fulfil multi-channel orders")
def unfulfillable(bdd):
    assert bdd.control.put("/_testbed/settings", json={"mcf_unfulfillable_chance": 1}).status_code == 200


@then("the package stays unshipped, with FBA's error in a note")
def package_refused(bdd):
    package = only_package(bdd)
    assert package.status == "fba_error" and package.tracking is None
    assert any("FBA error" in note and "Unfulfillable" in note for note in bdd.order.notes)


@then("the order needs manual intervention")
def manual(bdd):
    assert bdd.order.status == "needs_manual_intervention"


@when("a person deletes and re-creates the package")
def recreate(bdd):
    workflow.recreate_package(bdd.oms, only_package(bdd).id)


def exported(bdd) -> list[dict]:
    return list(csv.DictReader(io.StringIO(workflow.worldship_export(bdd.oms))))


@then("the WorldShip export lists that package")
def export_lists_package(bdd):
    package = only_package(bdd)
    assert [row["PackageID"] for row in exported(bdd)] == [package.id]
    assert [s.trigger for s in package.history][-3:] == ["delete", "recreate", "flag_own_stock"]


@when(parsers.parse('WorldShip\'s tracking number "{tracking}" is uploaded for it'))
def upload_tracking(bdd, tracking):
    workflow.ship_package(bdd.oms, only_package(bdd).id, "UPS", tracking)


@then(parsers.parse('the order is fully shipped and the customer was e-mailed "{tracking}"'))
def shipped_and_emailed(bdd, tracking):
    assert bdd.order.status == "fully_shipped"
    assert [e["tracking"] for e in bdd.oms.emails] == [tracking]


@given(parsers.parse("Amazon fails the next {count:d} createFulfillmentOrder calls with 503 and allows one a "
                     "minute"))
def flaky(bdd, count):
    assert bdd.control.put("/_testbed/faults", json={"faults": [{"operation": "createFulfillmentOrder",
                                                                 "status": 503, "count": count}]}).status_code == 200
    assert bdd.control.put("/_testbed/rate-limits", json={"limits": {"createFulfillmentOrder": {
        "rate": 1 / 60, "burst": 1}}}).status_code == 200


@then(parsers.parse("Amazon holds one multi-channel fulfillment order per package, {count:d} in all"))
def one_per_package(bdd, count):
    packages = [p for p in bdd.oms.packages.values()]
    assert len(packages) == count and all(len(p.sent_as) == 1 and p.status == "sent_to_fba" for p in packages)
    assert sorted(o["sellerFulfillmentOrderId"] for o in fulfillment_orders(bdd)) == \
        sorted(p.sent_as[0] for p in packages)
    traffic = bdd.control.get("/_testbed/traffic").json["traffic"]
    assert any(e["status"] == 503 for e in traffic) and any(e["throttled"] for e in traffic)


@then("the order has two packages: one flagged FBA with the FBA SKU, one ordinary with the other SKU")
def split(bdd):
    fba, own = bdd.oms.packages_of(bdd.order.id)
    assert (fba.fba, fba.status, fba.lines) == (True, "fba", [(bdd.mixed[0], 1)])
    assert (own.fba, own.status, own.lines) == (False, "own_stock", [(bdd.mixed[1], 1)])


@then("Amazon's fulfillment order holds only the FBA SKU")
def mcf_only_fba(bdd):
    [order] = fulfillment_orders(bdd)
    answer = bdd.call("fulfillmentOutbound_2020-07-01.getFulfillmentOrder",
                      path={"sellerFulfillmentOrderId": order["sellerFulfillmentOrderId"]})
    assert [i["sellerSku"] for i in answer.body["payload"]["fulfillmentOrderItems"]] == [bdd.mixed[0]]


@then(parsers.parse("{marketplace} was sent the tracking number for its order"))
def channel_told(bdd, marketplace):
    package = only_package(bdd)
    assert bdd.oms.channel_updates == [{"channel": marketplace, "order": bdd.order.channel_order_id,
                                        "carrier": package.carrier, "tracking": package.tracking}]


@then("the order is fully shipped")
def fully_shipped(bdd):
    assert bdd.order.status == "fully_shipped"


@then("the WorldShip export lists only the webstore order's ordinary package")
def export_only_ordinary(bdd):
    [amazon] = bdd.results["imported"]
    assert amazon.channel_order_id == bdd.amazon_order_id and amazon.package_ids == []
    own = [p for p in bdd.oms.packages_of(bdd.order.id) if not p.fba]
    assert [row["PackageID"] for row in exported(bdd)] == [own[0].id]


@then("the order has only its FBA package")
def only_fba_package(bdd):
    package = only_package(bdd)
    assert package.fba and package.lines == [(bdd.mixed[0], 1)]


@then("the WorldShip export is refused, naming auto_create_package_on_order")
def export_refused(bdd):
    with pytest.raises(ValueError, match="auto_create_package_on_order"):
        workflow.worldship_export(bdd.oms)


@when(parsers.parse("FBA is removed {how}"))
def remove(bdd, how):
    bdd.former_fba = fba_sku(bdd)
    workflow.remove_fba(bdd.oms, remove_amazon=how == "together with Amazon entirely")


@then("a webstore order of a former FBA SKU gets an ordinary package and nothing goes to FBA")
def ordinary_after_removal(bdd):
    web_order(bdd, "webstore", [(bdd.former_fba, 1)])
    package = only_package(bdd)
    assert not package.fba and package.status == "own_stock"
    before = calls_so_far(bdd)
    send(bdd)
    assert calls_so_far(bdd) == before and package.sent_as == []


@then("pulling FBA inventory again pulls nothing")
def pulls_nothing(bdd):
    pull(bdd)
    assert bdd.results["pulled"] == {} and bdd.oms.fba_skus == {}
    assert calls_so_far(bdd) == bdd.calls_before


@then(parsers.parse("the Amazon keys are {state}"))
def keys(bdd, state):
    assert (bdd.oms.amazon_keys is not None) == (state == "kept")
