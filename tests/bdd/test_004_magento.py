"""Seed 004 (Magento Amazon Sales Channel): F004-1..4. Every step reaches the mock only through its control API
and SP-API calls, so the whole feature also runs against a live mock (--mock-url)."""
from pytest_bdd import given, parsers, scenarios, then, when

from model.lifecycles import Lifecycles
from model.workflows import sales_channel
from model.workflows.session import Session
from tests.bdd.marketplace import Catalog, Marketplace, Seller

scenarios("004_magento_amazon_sales_channel.feature")


@given("a store whose Amazon sales channel creates customers", target_fixture="channel")
def store_with_channel(marketplace: Marketplace) -> sales_channel.SalesChannel:
    """The store's sales channel imports the orders updated since the scenario began."""
    return sales_channel.SalesChannel(Lifecycles(marketplace.clock).store_order)


@given(parsers.parse("the sales channel is set to {creation}"))
def creation(channel: sales_channel.SalesChannel, creation: str) -> None:
    channel.create_customers = creation == "create customers"


@given(parsers.re(r"a buyer orders (an|a) (?P<kind>FBA|merchant-fulfilled) SKU on Amazon"), target_fixture="order_id")
def buyer_orders(marketplace: Marketplace, seller: Seller, catalog: Catalog, kind: str) -> str:
    channel = "AFN" if kind == "FBA" else "MFN"
    sku = catalog.fba_skus[0] if channel == "AFN" else catalog.mfn_skus[0]
    # the seeded catalog has Amazon stock of every FBA SKU; merchant-fulfilled orders need none at Amazon
    return marketplace.place_order(seller, channel, sku, 1)


@when("the sales channel syncs")
@when("the sales channel syncs again")
def sync(marketplace: Marketplace, session: Session, channel: sales_channel.SalesChannel) -> None:
    marketplace.run(sales_channel.sync(channel, marketplace.started), session)


@when("Amazon verifies the payment and the sales channel syncs again")
@given("Amazon verifies the payment and the sales channel syncs again")
def verified_and_sync(marketplace: Marketplace, session: Session, channel: sales_channel.SalesChannel) -> None:
    marketplace.advance(marketplace.settings()["verification_seconds"])
    sync(marketplace, session, channel)


@then("the order is imported but not shown, and no store order exists")
def hidden(channel: sales_channel.SalesChannel, order_id: str) -> None:
    record = channel.records[order_id]
    assert record.amazon_status == "Pending" and not record.shown and record.store_order is None


@then("the order is shown with its price and buyer, and its store order is created")
def shown(channel: sales_channel.SalesChannel, order_id: str) -> None:
    record = channel.records[order_id]
    assert record.shown and record.amazon_status == "Unshipped"
    store_order = record.store_order
    assert store_order.total and store_order.customer.endswith("@marketplace.amazon.com")
    assert store_order.status == "acknowledged"
    assert [step.trigger for step in store_order.history] == ["import_order", "acknowledge"]


@then(parsers.parse("the store order belongs to {owner}"))
def owner(channel: sales_channel.SalesChannel, order_id: str, owner: str) -> None:
    store_order = channel.records[order_id].store_order
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
    assert channel.records[order_id].store_order.status == "fully_shipped"


@then("the store sent no e-mail: Amazon notifies the buyer")
def no_email(channel: sales_channel.SalesChannel) -> None:
    assert channel.outbox == []


@then("the FBA order is not imported")
def fba_not_imported(channel: sales_channel.SalesChannel, order_id: str) -> None:
    assert order_id not in channel.records


@when("Amazon ships it and the sales channel syncs again")
def amazon_ships(marketplace: Marketplace, session: Session, channel: sales_channel.SalesChannel) -> None:
    marketplace.advance(marketplace.settings()["afn_ship_seconds"])
    sync(marketplace, session, channel)


@then("its store order is created already complete")
def created_complete(channel: sales_channel.SalesChannel, order_id: str) -> None:
    store_order = channel.records[order_id].store_order
    assert store_order.status == "fully_shipped"
    assert [step.trigger for step in store_order.history] == ["import_completed"]
