"""Seed 001 (eFulfillment Service, a 3PL): F001-1..8. The 3PL's own steps; the steps that speak of Amazon are the
shared ones (tests/bdd/steps/amazon.py). Every step reaches the mock only through its control API and SP-API
calls, so the whole feature also runs against a live mock (--mock-url)."""
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from model.workflows import efs, orders
from model.workflows.protocol import WorkflowError
from model.workflows.session import Session
from tests.bdd.marketplace import AmazonOrder, Catalog, Marketplace, Seller
from tests.bdd.steps.amazon import ORDINALS, amazon_quantity, journal_time, listing, tracking_calls, verified

scenarios("001_efulfillment_service.feature")


@dataclass
class ThreePL:
    """The 3PL's side: its integration (stores, orders, warehouse), a session per connected store, and the
    authorization code it used last."""
    integration: efs.Integration
    sessions: dict[str, Session] = field(default_factory=dict)
    last_code: str | None = None

    def connect(self, marketplace: Marketplace, seller: Seller, region: str, nickname: str,
                code: str | None = None, **settings: Any) -> efs.AmazonStore:
        """The seller authorizes the 3PL in Seller Central (unless a `code` is given), and the 3PL connects."""
        code = code or marketplace.control.post(f"/_testbed/sellers/{seller.seller_id}/authorize"
                                                ).json["spapi_oauth_code"]
        self.last_code = code
        store: efs.AmazonStore = marketplace.run_plain(efs.connect(
            self.integration, nickname, region, seller.client_id, seller.client_secret, code, seller.seller_id,
            **settings))
        self.sessions[nickname] = marketplace.session_for(store.client_id, store.client_secret, store.refresh_token)
        return store


@dataclass(frozen=True)
class ScheduleRun:
    """The 3PL's schedule for one store, run from `started` (the mock's clock): its log of (time, job, outcome)."""
    started: float
    log: list[tuple[float, str, str]]


@pytest.fixture
def catalog_size() -> int:
    """Every seller of this feature lists 30 SKUs."""
    return 30


@pytest.fixture
def three_pl(marketplace: Marketplace) -> ThreePL:
    return ThreePL(efs.Integration(marketplace.clock, efs.ThreePlWarehouse(marketplace.clock)))


@pytest.fixture
def session(three_pl: ThreePL, store: efs.AmazonStore) -> Session:
    """The integration's session here is the 3PL's for the connected store."""
    return three_pl.sessions[store.nickname]


def seller_order_id(marketplace: Marketplace, session: Session, order_id: str) -> str | None:
    payload = marketplace.call("ordersV0.getOrder", session, path={"orderId": order_id}).body["payload"]
    seller_order: str | None = payload.get("SellerOrderId")
    return seller_order


# connecting (F001-1)
@when(parsers.parse('the 3PL connects the {which} seller in region "{region}" as "{nickname}" with a fulfillment '
                    'latency of {days:d} days'))
def connect_seller(marketplace: Marketplace, three_pl: ThreePL, sellers: list[tuple[Seller, Catalog]], which: str,
                   region: str, nickname: str, days: int) -> None:
    seller, _ = sellers[ORDINALS[which]]
    three_pl.connect(marketplace, seller, region, nickname, fulfillment_latency_days=days)


@when(parsers.parse('the 3PL tries to connect the {which} seller in region "{region}" as "{nickname}"'),
      target_fixture="error")
def try_connect(marketplace: Marketplace, three_pl: ThreePL, sellers: list[tuple[Seller, Catalog]], which: str,
                region: str, nickname: str) -> ValueError:
    seller, _ = sellers[ORDINALS[which]]
    with pytest.raises(ValueError) as refused:
        three_pl.connect(marketplace, seller, region, nickname)
    return refused.value


@then("the connection is refused naming the regions NA, EU, FE")
def region_refused(three_pl: ThreePL, error: ValueError) -> None:
    assert "NA, EU, FE" in str(error) and three_pl.integration.stores == {}


@when(parsers.parse('the same authorization code is used again to connect "{nickname}"'), target_fixture="error")
def reuse_code(marketplace: Marketplace, three_pl: ThreePL, sellers: list[tuple[Seller, Catalog]],
               nickname: str) -> WorkflowError:
    seller, _ = sellers[0]
    with pytest.raises(WorkflowError) as refused:
        three_pl.connect(marketplace, seller, "NA", nickname, code=three_pl.last_code)
    return refused.value


@then(parsers.parse('Login with Amazon refuses it and the 3PL has only the store "{nickname}"'))
def code_refused(three_pl: ThreePL, error: WorkflowError, nickname: str) -> None:
    assert error.response.status == 400 and error.response.body["error"] == "invalid_grant"
    assert list(three_pl.integration.stores) == [nickname]
    assert three_pl.integration.stores[nickname].marketplace_id == efs.REGIONS["EU"][1]


@then(parsers.parse('the 3PL has the stores "{first}" and "{second}", each with its own refresh token and settings'))
def two_stores(three_pl: ThreePL, sellers: list[tuple[Seller, Catalog]], first: str, second: str) -> None:
    stores = three_pl.integration.stores
    assert list(stores) == [first, second]
    assert [stores[n].refresh_token for n in (first, second)] == [s.refresh_token for s, _ in sellers]
    assert [stores[n].seller_id for n in (first, second)] == [s.seller_id for s, _ in sellers]
    assert (stores[first].fulfillment_latency_days, stores[second].fulfillment_latency_days) == (3, 2)


@then(parsers.parse('a buyer\'s order at the second seller is found by "{owner}" and not by "{other}"'))
def order_found_by_owner(marketplace: Marketplace, three_pl: ThreePL, sellers: list[tuple[Seller, Catalog]],
                         owner: str, other: str) -> None:
    seller, catalog = sellers[1]
    order_id = marketplace.place_order(seller, "MFN", catalog.mfn_skus[0], 1)
    verified(marketplace)
    since = marketplace.clock.now().replace(year=marketplace.clock.now().year - 1)
    found = {name: [o["AmazonOrderId"] for o in marketplace.run(orders.ready_to_ship(since), three_pl.sessions[name])]
             for name in (owner, other)}
    assert order_id in found[owner] and order_id not in found[other]


# orders (F001-6/7/8)
@given(parsers.parse('a seller connected to the 3PL as "{nickname}"'), target_fixture="store")
def connected_store(marketplace: Marketplace, three_pl: ThreePL, seller: Seller, catalog: Catalog,
                    nickname: str) -> efs.AmazonStore:
    return three_pl.connect(marketplace, seller, "NA", nickname)


@given("the warehouse stocks the seller's merchant-fulfilled SKUs")
def warehouse_stocks(three_pl: ThreePL, catalog: Catalog) -> None:
    for sku in catalog.mfn_skus:
        three_pl.integration.warehouse.receive(sku, 50)


@given(parsers.parse('{method} shipping is mapped to the warehouse service "{service}"'))
@when(parsers.parse('{method} shipping is mapped to the warehouse service "{service}"'))
def map_method(store: efs.AmazonStore, method: str, service: str) -> None:
    store.shipping_map[method] = service


@given(parsers.parse('the warehouse refuses orders because "{reason}"'))
def warehouse_refuses(three_pl: ThreePL, reason: str) -> None:
    three_pl.integration.warehouse.refusing = reason


@when(parsers.parse('the 3PL checks "{nickname}" for orders'))
def check(marketplace: Marketplace, session: Session, three_pl: ThreePL, nickname: str) -> None:
    marketplace.run(efs.order_check(three_pl.integration, nickname), session)


@when(parsers.parse('the 3PL checks "{nickname}" for orders twice'))
def check_twice(marketplace: Marketplace, session: Session, three_pl: ThreePL, nickname: str) -> None:
    check(marketplace, session, three_pl, nickname)
    check(marketplace, session, three_pl, nickname)


@when(parsers.parse('the warehouse takes orders again and the 3PL checks "{nickname}" for orders'))
def warehouse_back(marketplace: Marketplace, session: Session, three_pl: ThreePL, nickname: str) -> None:
    three_pl.integration.warehouse.refusing = None
    check(marketplace, session, three_pl, nickname)


@then(parsers.parse('the warehouse holds the order once, to ship by "{service}"'))
def held_once(three_pl: ThreePL, catalog: Catalog, amazon_orders: list[AmazonOrder], order_id: str,
              service: str) -> None:
    warehouse = three_pl.integration.warehouse
    assert warehouse.injected[order_id].service == service
    assert warehouse.stock[catalog.mfn_skus[0]] == 50 - sum(o.units for o in amazon_orders)   # taken once


@then("the 3PL order is acknowledged, and Amazon shows the 3PL's order number as the seller order ID")
def acknowledged(marketplace: Marketplace, session: Session, three_pl: ThreePL, order_id: str) -> None:
    order = three_pl.integration.orders[order_id]
    assert order.status == "acknowledged"
    assert [step.trigger for step in order.history][-1] == "acknowledge"
    assert seller_order_id(marketplace, session, order_id) == order.id


@then("the warehouse does not hold the order, and Amazon shows no seller order ID")
def not_held(marketplace: Marketplace, session: Session, three_pl: ThreePL, order_id: str) -> None:
    assert order_id not in three_pl.integration.warehouse.injected
    assert seller_order_id(marketplace, session, order_id) is None
    assert three_pl.integration.orders[order_id].status in ("imported", "on_hold")


@then(parsers.parse('the 3PL order notes say "{text}"'))
def notes_say(three_pl: ThreePL, order_id: str, text: str) -> None:
    assert any(text in note for note in three_pl.integration.orders[order_id].notes)


@when(parsers.parse('the warehouse ships the order with tracking number "{tracking}"'))
def warehouse_ships(three_pl: ThreePL, order_id: str, tracking: str) -> None:
    three_pl.integration.warehouse.ship_order(order_id, "UPS", tracking)


@then("the 3PL order is fully shipped")
def fully_shipped(three_pl: ThreePL, order_id: str) -> None:
    assert three_pl.integration.orders[order_id].status == "fully_shipped"


@then(parsers.parse("the warehouse holds {count:d} orders, each once, all acknowledged"))
def all_held(marketplace: Marketplace, session: Session, three_pl: ThreePL, catalog: Catalog,
             amazon_orders: list[AmazonOrder], count: int) -> None:
    integration, order_ids = three_pl.integration, [o.id for o in amazon_orders]
    assert sorted(integration.warehouse.injected) == sorted(order_ids) and len(order_ids) == count
    assert integration.warehouse.stock[catalog.mfn_skus[0]] == 50 - count
    assert all(integration.orders[o].status == "acknowledged" for o in order_ids)
    assert [seller_order_id(marketplace, session, o) for o in order_ids] == \
        [integration.orders[o].id for o in order_ids]


@then(parsers.parse('the 3PL order is on hold with a note naming "{method}"'))
def on_hold(three_pl: ThreePL, order_id: str, method: str) -> None:
    order = three_pl.integration.orders[order_id]
    assert order.status == "on_hold" and any(method in note for note in order.notes)


# inventory (F001-2/3/4/5)
@given(parsers.parse("inventory sync is on with a fulfillment latency of {days:d} days"))
def sync_on(store: efs.AmazonStore, days: int) -> None:
    store.inventory_sync = True
    store.fulfillment_latency_days = days


@given(parsers.parse("the warehouse has {a:d} units of the first SKU, {b:d} of the second and {c:d} of the third"),
       target_fixture="quantities_before")
def warehouse_has(marketplace: Marketplace, session: Session, three_pl: ThreePL, seller: Seller, catalog: Catalog,
                  a: int, b: int, c: int) -> dict[str, int]:
    """The warehouse receives the units; Amazon's quantities of the three SKUs before are handed on."""
    before = {sku: amazon_quantity(marketplace, session, seller, sku) for sku in catalog.mfn_skus[:3]}
    for sku, units in zip(catalog.mfn_skus, (a, b, c)):
        three_pl.integration.warehouse.receive(sku, units)
    return before


@given(parsers.parse('the first SKU is activated, the second is activated as "{missing}", the third is not '
                     'activated'))
def some_activated(store: efs.AmazonStore, catalog: Catalog, missing: str) -> None:
    first, second, third = catalog.mfn_skus[:3]
    store.activate(first)
    store.activate(second, missing)
    store.activate(third, active=False)


@given("the first, second and third SKUs are activated")
def all_activated(store: efs.AmazonStore, catalog: Catalog) -> None:
    for sku in catalog.mfn_skus[:3]:
        store.activate(sku)


@given(parsers.parse('the 3PL synced inventory for "{nickname}" {hours:d} hours ago'))
def synced_earlier(marketplace: Marketplace, session: Session, three_pl: ThreePL, nickname: str,
                   hours: int) -> None:
    marketplace.run(efs.sync_inventory(three_pl.integration, nickname), session)
    marketplace.advance(hours * 3600)


@when(parsers.parse("the fulfillment latency becomes {days:d} days"))
def latency_changes(store: efs.AmazonStore, days: int) -> None:
    store.fulfillment_latency_days = days


@when(parsers.parse("the warehouse receives {units:d} units of the first SKU and counts {fewer:d} fewer of the "
                    "second"))
def activity(three_pl: ThreePL, catalog: Catalog, units: int, fewer: int) -> None:
    three_pl.integration.warehouse.receive(catalog.mfn_skus[0], units)
    three_pl.integration.warehouse.adjust(catalog.mfn_skus[1], -fewer)


@when(parsers.parse("the warehouse receives {units:d} units of the first SKU"))
def receives(three_pl: ThreePL, catalog: Catalog, units: int) -> None:
    three_pl.integration.warehouse.receive(catalog.mfn_skus[0], units)


@when(parsers.parse('the 3PL syncs inventory for "{nickname}"'), target_fixture="sent")
def sync(marketplace: Marketplace, session: Session, three_pl: ThreePL, nickname: str) -> dict[str, Any]:
    sent: dict[str, Any] = marketplace.run(efs.sync_inventory(three_pl.integration, nickname), session)
    return sent


@then("Amazon's quantities of the second and third SKUs are unchanged")
def others_unchanged(marketplace: Marketplace, session: Session, seller: Seller, catalog: Catalog,
                     quantities_before: dict[str, int], sent: dict[str, Any]) -> None:
    for sku in catalog.mfn_skus[1:3]:
        item = listing(marketplace, session, seller, sku)
        assert item["fulfillmentAvailability"][0]["quantity"] == quantities_before[sku]
        assert "fulfillment_availability" not in item.get("attributes", {})
    assert list(sent) == [catalog.mfn_skus[0]]


@when(parsers.parse('the 3PL\'s schedule for "{nickname}" runs for {hours:d} hours'), target_fixture="schedule")
def schedule_runs(marketplace: Marketplace, session: Session, three_pl: ThreePL, nickname: str,
                  hours: int) -> ScheduleRun:
    started = marketplace.clock.seconds()
    return ScheduleRun(started, marketplace.run(efs.run_schedule(three_pl.integration, nickname, hours), session))


def job_times(schedule: ScheduleRun, job: str) -> list[float]:
    return [at - schedule.started for at, name, _ in schedule.log if name == job]


@then(parsers.parse("it checked for orders {count:d} times, 30 minutes apart"))
def order_checks(schedule: ScheduleRun, count: int) -> None:
    assert job_times(schedule, "orders") == pytest.approx([n * 1800.0 for n in range(count)], abs=1.0)


@then(parsers.parse("it synced inventory {count:d} times, 12 hours apart"))
def inventory_syncs(schedule: ScheduleRun, count: int) -> None:
    assert job_times(schedule, "inventory") == pytest.approx([n * 43_200.0 for n in range(count)], abs=1.0)


@then("asking for a sync every 6 hours is refused: at most every 12 hours")
def six_hours_refused() -> None:
    with pytest.raises(ValueError, match="at most every 12 hours"):
        efs.AmazonStore("Fast", "NA", "A1", "ATVPDKIKX0DER", "id", "secret", "token", inventory_sync_hours=6)


@then("nothing was sent, because it synced less than 12 hours ago")
def nothing_sent(marketplace: Marketplace, session: Session, seller: Seller, catalog: Catalog,
                 store: efs.AmazonStore, sent: dict[str, Any]) -> None:
    assert sent == {}
    assert store.log[-1][2] == "synced less than 12 hours ago"
    assert amazon_quantity(marketplace, session, seller, catalog.mfn_skus[0]) == 40


@given(parsers.parse("the seller is enrolled in Remote Fulfillment with FBA and the option is {option}"))
def remote_fulfillment(store: efs.AmazonStore, option: str) -> None:
    store.remote_fulfillment_enrolled = True
    store.remote_fulfillment_with_fba = option == "Yes"


@then(parsers.parse("Amazon's quantity of the first SKU is {quantity}"))
def first_quantity(marketplace: Marketplace, session: Session, seller: Seller, catalog: Catalog,
                   quantities_before: dict[str, int], quantity: str) -> None:
    sku = catalog.mfn_skus[0]
    expected = quantities_before[sku] if quantity == "unchanged" else int(quantity)
    assert amazon_quantity(marketplace, session, seller, sku) == expected


@then(parsers.parse("Amazon received the order's tracking within {minutes:d} minutes of the warehouse shipping it"))
def tracking_soon(marketplace: Marketplace, three_pl: ThreePL, order_id: str, minutes: int) -> None:
    """The journal's accepted confirmShipment for the order, against when the warehouse shipped it."""
    [posted] = tracking_calls(marketplace, order_id)
    _, _, shipped_at = three_pl.integration.warehouse.shipped[order_id]
    assert -0.001 <= journal_time(posted).timestamp() - shipped_at <= minutes * 60


@when(parsers.parse("another cart's order takes {units:d} units of the first SKU from the warehouse"))
def other_cart(three_pl: ThreePL, catalog: Catalog, units: int) -> None:
    """The seller's webstore sells from the same warehouse stock."""
    three_pl.integration.warehouse.take_cart_order("webstore", "W-1001", [(catalog.mfn_skus[0], units)])


@then("the sync sent only the first SKU")
def only_first(catalog: Catalog, sent: dict[str, Any]) -> None:
    assert list(sent) == [catalog.mfn_skus[0]]
