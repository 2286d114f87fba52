"""The `thirty-days` scenario (10,000 SKUs, about 100,000 orders): wall time, simulated seconds per wall second
and peak memory; then the same number of SimPy events through bare SimPy on this machine, for the ratio; then the
same scenario again with every change stored in SQLite at once (no entities, positions or timers written behind),
to check that the report is the same but for its wall time (the faster path is an optimisation, not another
simulation), and how much faster the faster path is.

Run: python benchmarks/thirty_days.py [--days D] [--no-identity]
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
    parser.add_argument("--no-identity", action="store_true",
                        help="skip the second run (SQLite at once) and the report comparison")
    args = parser.parse_args()
    overrides = [f"run.days={args.days}"] if args.days else []
    scenario = scenarios.apply_overrides(scenarios.load("thirty-days"), overrides)
    world, report = simulate(scenario)
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
    if args.no_identity:
        return
    del world
    _, direct = simulate(scenario, write_behind=False)
    differing = sorted(_differences(report, direct))
    print(f"without writing behind (every change stored in SQLite at once): {direct['wall_seconds']:.1f} s; "
          f"report.json {'identical but for wall time' if not differing else 'DIFFERS: ' + ', '.join(differing[:5])}")
    if differing:
        raise SystemExit(1)


def _differences(first: object, second: object, path: str = "") -> list[str]:
    """Where two reports differ, as paths, leaving out every field of wall time."""
    if isinstance(first, dict) and isinstance(second, dict):
        return [found for key in first.keys() | second.keys() if "wall" not in key
                for found in _differences(first.get(key), second.get(key), f"{path}/{key}")]
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        return [found for index, (a, b) in enumerate(zip(first, second))
                for found in _differences(a, b, f"{path}[{index}]")]
    return [] if first == second else [path or "/"]


if __name__ == "__main__":
    main()
