"""Run a scenario: build the world, start the actors, advance SimPy to the end, report."""
from __future__ import annotations

from typing import Callable

from model.clock import Stopwatch
from simulator.actors import amazon as amazon_side
from simulator.actors import customers, integration
from simulator.report import build
from simulator.world import World


def simulate(scenario: dict, progress: Callable[[float, float], None] | None = None) -> tuple[World, dict]:
    stopwatch = Stopwatch()
    world = World(scenario)
    env = world.env
    env.process(customers.shoppers(world))
    env.process(amazon_side.fulfilment_centre(world))
    env.process(amazon_side.fba_receipts(world))
    integration.start(world)
    end = world.end_of_orders + scenario["run"]["drain_hours"] * 3600
    step = max(60.0, end / 200)
    while env.now < end:
        env.run(until=min(end, env.now + step))
        if progress is not None:
            progress(env.now, end)
    return world, build(world, stopwatch.seconds())
