"""Seed 000 (InfiPlex OMS with Amazon FBA): F000-1..9. The OMS's own steps; the steps that speak of Amazon are the
shared ones (tests/bdd/steps/amazon.py). Every step reaches the mock only through its control API and SP-API
calls, so the whole feature also runs against a live mock (--mock-url)."""
import csv
import io
import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Iterator

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from model.workflows import oms as workflow
from model.workflows.session import Session
from tests.bdd.marketplace import AmazonOrder, Catalog, Marketplace, Seller
from tests.bdd.steps.amazon import fulfillment_orders
from tests.mock.mcf import ADDRESS

scenarios("000_infiplex_oms_fba.feature")

CUSTOMER = {"name": "Grace Hopper", "email": "grace@example.com", "address": ADDRESS}


@dataclass(frozen=True)
class Pull:
    """One pull of FBA inventory: what the OMS got, and how many calls Amazon had answered before it."""
    pulled: dict[str, int]
    calls_before: int


@pytest.fixture
def order_numbers() -> Iterator[int]:
    """Each order a customer places on the webstore, eBay or Groupon gets the next number."""
    return itertools.count(1)


@pytest.fixture
def pulls() -> list[Pull]:
    """Every pull of FBA inventory in the scenario, in order."""
    return []


@pytest.fixture
def mixed_skus(oms: workflow.Oms, catalog: Catalog) -> tuple[str, str]:
    """An FBA SKU and a merchant-fulfilled one, for an order that mixes them (chosen when first asked for)."""
    return fba_sku(oms), catalog.mfn_skus[0]


def calls_so_far(marketplace: Marketplace) -> int:
    return len(marketplace.traffic())


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
    """The OMS holds the seller's Amazon keys; the seller's catalog is seeded (FBA and merchant-fulfilled)."""
    keys = {"client_id": seller.client_id, "client_secret": seller.client_secret,
            "refresh_token": seller.refresh_token}
    return workflow.Oms(marketplace.clock, amazon_keys=keys)


@given(parsers.parse("the setting {name} is no"))
def setting_off(oms: workflow.Oms, name: str) -> None:
    assert hasattr(oms.settings, name), name
    setattr(oms.settings, name, False)


@when("the OMS pulls FBA inventory", target_fixture="pull")
@given("the OMS pulled FBA inventory", target_fixture="pull")
def pull_inventory(marketplace: Marketplace, session: Session, oms: workflow.Oms, pulls: list[Pull]) -> Pull:
    calls_before = calls_so_far(marketplace)
    pulls.append(Pull(dict(marketplace.run(workflow.pull_fba_inventory(oms), session)), calls_before))
    return pulls[-1]


@then("it knows every FBA SKU of the seller, and no merchant-fulfilled SKU")
def knows_fba_skus(oms: workflow.Oms, catalog: Catalog) -> None:
    assert sorted(oms.fba_skus) == sorted(catalog.fba_skus)
    assert all(isinstance(units, int) and units >= 0 for units in oms.fba_skus.values())
    assert not set(oms.fba_skus) & set(catalog.mfn_skus)


@then(parsers.parse("the OMS shows {units:d} fewer fulfillable units of the ordered SKU"))
def fewer(oms: workflow.Oms, pulls: list[Pull], amazon_orders: list[AmazonOrder], units: int) -> None:
    sku = amazon_orders[-1].sku
    assert pulls[-2].pulled[sku] - pulls[-1].pulled[sku] == units and oms.fba_skus[sku] == pulls[-1].pulled[sku]


@then("it knows no FBA SKU, and it made no call to Amazon")
def knows_nothing(marketplace: Marketplace, oms: workflow.Oms, pull: Pull) -> None:
    assert oms.fba_skus == {} and pull.pulled == {}
    assert calls_so_far(marketplace) == pull.calls_before


@when("the OMS imports Amazon orders", target_fixture="imported")
def import_amazon(marketplace: Marketplace, session: Session, oms: workflow.Oms) -> list[workflow.OmsOrder]:
    since = marketplace.started - timedelta(days=1)
    imported: list[workflow.OmsOrder] = marketplace.run(workflow.import_amazon_orders(oms, since), session)
    return imported


@then("the order is in the OMS with no package and a note that Amazon fulfils it")
def no_package(oms: workflow.Oms, order_id: str) -> None:
    [order] = [o for o in oms.orders.values() if o.channel_order_id == order_id]
    assert order.source == "amazon" and order.package_ids == [] and order.status == "acknowledged"
    assert any("Amazon fulfils them" in note for note in order.notes)


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


@when("the OMS collects FBA's answers")
def collect(marketplace: Marketplace, session: Session, oms: workflow.Oms) -> None:
    """Amazon's answer for every package at FBA: getFulfillmentOrder, recorded in a note."""
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


@then("each package is on one of them, sent once")
def one_per_package(marketplace: Marketplace, session: Session, oms: workflow.Oms) -> None:
    packages = list(oms.packages.values())
    assert all(len(p.sent_as) == 1 and p.status == "sent_to_fba" for p in packages)
    assert sorted(o["sellerFulfillmentOrderId"] for o in fulfillment_orders(marketplace, session)) == \
        sorted(p.sent_as[0] for p in packages)


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
def export_only_ordinary(oms: workflow.Oms, order: workflow.OmsOrder, order_id: str,
                         imported: list[workflow.OmsOrder]) -> None:
    [amazon] = imported
    assert amazon.channel_order_id == order_id and amazon.package_ids == []
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
def pulls_nothing(marketplace: Marketplace, session: Session, oms: workflow.Oms, pulls: list[Pull]) -> None:
    pull = pull_inventory(marketplace, session, oms, pulls)
    assert pull.pulled == {} and oms.fba_skus == {}
    assert calls_so_far(marketplace) == pull.calls_before


@then(parsers.parse("the Amazon keys are {state}"))
def keys(oms: workflow.Oms, state: str) -> None:
    assert (oms.amazon_keys is not None) == (state == "kept")


@then("the package is cancelled and the order is cancelled, with Amazon's answer in a note")
def cancelled(oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    package = only_package(oms, order)
    assert package.status == "cancelled" and [s.trigger for s in package.history][-1] == "cancel"
    assert order.status == "canceled" and package.tracking is None
    assert any(f"FBA cancelled {package.id}" in note for note in order.notes)


@then("the order does not need manual intervention, and no e-mail was sent")
def not_manual(oms: workflow.Oms, order: workflow.OmsOrder) -> None:
    assert "flag_for_manual" not in [s.trigger for s in order.history]
    assert oms.emails == [] and order.unsent_emails == []


@then(parsers.re(r"(?P<channel>ebay|groupon) was told its order is cancelled$"))
def channel_told_cancelled(oms: workflow.Oms, order: workflow.OmsOrder, channel: str) -> None:
    assert [(u["channel"], u["order"], "cancelled" in u) for u in oms.channel_updates] == \
        [(channel, order.channel_order_id, True)]


@then("webstore has no channel to tell")
def webstore_untold(oms: workflow.Oms) -> None:
    assert oms.channel_updates == []
