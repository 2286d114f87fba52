"""Amazon's side: the mock does its own work (verification, fulfilment, report processing, returns) on timers;
this actor makes sure they run on time even when nobody calls, and moves stock in (FBA receipts)."""
from __future__ import annotations

from simulator.transport import Steps
from simulator.world import World

TICK_SECONDS = 60.0


def fulfilment_centre(world: World) -> Steps[None]:
    """Runs whatever Amazon has due, every minute of simulated time."""
    while True:
        world.amazon.run_due()
        yield world.env.timeout(TICK_SECONDS)


def fba_receipts(world: World) -> Steps[None]:
    """Inbound FBA stock arrives once a day for SKUs running low, so FBA orders can keep coming."""
    seller, rng = world.seller.seller_id, world.rng
    while True:
        yield world.env.timeout(86_400)
        ledger = world.amazon.ledger(seller)
        with world.amazon.lock, world.amazon.store.transaction():
            for sku in world.skus["fba"]:
                positions = [p for p in ledger.positions_of(sku) if p.channel == "AFN"]
                if positions and sum(p.sellable for p in positions) < 10:
                    ledger.adjust(sku, positions[0].location, rng.randint(20, 60), channel="AFN")


def token_chaos(world: World) -> Steps[None]:
    """Chaos: the access token is revoked behind the integration's back; it must renew and go on."""
    hours = world.scenario["integration"]["token_revoked_every_hours"]
    while hours > 0:
        yield world.env.timeout(hours * 3600)
        world.amazon.auth.revoke()
        world.metrics.count("tokens.revoked")
