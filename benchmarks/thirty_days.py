"""The `thirty-days` scenario (10,000 SKUs, about 100,000 orders): wall time and simulated seconds per wall
second; then the same number of SimPy events through bare SimPy on this machine, for the ratio.

Run: python benchmarks/thirty_days.py [--days D]
"""
import argparse
import resource
import time

import simpy

from simulator import scenario as scenarios
from simulator.run import simulate


def bare_simpy(events: int, processes: int = 20) -> float:
    env = simpy.Environment()

    def ticker(env, count):
        for _ in range(count):
            yield env.timeout(1)

    for _ in range(processes):
        env.process(ticker(env, events // processes))
    started = time.perf_counter()
    env.run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=None)
    args = parser.parse_args()
    overrides = [f"run.days={args.days}"] if args.days else []
    world, report = simulate(scenarios.apply_overrides(scenarios.load("thirty-days"), overrides))
    events = next(world.env._eid)  # SimPy numbers every event it schedules
    placed = sum(report["orders"]["placed"].values())
    wall = report["wall_seconds"]
    print(f"thirty-days: {report['simulated_seconds'] / 86_400:.1f} simulated days, {placed} orders, "
          f"{sum(v['calls'] for v in report['calls'].values())} API calls, {events} SimPy events")
    print(f"wall time {wall:.1f} s (target: under 60 s); "
          f"{report['simulated_seconds'] / wall:,.0f} simulated seconds per wall second; "
          f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    bare = bare_simpy(events)
    print(f"bare SimPy, same {events} events: {bare:.2f} s; the testbed costs {wall / bare:.0f}x bare SimPy "
          "(the rest is the mock's state, rules and SQLite)")


if __name__ == "__main__":
    main()
