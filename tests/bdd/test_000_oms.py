"""Seed 000 (InfiPlex OMS with Amazon FBA): F000-1..9. Every step reaches the mock only through its control API
and SP-API calls, so the whole feature also runs against a live mock (--mock-url)."""
import csv
import io
import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Iterator

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from model.workflows import oms as workflow
from model.workflows.session import Session
from tests.bdd.marketplace import Catalog, Marketplace, Seller
from tests.mock.mcf import ADDRESS

scenarios("000_infiplex_oms_fba.feature")

CUSTOMER = {"name": "Grace Hopper", "email": "grace@example.com", "address": ADDRESS}


@dataclass(frozen=True)
class Pull:
    """One pull of FBA inventory: what the OMS got, and how many calls Amazon had answered before it."""
    pulled: dict[str, int]
    calls_before: int


@dataclass(frozen=True)
class Sale:
    """An Amazon.com sale of an FBA SKU, and the SKU's fulfillable units in the OMS before it."""
    sku: str
    units_before: int


@pytest.fixture
def order_numbers() -> Iterator[int]:
    """Each order a customer places on the webstore, eBay or Groupon gets the next number."""
    return itertools.count(1)


@pytest.fixture
def mixed_skus(oms: workflow.Oms, catalog: Catalog) -> tuple[str, str]:
    """An FBA SKU and a merchant-fulfilled one, for an order that mixes them (chosen when first asked for)."""
    return fba_sku(oms), catalog.mfn_skus[0]


def calls_so_far(marketplace: Marketplace) -> int:
    return len(marketplace.traffic())


def fulfillment_orders(marketplace: Marketplace, session: Session) -> list[dict[str, Any]]:
    since = (marketplace.started - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = marketplace.call("fulfillmentOutbound_2020-07-01.listAllFulfillmentOrders", session,
                              query={"queryStartDate": since})
    found: list[dict[str, Any]] = answer.body["payload"]["fulfillmentOrders"]
    return found


def fba_sku(oms: workflow.Oms) -> str:
    """The FBA SKU with the most fulfillable units at Amazon."""
    return max(sorted(oms.fba_skus), key=oms.fba_skus.__getitem__)


def web_order(oms: workflow.Oms, numbers: Iterator[int], source: str,
              lines: list[tuple[str, int]]) -> workflow.OmsOrder:
    return workflow.take_order(oms, source, f"{source.upper()}-{next(numbers)}", lines, CUSTOMER)


def only_package(oms: workflow.Oms, order: workflow.OmsOrder) -> workflow.OmsPackage:
    packages = oms.packages_of(order.id)
    assert len(packages) == 1
    return packages[0]


@given("an OMS connected to the seller's Amazon account, with FBA enabled", target_fixture="oms")
def oms_connected(marketplace: Marketplace, seller: Seller, catalog: Catalog) -> workflow.Oms:
    assert marketplace.control.put("/_testbed/settings", json={"mcf_split_chance": 0}).status_code == 200
    keys = {"client_id": seller.client_id, "client_secret": seller.client_secret,
            "refresh_token": seller.refresh_token}
    return workflow.Oms(marketplace.clock, amazon_keys=keys)


@given(parsers.parse("the setting {name} is no"))
def setting_off(oms: workflow.Oms, name: str) -> None:
    assert hasattr(oms.settings, name), name
    setattr(oms.settings, name, False)


@when("the OMS pulls FBA inventory", target_fixture="pull")
@given("the OMS pulled FBA inventory", target_fixture="pull")
def pull_inventory(marketplace: Marketplace, session: Session, oms: workflow.Oms) -> Pull:
    calls_before = calls_so_far(marketplace)
    return Pull(marketplace.run(workflow.pull_fba_inventory(oms), session), calls_before)


@then("it knows every FBA SKU of the seller, and no merchant-fulfilled SKU")
def knows_fba_skus(oms: workflow.Oms, catalog: Catalog) -> None:
    assert sorted(oms.fba_skus) == sorted(catalog.fba_skus)
    assert all(isinstance(units, int) and units >= 0 for units in oms.fba_skus.values())
    assert not set(oms.fba_skus) & set(catalog.mfn_skus)


@when("a buyer orders 2 units of an FBA SKU on Amazon.com and the OMS pulls FBA inventory again",
      target_fixture="sale")
def amazon_sale_then_pull(marketplace: Marketplace, session: Session, seller: Seller, oms: workflow.Oms) -> Sale:
    sku = fba_sku(oms)
    sale = Sale(sku, oms.fba_skus[sku])
    marketplace.place_order(seller, "AFN", sku, 2)
    pull_inventory(marketplace, session, oms)
    return sale


@then("the OMS shows 2 fewer fulfillable units of that SKU")
def two_fewer(oms: workflow.Oms, sale: Sale) -> None:
    assert oms.fba_skus[sale.sku] == sale.units_before - 2


@then("it knows no FBA SKU, and it made no call to Amazon")
def knows_nothing(marketplace: Marketplace, oms: workflow.Oms, pull: Pull) -> None:
    assert oms.fba_skus == {} and pull.pulled == {}
    assert calls_so_far(marketplace) == pull.calls_before


@given("a buyer orders an FBA SKU on Amazon.com, and Amazon has verified the payment",
       target_fixture="amazon_order_id")
def amazon_order(marketplace: Marketplace, seller: Seller, oms: workflow.Oms) -> str:
    order_id = marketplace.place_order(seller, "AFN", fba_sku(oms), 1)
    marketplace.advance(marketplace.settings()["verification_seconds"])
    return order_id


@when("the OMS imports Amazon orders", target_fixture="imported")
def import_amazon(marketplace: Marketplace, session: Session, oms: workflow.Oms) -> list[workflow.OmsOrder]:
    since = marketplace.started - timedelta(days=1)
    imported: list[workflow.OmsOrder] = marketplace.run(workflow.import_amazon_orders(oms, since), session)
    return imported


@then("the order is in the OMS with no package and a note that Amazon fulfils it")
def no_package(oms: workflow.Oms, amazon_order_id: str) -> None:
    [order] = [o for o in oms.orders.values() if o.channel_order_id == amazon_order_id]
    assert order.source == "amazon" and order.package_ids == [] and order.status == "acknowledged"
    assert any("Amazon fulfils them" in note for note in order.notes)


@then("Amazon holds no multi-channel fulfillment order")
def no_mcf(marketplace: Marketplace, session: Session) -> None:
    assert fulfillment_orders(marketplace, session) == []


@given(parsers.parse("a {source} customer orders 1 unit of an FBA SKU"), target_fixture="order")
def customer_orders(oms: workflow.Oms, order_numbers: Iterator[int], source: str) -> workflow.OmsOrder:
    return web_order(oms, order_numbers, source, [(fba_sku(oms), 1)])


@given(parsers.parse("{count:d} webstore customers order 1 unit of an FBA SKU each"), target_fixture="order")
def customers_order(oms: workflow.Oms, order_numbers: Iterator[int], count: int) -> workflow.OmsOrder:
    placed = [web_order(oms, order_numbers, "webstore", [(fba_sku(oms), 1)]) for _ in range(count)]
    return placed[-1]


@given("a webstore customer orders an FBA SKU and a merchant-fulfilled SKU", target_fixture="order")
def mixed_order(oms: workflow.Oms, order_numbers: Iterator[int], mixed_skus: tuple[str, str]) -> workflow.OmsOrder:
    return web_order(oms, order_numbers, "webstore", [(mixed_skus[0], 1), (mixed_skus[1], 1)])


@when("the OMS sends its FBA packages")
def send(marketplace: Marketplace, session: Session, oms: workflow.Oms) -> None:
    marketplace.run(workflow.send_fba_packages(oms), session)


@then("the order has one package, flagged FBA and sent to FBA, and a note saying it was sent")
def sent_to_fba(oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    package = only_package(oms, order)
    assert package.fba and package.status == "sent_to_fba"
    assert [s.trigger for s in package.history] == ["flag_fba", "send_to_fba"]
    assert any("sent to FBA for shipment" in note for note in order.notes)


@then("Amazon holds one multi-channel fulfillment order, for that package")
def one_mcf(marketplace: Marketplace, session: Session, oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    assert [o["sellerFulfillmentOrderId"] for o in fulfillment_orders(marketplace, session)] == \
        only_package(oms, order).sent_as


def mcf_seconds(marketplace: Marketplace, *phases: str) -> float:
    settings = marketplace.settings()
    return sum(settings[f"mcf_{phase}_seconds"] for phase in phases) + 1


@when("Amazon ships it and the OMS collects FBA's answers")
def amazon_ships(marketplace: Marketplace, session: Session, oms: workflow.Oms) -> None:
    marketplace.advance(mcf_seconds(marketplace, "planning", "processing", "ship"))
    marketplace.run(workflow.collect_fba_responses(oms), session)


@when("Amazon plans it and the OMS collects FBA's answers")
def amazon_plans(marketplace: Marketplace, session: Session, oms: workflow.Oms) -> None:
    marketplace.advance(mcf_seconds(marketplace, "planning"))
    marketplace.run(workflow.collect_fba_responses(oms), session)


@then("the package carries Amazon's tracking number and the order is fully shipped")
def package_shipped(marketplace: Marketplace, session: Session, oms: workflow.Oms,
                    order: workflow.OmsOrder) -> None:
    package = only_package(oms, order)
    assert package.status == "shipped" and package.tracking
    assert order.status == "fully_shipped"
    answer = marketplace.call("fulfillmentOutbound_2020-07-01.getFulfillmentOrder", session,
                              path={"sellerFulfillmentOrderId": package.sent_as[-1]})
    shipped = [p["trackingNumber"] for s in answer.body["payload"]["fulfillmentShipments"]
               for p in s["fulfillmentShipmentPackage"]]
    assert shipped == [package.tracking]


@then("a note records Amazon's tracking number")
def tracking_note(oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    assert any(only_package(oms, order).tracking in note for note in order.notes)


@then("the customer was e-mailed the tracking number")
def emailed(oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    assert oms.emails == [{"to": CUSTOMER["email"], "subject": f"Your order {order.id} has shipped",
                           "order": order.id, "tracking": only_package(oms, order).tracking}]


@then("no e-mail was sent, and one waits to be sent")
def email_waits(oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    assert oms.emails == [] and order.unsent_emails == [only_package(oms, order).tracking]


@when("a person sends the un-sent tracking e-mails")
def person_sends(oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    assert workflow.send_unsent_tracking_emails(oms, order.id) == 1


@given("Amazon cannot fulfil multi-channel orders")
def unfulfillable(marketplace: Marketplace) -> None:
    assert marketplace.control.put("/_testbed/settings", json={"mcf_unfulfillable_chance": 1}).status_code == 200


@then("the package stays unshipped, with FBA's error in a note")
def package_refused(oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    package = only_package(oms, order)
    assert package.status == "fba_error" and package.tracking is None
    assert any("FBA error" in note and "Unfulfillable" in note for note in order.notes)


@then("the order needs manual intervention")
def manual(order: workflow.OmsOrder) -> None:
    assert order.status == "needs_manual_intervention"


@when("a person deletes and re-creates the package")
def recreate(oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    workflow.recreate_package(oms, only_package(oms, order).id)


def exported(oms: workflow.Oms) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(workflow.worldship_export(oms))))


@then("the WorldShip export lists that package")
def export_lists_package(oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    package = only_package(oms, order)
    assert [row["PackageID"] for row in exported(oms)] == [package.id]
    assert [s.trigger for s in package.history][-3:] == ["delete", "recreate", "flag_own_stock"]


@when(parsers.parse('WorldShip\'s tracking number "{tracking}" is uploaded for it'))
def upload_tracking(oms: workflow.Oms, order: workflow.OmsOrder, tracking: str) -> None:
    workflow.ship_package(oms, only_package(oms, order).id, "UPS", tracking)


@then(parsers.parse('the order is fully shipped and the customer was e-mailed "{tracking}"'))
def shipped_and_emailed(oms: workflow.Oms, order: workflow.OmsOrder, tracking: str) -> None:
    assert order.status == "fully_shipped"
    assert [e["tracking"] for e in oms.emails] == [tracking]


@given(parsers.parse("Amazon fails the next {count:d} createFulfillmentOrder calls with 503 and allows one a "
                     "minute"))
def flaky(marketplace: Marketplace, count: int) -> None:
    control = marketplace.control
    assert control.put("/_testbed/faults", json={"faults": [{"operation": "createFulfillmentOrder",
                                                             "status": 503, "count": count}]}).status_code == 200
    assert control.put("/_testbed/rate-limits", json={"limits": {"createFulfillmentOrder": {
        "rate": 1 / 60, "burst": 1}}}).status_code == 200


@then(parsers.parse("Amazon holds one multi-channel fulfillment order per package, {count:d} in all"))
def one_per_package(marketplace: Marketplace, session: Session, oms: workflow.Oms, count: int) -> None:
    packages = [p for p in oms.packages.values()]
    assert len(packages) == count and all(len(p.sent_as) == 1 and p.status == "sent_to_fba" for p in packages)
    assert sorted(o["sellerFulfillmentOrderId"] for o in fulfillment_orders(marketplace, session)) == \
        sorted(p.sent_as[0] for p in packages)
    traffic = marketplace.traffic()
    assert any(e["status"] == 503 for e in traffic) and any(e["throttled"] for e in traffic)


@then("the order has two packages: one flagged FBA with the FBA SKU, one ordinary with the other SKU")
def split(oms: workflow.Oms, order: workflow.OmsOrder, mixed_skus: tuple[str, str]) -> None:
    fba, own = oms.packages_of(order.id)
    assert (fba.fba, fba.status, fba.lines) == (True, "fba", [(mixed_skus[0], 1)])
    assert (own.fba, own.status, own.lines) == (False, "own_stock", [(mixed_skus[1], 1)])


@then("Amazon's fulfillment order holds only the FBA SKU")
def mcf_only_fba(marketplace: Marketplace, session: Session, mixed_skus: tuple[str, str]) -> None:
    [order] = fulfillment_orders(marketplace, session)
    answer = marketplace.call("fulfillmentOutbound_2020-07-01.getFulfillmentOrder", session,
                              path={"sellerFulfillmentOrderId": order["sellerFulfillmentOrderId"]})
    assert [i["sellerSku"] for i in answer.body["payload"]["fulfillmentOrderItems"]] == [mixed_skus[0]]


@then(parsers.parse("{channel} was sent the tracking number for its order"))
def channel_told(oms: workflow.Oms, order: workflow.OmsOrder, channel: str) -> None:
    package = only_package(oms, order)
    assert oms.channel_updates == [{"channel": channel, "order": order.channel_order_id,
                                    "carrier": package.carrier, "tracking": package.tracking}]


@then("the order is fully shipped")
def fully_shipped(order: workflow.OmsOrder) -> None:
    assert order.status == "fully_shipped"


@then("the WorldShip export lists only the webstore order's ordinary package")
def export_only_ordinary(oms: workflow.Oms, order: workflow.OmsOrder, amazon_order_id: str,
                         imported: list[workflow.OmsOrder]) -> None:
    [amazon] = imported
    assert amazon.channel_order_id == amazon_order_id and amazon.package_ids == []
    own = [p for p in oms.packages_of(order.id) if not p.fba]
    assert [row["PackageID"] for row in exported(oms)] == [own[0].id]


@then("the order has only its FBA package")
def only_fba_package(oms: workflow.Oms, order: workflow.OmsOrder, mixed_skus: tuple[str, str]) -> None:
    package = only_package(oms, order)
    assert package.fba and package.lines == [(mixed_skus[0], 1)]


@then("the WorldShip export is refused, naming auto_create_package_on_order")
def export_refused(oms: workflow.Oms) -> None:
    with pytest.raises(ValueError, match="auto_create_package_on_order"):
        workflow.worldship_export(oms)


@when(parsers.parse("FBA is removed {how}"), target_fixture="former_fba_sku")
def remove(oms: workflow.Oms, how: str) -> str:
    """FBA is removed; the SKU that was the FBA SKU before is handed on."""
    former = fba_sku(oms)
    workflow.remove_fba(oms, remove_amazon=how == "together with Amazon entirely")
    return former


@then("a webstore order of a former FBA SKU gets an ordinary package and nothing goes to FBA")
def ordinary_after_removal(marketplace: Marketplace, session: Session, oms: workflow.Oms,
                           order_numbers: Iterator[int], former_fba_sku: str) -> None:
    order = web_order(oms, order_numbers, "webstore", [(former_fba_sku, 1)])
    package = only_package(oms, order)
    assert not package.fba and package.status == "own_stock"
    before = calls_so_far(marketplace)
    send(marketplace, session, oms)
    assert calls_so_far(marketplace) == before and package.sent_as == []


@then("pulling FBA inventory again pulls nothing")
def pulls_nothing(marketplace: Marketplace, session: Session, oms: workflow.Oms) -> None:
    pull = pull_inventory(marketplace, session, oms)
    assert pull.pulled == {} and oms.fba_skus == {}
    assert calls_so_far(marketplace) == pull.calls_before


@then(parsers.parse("the Amazon keys are {state}"))
def keys(oms: workflow.Oms, state: str) -> None:
    assert (oms.amazon_keys is not None) == (state == "kept")
