"""Seed 004 (Magento Amazon Sales Channel): F004-1..4."""
from pytest_bdd import given, parsers, scenarios, then, when

from model.lifecycles import Lifecycles
from model.workflows import sales_channel

scenarios("004_magento_amazon_sales_channel.feature")


@given("a store whose Amazon sales channel creates customers")
def store(bdd):
    bdd.channel = sales_channel.SalesChannel(Lifecycles(bdd.clock).store_order)
    bdd.since = bdd.clock.now()


@given(parsers.parse("the sales channel is set to {creation}"))
def creation(bdd, creation):
    bdd.channel.create_customers = creation == "create customers"


@given(parsers.re(r"a buyer orders (an|a) (?P<kind>FBA|merchant-fulfilled) SKU on Amazon"))
def buyer_orders(bdd, kind):
    channel = "AFN" if kind == "FBA" else "MFN"
    sku = bdd.fba_skus[0] if channel == "AFN" else bdd.mfn_skus[0]
    # the seeded catalog has Amazon stock of every FBA SKU; merchant-fulfilled orders need none at Amazon
    placed = bdd.control.post("/_testbed/orders", json={"seller_id": bdd.seller.seller_id, "channel": channel,
                                                        "lines": [{"sku": sku, "quantity": 1}]})
    assert placed.status_code == 201, placed.json
    bdd.order_id = placed.json["order_id"]


@when("the sales channel syncs")
@when("the sales channel syncs again")
def sync(bdd):
    bdd.run(sales_channel.sync(bdd.channel, bdd.since))


@when("Amazon verifies the payment and the sales channel syncs again")
@given("Amazon verifies the payment and the sales channel syncs again")
def verified_and_sync(bdd):
    bdd.advance(bdd.settings()["verification_seconds"])
    sync(bdd)


@then("the order is imported but not shown, and no store order exists")
def hidden(bdd):
    record = bdd.channel.records[bdd.order_id]
    assert record.amazon_status == "Pending" and not record.shown and record.store_order is None


@then("the order is shown with its price and buyer, and its store order is created")
def shown(bdd):
    record = bdd.channel.records[bdd.order_id]
    assert record.shown and record.amazon_status == "Unshipped"
    store_order = record.store_order
    assert store_order.total and store_order.customer.endswith("@marketplace.amazon.com")
    assert store_order.status == "acknowledged"
    assert [step.trigger for step in store_order.history] == ["import_order", "acknowledge"]


@then(parsers.parse("the store order belongs to {owner}"))
def owner(bdd, owner):
    store_order = bdd.channel.records[bdd.order_id].store_order
    if owner == "a guest":
        assert store_order.customer is None and bdd.channel.customers == {}
    else:
        assert store_order.customer in bdd.channel.customers


@when(parsers.parse('the store ships it with tracking number "{tracking}"'))
def store_ships(bdd, tracking):
    bdd.run(sales_channel.ship_in_store(bdd.channel, bdd.order_id, "UPS", tracking, bdd.clock.now()))


@then("the store order is complete")
def complete(bdd):
    assert bdd.channel.records[bdd.order_id].store_order.status == "fully_shipped"


@then("the store sent no e-mail: Amazon notifies the buyer")
def no_email(bdd):
    assert bdd.channel.outbox == []


@then("the FBA order is not imported")
def fba_not_imported(bdd):
    assert bdd.order_id not in bdd.channel.records


@when("Amazon ships it and the sales channel syncs again")
def amazon_ships(bdd):
    bdd.advance(bdd.settings()["afn_ship_seconds"])
    sync(bdd)


@then("its store order is created already complete")
def created_complete(bdd):
    store_order = bdd.channel.records[bdd.order_id].store_order
    assert store_order.status == "fully_shipped"
    assert [step.trigger for step in store_order.history] == ["import_completed"]
