"""Run a simulation scenario and write its report, or sweep a scenario over seeds and settings.

    python run_sim.py [SCENARIO | FILE.toml] [--seed N] [--days D] [--out DIR] [--set key=value ...]
    python run_sim.py sweep SCENARIO --seeds 1-200 [--grid key=v1,v2,...]... [--scheduler ADDRESS] [--workers N]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn


def main(argv: list[str] | None = None) -> int:
    from simulator import scenario as scenarios

    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["sweep"]:
        return sweep(arguments[1:])
    parser = argparse.ArgumentParser(prog="run_sim.py", description="Simulate a seller's Amazon integration on a "
                                     "virtual clock and report what happened.",
                                     epilog="run_sim.py sweep --help: the same over many seeds and settings")
    parser.add_argument("scenario", nargs="?", default="default",
                        help=f"a named scenario ({', '.join(scenarios.available())}) or a .toml file")
    parser.add_argument("--seed", type=int, help="random seed (the same seed gives the same report)")
    parser.add_argument("--days", type=float, help="simulated days of customer orders")
    parser.add_argument("--out", default="out", help="folder for report.json and the plots (default: out)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override any scenario key, e.g. --set latency.mean_ms=0 (repeatable)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(arguments)
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


class OneLineParser(argparse.ArgumentParser):
    """Bad sweep input is one line on stderr and exit code 2, like every other refusal before a sweep starts."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"run_sim.py: {message}\n")


def sweep(argv: list[str]) -> int:
    from simulator import scenario as scenarios
    from simulator import sweep as sweeps

    parser = OneLineParser(prog="run_sim.py sweep", description="Run a scenario for every seed and every combination "
                           "of grid values, each a full simulation; write sweep.parquet, sweep.csv, sweep.json "
                           "(p50, p95, max per grid point) and plots. Exit code 1 if any run failed (its row holds "
                           "the error), 2 for bad input.")
    parser.add_argument("scenario", help=f"a named scenario ({', '.join(scenarios.available())}) or a .toml file")
    parser.add_argument("--seeds", required=True, metavar="RANGES", help="seeds to run, e.g. 1-200, 3, 1,5,9 or 1-4,10")
    parser.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                        help="values of one scenario key to sweep, e.g. integration.flex_push_rate=3,6,12 "
                             "(repeatable: every combination runs)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a scenario key in every run, as for a single run (repeatable)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="a Dask scheduler's address (tcp://HOST:8786): run on that cluster")
    parser.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: one per core); "
                        "0 runs the sweep serially in this process, without Dask")
    parser.add_argument("--out", default="out", metavar="DIR", help="folder for the sweep's files (default: out)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        plan = sweeps.plan(args.scenario, args.seeds, args.grid, args.set)
        with sweeps.engine(args.workers, args.scheduler) as client:
            rows = sweeps.execute(plan, client, progress=not args.no_progress)
    except (scenarios.ScenarioError, sweeps.SweepError) as error:
        print(f"run_sim.py: {error}", file=sys.stderr)
        return 2
    written = sweeps.write(plan, rows, Path(args.out))
    print(sweeps.summary(plan, rows))
    print("wrote " + ", ".join(str(p) for p in written))
    return 1 if any(row["error"] is not None for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
