"""Sweeps: one scenario over many seeds and grid settings, every run a full simulation exactly as `run_sim.py`
runs it, in this process, on a Dask LocalCluster or on a cluster behind a Dask scheduler. Out come a row of
headline figures per run, percentiles per grid point, and a plot per grid key.

A task carries the scenario (plain settings) and its overrides, never a world: the worker builds the world, runs
it and sends back one small row, so any worker can run any task and a row does not depend on where it ran.
"""
from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from model.clock import Stopwatch
from simulator import scenario as scenarios
from simulator.metrics import percentile
from simulator.report import HEADLINE, headline
from simulator.run import simulate
from simulator.world import amazon_for

if TYPE_CHECKING:
    from distributed import Client
    from matplotlib.axes import Axes

#: How long a scheduler has to answer, and then to have a worker, before the sweep gives up on it.
CONNECT_TIMEOUT_SECONDS = 5.0
#: The headline figures plotted and summarised, with their labels.
SHOWN = {"push_seconds": "push (s)", "sla_breaches": "SLA breaches", "order_to_ship_p95_hours": "p95 to ship (h)",
         "orders_lost": "orders lost", "throttled_calls": "throttled calls", "retries": "retries"}
SEEDS = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?")


class SweepError(ValueError):
    """Bad sweep input (seeds, grid, workers, scheduler); the message names it."""


@dataclass(frozen=True)
class Run:
    """One simulation of a sweep: the grid point and seed it stands for, and the overrides that make it."""
    point: dict[str, Any]
    seed: int
    overrides: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """A sweep checked from end to end: the scenario as loaded, its name, the grid's keys, the seeds, and every run,
    grid point by grid point (each point's runs in seed order)."""
    scenario: dict
    name: str
    grid_keys: list[str]
    seeds: list[int]
    runs: list[Run]


def parse_seeds(text: str) -> list[int]:
    """`1-200`, `3`, `1,5,9`, `1-4,10`: the seeds in the order written, each once."""
    seeds: list[int] = []
    for part in text.split(","):
        match = SEEDS.fullmatch(part)
        if match is None:
            raise SweepError(f"--seeds {text!r}: write seeds like 1-200, 3, 1,5,9 or 1-4,10")
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        if last < first:
            raise SweepError(f"--seeds {text!r}: the range {first}-{last} is empty (write it low-high)")
        seeds.extend(range(first, last + 1))
    return list(dict.fromkeys(seeds))


def parse_grid(assignments: Sequence[str]) -> dict[str, list[str]]:
    """`--grid key=v1,v2,...` (repeatable): each key's values as written, TOML as for `--set` (so none holds a
    comma). The seed is not a grid key: `--seeds` says which seeds run."""
    grid: dict[str, list[str]] = {}
    for assignment in assignments:
        key, separator, text = assignment.partition("=")
        key = key.strip()
        values = [value.strip() for value in text.split(",")]
        if not separator or not key or not all(values):
            raise SweepError(f"--grid {assignment!r}: write key=value1,value2,..., "
                             "e.g. integration.flex_push_rate=3,6,12")
        if key == "run.seed":
            raise SweepError("--grid run.seed: give the seeds with --seeds")
        if key in grid:
            raise SweepError(f"--grid {key}: given twice; list all its values in one --grid")
        if len(set(values)) < len(values):
            raise SweepError(f"--grid {assignment!r}: a value is repeated")
        grid[key] = values
    return grid


def plan(scenario_name: str, seeds: str, grid: Sequence[str] = (), settings: Sequence[str] = ()) -> Plan:
    """Check everything before any run starts: the seeds, the scenario with `settings` (as `--set`), and every grid
    combination through `scenario.apply_overrides` and the mock's own checks of its free-form keys."""
    seed_list = parse_seeds(seeds)
    values = parse_grid(grid)
    if any(setting.partition("=")[0].strip() == "run.seed" for setting in settings):
        raise SweepError("--set run.seed: give the seeds with --seeds")
    scenario = scenarios.load(scenario_name)
    name = _checked(scenario, settings)["name"]
    runs: list[Run] = []
    for combination in itertools.product(*values.values()):
        assignments = [f"{key}={value}" for key, value in zip(values, combination)]
        try:
            resolved = _checked(scenario, [*settings, *assignments])
        except scenarios.ScenarioError as error:
            raise scenarios.ScenarioError(f"--grid point {' '.join(assignments)}: {error}") from None
        point = {key: _setting(resolved, key) for key in values}
        runs.extend(Run(point, seed, (*settings, *assignments, f"run.seed={seed}")) for seed in seed_list)
    return Plan(scenario, name, list(values), seed_list, runs)


def _checked(scenario: dict, overrides: Sequence[str]) -> dict:
    """The scenario with its overrides, checked as a run would check it, short of running."""
    resolved = scenarios.apply_overrides(scenario, list(overrides))
    amazon_for(resolved)
    return resolved


def _setting(scenario: dict, key: str) -> Any:
    """A dotted key's value as the scenario holds it (typed: `6` for a float key reads back as 6.0)."""
    value: Any = scenario
    for part in key.split("."):
        value = value[part]
    return value


def run_one(scenario: dict, overrides: Sequence[str]) -> dict[str, Any]:
    """One full simulation as `run_sim.py` runs it, reduced to its headline row. A run that raises is a row with its
    error and no figures, so the sweep goes on past it. This is the task a Dask worker runs; the world stays there."""
    stopwatch = Stopwatch()
    try:
        _, report = simulate(scenarios.apply_overrides(scenario, list(overrides)))
    except Exception as error:  # noqa: BLE001 - any failure of one run is its row, not the sweep's end
        return failed(error, round(stopwatch.seconds(), 3))
    return {**headline(report), "error": None}


def failed(error: BaseException, wall_seconds: float | None) -> dict[str, Any]:
    """The row of a run that did not finish: every figure empty, the error named."""
    return {**dict.fromkeys(HEADLINE), "wall_seconds": wall_seconds, "error": f"{type(error).__name__}: {error}"}


@contextmanager
def engine(workers: int | None, scheduler: str | None) -> Iterator[Client | None]:
    """Where the runs go: this process (no client) for `workers` 0; a LocalCluster of `workers` single-threaded
    processes (one per core when None), since a simulation holds the GIL; or the cluster behind `scheduler`, which
    must answer and have a worker within CONNECT_TIMEOUT_SECONDS, so a wrong address fails before any work."""
    if workers is not None and workers < 0:
        raise SweepError(f"--workers {workers}: give 0 (serial, in this process) or more")
    if workers is not None and scheduler is not None:
        raise SweepError("--workers and --scheduler: give one; a cluster has the workers it was started with")
    if workers == 0:
        yield None
        return
    import dask
    from dask.system import CPU_COUNT
    from distributed import Client, LocalCluster

    if scheduler is None:
        # A worker's profiler samples the running thread's stack every 10 ms under the GIL, which a pure-Python
        # simulation pays for in every run (about 8% of each run's time, measured with benchmarks/sweep.py).
        with dask.config.set({"distributed.worker.profile.enabled": False}), \
                LocalCluster(n_workers=workers or CPU_COUNT, threads_per_worker=1, processes=True,
                             dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        remote = Client(scheduler, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, ValueError) as error:
        raise SweepError(f"cannot reach the scheduler: {error}") from None
    with remote:
        try:
            remote.wait_for_workers(1, timeout=CONNECT_TIMEOUT_SECONDS)
        except TimeoutError:
            raise SweepError(f"the scheduler at {scheduler} has no worker (none joined within "
                             f"{CONNECT_TIMEOUT_SECONDS:g} s); start one with `dask worker {scheduler}`") from None
        yield remote


def execute(plan: Plan, client: Client | None, progress: bool = True) -> list[dict[str, Any]]:
    """Every run of the plan, one row each in the plan's order: scenario, seed, the grid values, the headline
    figures and `error`. Without a client the runs go one after another in this process."""
    with tqdm(total=len(plan.runs), unit="run", desc=f"sweep {plan.name}", disable=not progress) as bar:
        if client is None:
            outcomes = []
            for run in plan.runs:
                outcomes.append(run_one(plan.scenario, run.overrides))
                bar.update()
        else:
            outcomes = _on_cluster(plan, client, bar)
    return [{"scenario": plan.name, "seed": run.seed, **run.point, **outcome}
            for run, outcome in zip(plan.runs, outcomes)]


def _on_cluster(plan: Plan, client: Client, bar: tqdm) -> list[dict[str, Any]]:
    from distributed import as_completed

    futures = client.map(run_one, [plan.scenario] * len(plan.runs), [run.overrides for run in plan.runs],
                         pure=False)
    index = {future.key: number for number, future in enumerate(futures)}
    outcomes: dict[int, dict[str, Any]] = {}
    for future in as_completed(futures):
        try:
            outcomes[index[future.key]] = future.result()
        except Exception as error:  # noqa: BLE001 - a worker died or the task was lost: that run's row
            outcomes[index[future.key]] = failed(error, None)
        bar.update()
    return [outcomes[number] for number in range(len(futures))]


def points(plan: Plan, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per grid point: its values, how many runs and how many failed, and p50, p95 and max of each headline figure
    over the runs that finished."""
    size = len(plan.seeds)
    found = []
    for start in range(0, len(rows), size):
        group = rows[start:start + size]
        finished = [row for row in group if row["error"] is None]
        found.append({"grid": plan.runs[start].point, "runs": len(group), "failed": len(group) - len(finished),
                      "figures": {name: _spread([row[name] for row in finished if row[name] is not None])
                                  for name in HEADLINE}})
    return found


def _spread(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None, "max": None}
    return {"p50": percentile(ordered, 0.5), "p95": percentile(ordered, 0.95), "max": ordered[-1]}


def write(plan: Plan, rows: list[dict[str, Any]], out: Path) -> list[Path]:
    """sweep.parquet and sweep.csv (a row per run), sweep.json (percentiles per grid point) and the plots."""
    import pyarrow
    import pyarrow.csv
    import pyarrow.parquet

    out.mkdir(parents=True, exist_ok=True)
    table = pyarrow.Table.from_pylist(rows)
    pyarrow.parquet.write_table(table, out / "sweep.parquet")
    pyarrow.csv.write_csv(table, out / "sweep.csv")
    found = points(plan, rows)
    document = {"scenario": plan.name, "seeds": plan.seeds,
                "grid": {key: _values(found, key) for key in plan.grid_keys},
                "runs": len(rows), "failed": sum(row["error"] is not None for row in rows), "points": found}
    (out / "sweep.json").write_text(json.dumps(document, indent=2) + "\n")
    return [out / "sweep.parquet", out / "sweep.csv", out / "sweep.json", *plots(plan, rows, found, out)]


def _values(found: list[dict[str, Any]], key: str) -> list[Any]:
    """A grid key's values in the order the grid gives them (typed as the scenario holds them)."""
    values: list[Any] = []
    for point in found:
        if point["grid"][key] not in values:
            values.append(point["grid"][key])
    return values


def plots(plan: Plan, rows: list[dict[str, Any]], found: list[dict[str, Any]], out: Path) -> list[Path]:
    """One PNG per grid key: each shown figure against the key's values, the median with a bar up to p95, a line per
    combination of the other keys. Without a grid, one PNG of histograms over the seeds."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    made = []
    for key in plan.grid_keys or [""]:
        figure, axes = plt.subplots(2, 3, figsize=(12, 6.5))
        if key:
            figure.suptitle(f"{plan.name}: median and p95 over {len(plan.seeds)} seeds against {key}")
            _against(list(axes.flat), plan, found, key)
            path = out / ("sweep-" + re.sub(r"[^\w.-]", "_", key) + ".png")
        else:
            figure.suptitle(f"{plan.name}: headline figures over {len(plan.seeds)} seeds")
            _histograms(list(axes.flat), rows)
            path = out / "sweep-histograms.png"
        figure.tight_layout()
        figure.savefig(path, dpi=80)
        plt.close(figure)
        made.append(path)
    return made


def _histograms(axes: list[Axes], rows: list[dict[str, Any]]) -> None:
    for axis, (name, label) in zip(axes, SHOWN.items()):
        values = [row[name] for row in rows if row["error"] is None and row[name] is not None]
        axis.hist(values, bins=max(1, min(20, len(set(values)))))
        axis.set(title=label, ylabel="runs")


def _against(axes: list[Axes], plan: Plan, found: list[dict[str, Any]], key: str) -> None:
    others = [other for other in plan.grid_keys if other != key]
    series: dict[str, list[dict[str, Any]]] = {}
    for point in found:
        series.setdefault(", ".join(f"{other}={point['grid'][other]}" for other in others), []).append(point)
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in _values(found, key))
    for axis, (name, label) in zip(axes, SHOWN.items()):
        for legend, members in series.items():
            spreads = [(point["grid"][key], point["figures"][name]) for point in members
                       if point["figures"][name]["p50"] is not None]
            if not spreads:
                continue
            axis.errorbar([value if numeric else str(value) for value, _ in spreads],
                          [spread["p50"] for _, spread in spreads],
                          yerr=[[0.0] * len(spreads), [spread["p95"] - spread["p50"] for _, spread in spreads]],
                          marker="o", capsize=3, label=legend or None)
        axis.set(title=label, xlabel=key)
        if others:
            axis.legend(fontsize=7)


def summary(plan: Plan, rows: list[dict[str, Any]]) -> str:
    """The table printed at the end: a line per grid point (runs, failures, p50 / p95 of the shown figures), then the
    first failures' errors."""
    header = [*plan.grid_keys, "runs", "failed", *SHOWN.values()]
    table = [header]
    for point in points(plan, rows):
        grid_values = [str(point["grid"][key]) for key in plan.grid_keys]
        spreads = [point["figures"][name] for name in SHOWN]
        cells = ["-" if spread["p50"] is None else f"{spread['p50']:.4g} / {spread['p95']:.4g}" for spread in spreads]
        table.append([*grid_values, str(point["runs"]), str(point["failed"]), *cells])
    widths = [max(len(line[column]) for line in table) for column in range(len(header))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in table]
    failures = [row for row in rows if row["error"] is not None]
    shape = f"{len(plan.runs) // len(plan.seeds)} grid points x " if plan.grid_keys else ""
    lines.append(f"{len(rows)} runs ({shape}{len(plan.seeds)} seeds), {len(failures)} failed; "
                 "cells are p50 / p95 over seeds")
    for row in failures[:5]:
        where = "".join(f" {key}={row[key]}" for key in plan.grid_keys)
        lines.append(f"  failed: seed {row['seed']}{where}: {row['error']}")
    return "\n".join(lines)
