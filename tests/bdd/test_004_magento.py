"""Seed 004 (Magento Amazon Sales Channel): F004-1..4. The steps of the store and its sales channel; the steps that
speak of Amazon are the shared ones (tests/bdd/steps/amazon.py). Every step reaches the mock only through its
control API and SP-API calls, so the whole feature also runs against a live mock (--mock-url)."""
from pytest_bdd import given, parsers, scenarios, then, when

from model.lifecycles import Lifecycles
from model.workflows import sales_channel
from model.workflows.session import Session
from tests.bdd.marketplace import Marketplace

scenarios("004_magento_amazon_sales_channel.feature")


@given("a store whose Amazon sales channel creates customers", target_fixture="channel")
def store_with_channel(marketplace: Marketplace) -> sales_channel.SalesChannel:
    """The store's sales channel imports the orders updated since the scenario began."""
    return sales_channel.SalesChannel(Lifecycles(marketplace.clock).store_order)


@given(parsers.parse("the sales channel is set to {creation}"))
def creation(channel: sales_channel.SalesChannel, creation: str) -> None:
    """The order settings: "create customers" or "no customer creation" (guest orders)."""
    channel.create_customers = creation == "create customers"


@given(parsers.re(r"FBA order import is switched (?P<setting>on|off)$"))
def fba_import(channel: sales_channel.SalesChannel, setting: str) -> None:
    """The order settings: whether a shipped FBA order creates a (complete) store order."""
    channel.import_fba_orders = setting == "on"


@given("the sales channel syncs")
@when("the sales channel syncs")
def sync(marketplace: Marketplace, session: Session, channel: sales_channel.SalesChannel) -> None:
    """One import run: every Amazon order updated since the scenario began."""
    marketplace.run(sales_channel.sync(channel, marketplace.started), session)


@then("the order is imported but not shown, and no store order exists")
def hidden(channel: sales_channel.SalesChannel, order_id: str) -> None:
    record = channel.records[order_id]
    assert record.amazon_status == "Pending" and not record.shown and record.store_order is None


@then("the order is shown with its price and buyer, and its store order is created")
def shown(channel: sales_channel.SalesChannel, order_id: str) -> None:
    record = channel.records[order_id]
    assert record.shown and record.amazon_status == "Unshipped"
    store_order = record.store_order
    assert store_order is not None and store_order.total
    assert store_order.customer is not None and store_order.customer.endswith("@marketplace.amazon.com")
    assert store_order.status == "acknowledged"
    assert [step.trigger for step in store_order.history] == ["import_order", "acknowledge"]


@then(parsers.parse("the store order belongs to {owner}"))
def owner(channel: sales_channel.SalesChannel, order_id: str, owner: str) -> None:
    store_order = channel.records[order_id].store_order
    assert store_order is not None
    if owner == "a guest":
        assert store_order.customer is None and channel.customers == {}
    else:
        assert store_order.customer in channel.customers


@when(parsers.parse('the store ships it with tracking number "{tracking}"'))
def store_ships(marketplace: Marketplace, session: Session, channel: sales_channel.SalesChannel, order_id: str,
                tracking: str) -> None:
    marketplace.run(sales_channel.ship_in_store(channel, order_id, "UPS", tracking, marketplace.clock.now()), session)


@then("the store order is complete")
def complete(channel: sales_channel.SalesChannel, order_id: str) -> None:
    store_order = channel.records[order_id].store_order
    assert store_order is not None and store_order.status == "fully_shipped"


@then("the store sent no e-mail: Amazon notifies the buyer")
def no_email(channel: sales_channel.SalesChannel) -> None:
    assert channel.outbox == []


@then("the FBA order is not imported")
def fba_not_imported(channel: sales_channel.SalesChannel, order_id: str) -> None:
    assert order_id not in channel.records


@then("its store order is created already complete")
def created_complete(channel: sales_channel.SalesChannel, order_id: str) -> None:
    store_order = channel.records[order_id].store_order
    assert store_order is not None and store_order.status == "fully_shipped"
    assert [step.trigger for step in store_order.history] == ["import_completed"]


@then("no store order exists for it")
def no_store_order(channel: sales_channel.SalesChannel, order_id: str) -> None:
    assert channel.records[order_id].store_order is None


@then("the Orders tab lists no order")
def empty_tab(channel: sales_channel.SalesChannel) -> None:
    assert channel.orders_tab() == []


def amazon_status(marketplace: Marketplace, session: Session, order_id: str) -> str:
    status: str = marketplace.call("ordersV0.getOrder", session, path={"orderId": order_id}).body["payload"][
        "OrderStatus"]
    return status


@then("the Orders tab lists the order with Amazon's status and the Magento order number of its store order")
def tab_with_number(marketplace: Marketplace, session: Session, channel: sales_channel.SalesChannel,
                    order_id: str) -> None:
    store_order = channel.records[order_id].store_order
    assert store_order is not None
    assert channel.orders_tab() == [{"amazon_order_id": order_id, "status": amazon_status(marketplace, session,
                                                                                          order_id),
                                     "magento_order": store_order.id}]


@then(parsers.re(r"the Orders tab lists the order with Amazon's status (?P<status>[A-Za-z]+)$"))
def tab_status(marketplace: Marketplace, session: Session, channel: sales_channel.SalesChannel, order_id: str,
               status: str) -> None:
    assert amazon_status(marketplace, session, order_id) == status
    assert [(row["amazon_order_id"], row["status"]) for row in channel.orders_tab()] == [(order_id, status)]
