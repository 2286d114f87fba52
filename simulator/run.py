"""Run a scenario: build the world, start the actors, advance SimPy to the end, report."""
from __future__ import annotations

import gc
from typing import Callable

from model.clock import Stopwatch
from simulator.actors import amazon as amazon_side
from simulator.actors import customers, integration, seller
from simulator.report import build
from simulator.world import World


def start(world: World, reference_integration: bool) -> None:
    """Every actor of the scenario, in a fixed order (processes due at the same instant run in this order):
    customers, Amazon's fulfilment centre and FBA receipts, the reference integration's schedules if it runs
    in-process, the seller's warehouse, the observer, and Amazon's token revocations."""
    env = world.env
    env.process(customers.shoppers(world))
    env.process(amazon_side.fulfilment_centre(world))
    env.process(amazon_side.fba_receipts(world))
    if reference_integration:
        integration.start(world)
    env.process(seller.restocker(world))
    env.process(seller.sampler(world))
    env.process(amazon_side.token_chaos(world))
    env.process(customers.returns(world))


def simulate(scenario: dict, progress: Callable[[float, float], None] | None = None,
             write_behind: bool = True) -> tuple[World, dict]:
    """`write_behind` keeps the mock's entities in memory (Store's): an optimisation only, the report is the same
    without it (tests/simulator/test_simulator.py)."""
    stopwatch = Stopwatch()
    world = World(scenario, write_behind=write_behind)
    env = world.env
    start(world, reference_integration=True)
    end = world.end_of_orders + scenario["run"]["drain_hours"] * 3600
    step = max(60.0, end / 200)
    try:
        while env.now < end:
            env.run(until=min(end, env.now + step))
            # The world only grows (the mock keeps every entity live), so each full collection would walk all of
            # it again: seconds per collection a month in. Freezing what has survived a step spares that walk;
            # the simulation makes almost no cyclic garbage, so nothing measurable is held back.
            gc.freeze()
            if progress is not None:
                progress(env.now, end)
    finally:
        gc.unfreeze()  # the world's cycles become collectable again once the caller drops it
    return world, build(world, stopwatch.seconds())
