"""The seller's side that is not the integration: goods arriving at the warehouse, and the observer that samples
what both sides hold (orders by state, inventory drift) for the report."""
from __future__ import annotations

from simulator.transport import Steps
from simulator.world import World


def restocker(world: World) -> Steps[None]:
    """Goods arrive at the warehouse: each hour some merchant SKUs get stock (inventory activity)."""
    share = world.scenario["customers"]["restock_per_day"] / 24
    merchant = world.skus["mfn"] + world.skus["seller_flex"]
    while share > 0 and merchant:
        yield world.env.timeout(3600)
        for sku in merchant:
            if world.rng.random() < share:
                world.warehouse.receive(sku, world.rng.randint(10, 50))
                (world.flex_dirty if sku in world.flex_set else world.mfn_dirty).add(sku)


def sampler(world: World) -> Steps[None]:
    """Orders by state, and inventory drift: Amazon's sellable quantity against the warehouse's free stock."""
    env = world.env
    every = world.scenario["run"]["sample_minutes"] * 60
    seller, location = world.seller.seller_id, world.location
    while True:
        for status, number in world.orders_by_status.items():
            if number:
                world.metrics.sample(f"orders.{status}", env.now, number)
        ledger = world.amazon.ledger(seller)
        for pool, where in (("seller_flex", location), ("mfn", "DEFAULT")):
            skus = world.skus[pool][:400]
            if not skus:
                continue
            drift = []
            for sku in skus:
                position = ledger.get(sku, where)
                drift.append(abs((position.sellable if position else 0) - max(0, world.warehouse.free(sku))))
            world.metrics.sample(f"drift.{pool}", env.now, sum(drift) / len(drift))
        yield env.timeout(every)
