"""Customers: orders arrive as a Poisson process whose rate follows the hour of the day, on every channel."""
from __future__ import annotations

from mock_amazon.errors import ApiError
from model.seller import StoreOrder
from simulator.transport import Steps
from simulator.world import World

CHANNELS = ("amazon_fba", "amazon_mfn", "webstore", "seller_flex")


def shoppers(world: World) -> Steps[None]:
    """Customers across the channels until the ordering period ends."""
    customers = world.scenario["customers"]
    profile = customers["daily_profile"]
    weight = sum(profile) / 24
    mix = [customers[c] for c in CHANNELS]
    env, rng = world.env, world.rng
    if customers["orders_per_day"] <= 0:
        return
    while env.now < world.end_of_orders:
        hour_rate = customers["orders_per_day"] / 86_400 * profile[int(env.now // 3600) % 24] / weight
        if hour_rate <= 0:
            yield env.timeout(3600 - env.now % 3600)
            continue
        yield env.timeout(rng.expovariate(hour_rate))
        if env.now >= world.end_of_orders:
            return
        channel = rng.choices(CHANNELS, mix)[0]
        buy(world, channel)


def buy(world: World, channel: str) -> None:
    """One order on one channel; a SKU out of stock at Amazon is a lost sale, not an order."""
    rng, amazon, seller = world.rng, world.amazon, world.seller.seller_id
    pool = {"amazon_fba": "fba", "amazon_mfn": "mfn", "webstore": "fba", "seller_flex": "seller_flex"}[channel]
    if not world.skus[pool]:
        return
    sku = rng.choice(world.skus[pool])
    units = 1 if rng.random() < 0.85 else 2
    try:
        if channel == "amazon_fba":
            amazon.orders.place(seller, [(sku, units)], channel="AFN", rng=rng)
        elif channel == "amazon_mfn":
            if amazon.ledger(seller).total(sku, channel="MFN") < units:
                world.metrics.count("sales_lost_no_stock")
                return
            amazon.orders.place(seller, [(sku, units)], channel="MFN", rng=rng)
        elif channel == "seller_flex":
            amazon.external_fulfillment.place(seller, world.location, [(sku, units)])
        else:
            webstore_order(world, sku, units)
    except ApiError:
        world.metrics.count("sales_lost_no_stock")
        return
    world.customer_orders[channel] = world.customer_orders.get(channel, 0) + 1


def webstore_order(world: World, sku: str, units: int) -> None:
    """An order on the merchant's own webstore for an FBA SKU: the integration sends it to Amazon (MCF)."""
    order = world.add_order("webstore", f"W{len(world.orders) + 1:07d}", [(sku, units)],
                            promised=(world.env.now + world.scenario["integration"]["handling_days"] * 86_400
                                      + 5 * 86_400))
    order.address = world.webstore_customers.pick(world.fake.random)
    order.method = world.rng.choices(("Standard", "Expedited", "Priority"), (0.7, 0.2, 0.1))[0]
    world.fire(order, "import_order")
    world.webstore_inbox.put(order)
    share = world.scenario["customers"]["webstore_cancel_share"]
    if share > 0 and world.rng.random() < share:
        world.env.process(cancel_later(world, order))


def cancel_later(world: World, order: StoreOrder) -> Steps[None]:
    """The customer asks the shop to cancel a webstore order; the integration must pass it on to Amazon."""
    yield world.env.timeout(world.scenario["customers"]["webstore_cancel_hours"] * 3600)
    world.request_cancellation(order)


def returns(world: World) -> Steps[None]:
    """Customers send back some of the seller-flex orders handed over to them; Amazon opens each return."""
    share, seller = world.scenario["customers"]["return_share"], world.seller.seller_id
    returned: set[str] = set()
    on_the_way: list[str] = []   # returns Amazon opened; a processed one is back on the warehouse's shelf
    backend = world.amazon.external_fulfillment
    while share > 0:
        yield world.env.timeout(6 * 3600)
        for shipment in list(backend.shipments.scan(seller, statuses=["SHIPPED", "DELIVERED"])):
            if shipment.id not in returned and world.rng.random() < share:
                returned.add(shipment.id)
                with world.amazon.lock, world.amazon.store.transaction():
                    on_the_way.append(backend.create_return(seller, shipment.id).id)
        for return_id in list(on_the_way):
            item = backend.returns.load(seller, return_id)
            if item.status == "PROCESSED":
                world.warehouse.receive(item.merchant_sku, item.units)
            if backend.returns.lifecycle is not None and backend.returns.lifecycle.is_final(item):
                on_the_way.remove(return_id)
