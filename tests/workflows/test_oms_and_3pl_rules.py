"""Rules of the seed 000 and 001 integrations that need no Amazon: refusals with a clear message, and the
packaging and syncing rules at their edges."""
import pytest

from model.clock import VirtualClock
from model.workflows import driver, efs, oms
from model.workflows.protocol import Response

CUSTOMER = {"name": "Ada", "email": "ada@example.com", "address": {"name": "Ada", "countryCode": "US"}}


def test_an_order_is_taken_once_per_channel_and_only_from_known_channels():
    system = oms.Oms(VirtualClock(), fba_skus={"FBA-1": 5})
    oms.take_order(system, "ebay", "E-1", [("FBA-1", 1)], CUSTOMER)
    with pytest.raises(ValueError, match="already taken"):
        oms.take_order(system, "ebay", "E-1", [("FBA-1", 1)], CUSTOMER)
    oms.take_order(system, "groupon", "E-1", [("FBA-1", 1)], CUSTOMER)   # another channel's number may repeat
    with pytest.raises(ValueError, match="unknown order source 'etsy'"):
        oms.take_order(system, "etsy", "X-1", [("FBA-1", 1)], CUSTOMER)
    assert len(system.orders) == 2


def test_with_fba_disabled_no_sku_is_fba_even_if_it_was_pulled():
    system = oms.Oms(VirtualClock(), fba_skus={"FBA-1": 5})
    system.settings.amazon_fba_enabled = False
    order = oms.take_order(system, "webstore", "W-1", [("FBA-1", 1)], CUSTOMER)
    [package] = system.packages_of(order.id)
    assert not package.fba and package.status == "own_stock"


def test_a_store_refuses_settings_the_seed_rules_out():
    keys = ("Main", "NA", "A1", "ATVPDKIKX0DER", "id", "secret", "token")
    with pytest.raises(ValueError, match="at least 1"):
        efs.AmazonStore(*keys, fulfillment_latency_days=0)
    with pytest.raises(ValueError, match="at most every 12 hours"):
        efs.AmazonStore(*keys, inventory_sync_hours=11.9)
    with pytest.raises(ValueError, match="positive"):
        efs.AmazonStore(*keys, order_check_minutes=0)


def test_a_nickname_belongs_to_one_store():
    clock = VirtualClock()
    integration = efs.Integration(clock, efs.ThreePlWarehouse(clock))
    answer = Response(200, {"access_token": "Atza|x", "refresh_token": "Atzr|x", "expires_in": 3600})
    connect = lambda nickname: driver.run(  # noqa: E731
        efs.connect(integration, nickname, "NA", "id", "secret", "code", "A1"), lambda request: answer, clock.advance)
    connect("Main")
    for taken in ("Main", ""):
        with pytest.raises(ValueError, match="nickname of its own"):
            connect(taken)
    assert list(integration.stores) == ["Main"]


def test_the_warehouse_takes_an_order_once_and_refuses_unknown_skus():
    clock = VirtualClock()
    warehouse = efs.ThreePlWarehouse(clock, stock={"WH-1": 5})
    order = efs.WarehouseOrder("EFS1", "Main", "111-1", "Standard", lines=[("AMZ-1", "WH-1", 2, "item-1")])
    warehouse.inject(order)
    warehouse.inject(order)
    assert warehouse.stock["WH-1"] == 3
    unknown = efs.WarehouseOrder("EFS2", "Main", "111-2", "Standard", lines=[("AMZ-2", "WH-2", 1, "item-2")])
    with pytest.raises(efs.InjectionError, match="no SKU WH-2"):
        warehouse.inject(unknown)
    with pytest.raises(KeyError, match="not in the warehouse"):
        warehouse.ship_order("111-2", "UPS", "1Z")
    with pytest.raises(KeyError, match="no SKU"):
        warehouse.adjust("WH-9", -1)
