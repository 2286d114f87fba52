"""Run a simulation scenario and write its report.

    python run_sim.py [SCENARIO | FILE.toml] [--seed N] [--days D] [--out DIR] [--set key=value ...]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from simulator import scenario as scenarios

    parser = argparse.ArgumentParser(prog="run_sim.py", description="Simulate a seller's Amazon integration on a "
                                     "virtual clock and report what happened.")
    parser.add_argument("scenario", nargs="?", default="default",
                        help=f"a named scenario ({', '.join(scenarios.available())}) or a .toml file")
    parser.add_argument("--seed", type=int, help="random seed (the same seed gives the same report)")
    parser.add_argument("--days", type=float, help="simulated days of customer orders")
    parser.add_argument("--out", default="out", help="folder for report.json and the plots (default: out)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override any scenario key, e.g. --set latency.mean_ms=0 (repeatable)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    overrides = list(args.set)
    if args.seed is not None:
        overrides.append(f"run.seed={args.seed}")
    if args.days is not None:
        overrides.append(f"run.days={args.days}")
    try:
        scenario = scenarios.apply_overrides(scenarios.load(args.scenario), overrides)
    except scenarios.ScenarioError as error:
        print(f"run_sim.py: {error}", file=sys.stderr)
        return 2

    from tqdm import tqdm

    from simulator.report import summary, write
    from simulator.run import simulate

    bar = tqdm(total=100, unit="%", desc=f"simulating {scenario['name']}", disable=args.no_progress,
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}")

    def progress(now: float, end: float) -> None:
        bar.n = round(100 * now / end, 1)
        bar.set_postfix_str(f"day {now / 86_400:.2f}")
        bar.refresh()

    try:
        world, report = simulate(scenario, progress)
    except scenarios.ScenarioError as error:
        bar.close()
        print(f"run_sim.py: {error}", file=sys.stderr)
        return 2
    bar.close()
    written = write(world, report, Path(args.out))
    print(summary(report))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
