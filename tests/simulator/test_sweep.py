"""Sweeps: seeds and grids parse strictly, every run is the row a single run gives (serially, on a LocalCluster, on
real `dask scheduler` and `dask worker` processes), a failing run is a row, bad input stops before any work."""
from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet
import pytest

import run_sim
from simulator import scenario as scenarios
from simulator import sweep
from simulator.metrics import percentile
from simulator.report import headline
from simulator.run import simulate

ROOT = Path(__file__).resolve().parents[2]
TINY = ["run.days=0.1", "run.drain_hours=1", "catalog.skus=100", "customers.orders_per_day=800"]
GRID = ["--grid", "integration.flex_push_rate=6,12", "--grid", "latency.mean_ms=150"]
SWEEP = ["sweep", "default", "--seeds", "1-2", *GRID, *(f"--set={setting}" for setting in TINY), "--no-progress"]


def rows_in(out: Path) -> list[dict[str, Any]]:
    return pyarrow.parquet.read_table(out / "sweep.parquet").to_pylist()


def without_wall_time(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in row.items() if key != "wall_seconds"} for row in rows]


def exit_code(arguments: list[str]) -> int | str | None:
    """run_sim.main's answer, or the code argparse exits with."""
    try:
        return run_sim.main(arguments)
    except SystemExit as stop:
        return stop.code


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference sweep: 2 grid points (two keys, one of them held at one value) x 2 seeds, run serially in this
    process."""
    out = tmp_path_factory.mktemp("serial")
    assert run_sim.main([*SWEEP, "--workers", "0", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("text, seeds", [("1-4,10", [1, 2, 3, 4, 10]), ("3", [3]), ("1,5,9", [1, 5, 9]),
                                         (" 7 - 8 ", [7, 8]), ("2,1-3", [2, 1, 3])])
def test_seed_ranges(text: str, seeds: list[int]) -> None:
    assert sweep.parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["", "5-3", "1-", "-3", "1,,2", "a", "1-2-3"])
def test_bad_seed_ranges(text: str) -> None:
    with pytest.raises(sweep.SweepError, match="--seeds"):
        sweep.parse_seeds(text)


def test_grid_parses_and_expands_to_every_combination_times_every_seed() -> None:
    assert sweep.parse_grid(["a.b=1, 2", "c.d=x"]) == {"a.b": ["1", "2"], "c.d": ["x"]}
    plan = sweep.plan("default", "1-3", ["integration.flex_push_rate=6,12", "integration.fulfillment_by=api,feed"],
                      TINY)
    assert len(plan.runs) == 2 * 2 * 3 and plan.seeds == [1, 2, 3]
    first = plan.runs[0]
    assert first.point == {"integration.flex_push_rate": 6.0, "integration.fulfillment_by": "api"}
    assert first.overrides == (*TINY, "integration.flex_push_rate=6", "integration.fulfillment_by=api", "run.seed=1")
    assert [run.seed for run in plan.runs[:4]] == [1, 2, 3, 1]
    assert plan.runs[-1].point == {"integration.flex_push_rate": 12.0, "integration.fulfillment_by": "feed"}


@pytest.mark.parametrize("assignments, message", [
    (["a"], "write key=value1,value2"), (["a="], "write key=value1,value2"), (["a=1,,2"], "write key=value1"),
    (["a=1", "a=2"], "given twice"), (["a=1,1"], "repeated"), (["run.seed=1,2"], "--seeds"),
])
def test_bad_grids(assignments: list[str], message: str) -> None:
    with pytest.raises(sweep.SweepError, match=message):
        sweep.parse_grid(assignments)


def test_serial_rows_are_what_simulate_and_run_sim_give(serial: Path, tmp_path: Path) -> None:
    rows = rows_in(serial)
    assert [(row["integration.flex_push_rate"], row["latency.mean_ms"], row["seed"]) for row in rows] == [
        (rate, 150.0, seed) for rate in (6.0, 12.0) for seed in (1, 2)]
    assert list(rows[0])[:4] == ["scenario", "seed", "integration.flex_push_rate", "latency.mean_ms"]
    for row in rows:
        settings = [f"integration.flex_push_rate={row['integration.flex_push_rate']}",
                    f"latency.mean_ms={row['latency.mean_ms']}", f"run.seed={row['seed']}"]
        _, report = simulate(scenarios.apply_overrides(scenarios.load("default"), TINY + settings))
        expected = {"scenario": "default", "seed": row["seed"], "integration.flex_push_rate":
                    row["integration.flex_push_rate"], "latency.mean_ms": row["latency.mean_ms"],
                    **headline(report), "error": None}
        assert without_wall_time([row]) == without_wall_time([expected])
    last = rows[-1]
    single_run = ["--seed", "2", "--set=integration.flex_push_rate=12", "--set=latency.mean_ms=150"]
    assert run_sim.main(["--no-progress", "--out", str(tmp_path), *single_run,
                         *(f"--set={setting}" for setting in TINY)]) == 0
    figures = headline(json.loads((tmp_path / "report.json").read_text()))
    assert without_wall_time([figures]) == without_wall_time([{name: last[name] for name in figures}])


def test_outputs_are_written_and_readable(serial: Path) -> None:
    rows = rows_in(serial)
    assert len(rows) == 4 and all(row["error"] is None for row in rows)
    with (serial / "sweep.csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert [int(line["seed"]) for line in table] == [row["seed"] for row in rows]
    assert [float(line["push_seconds"]) for line in table] == [row["push_seconds"] for row in rows]
    document = json.loads((serial / "sweep.json").read_text())
    assert document["grid"] == {"integration.flex_push_rate": [6.0, 12.0], "latency.mean_ms": [150.0]}
    assert document["runs"] == 4 and document["failed"] == 0 and len(document["points"]) == 2
    for point in document["points"]:
        members = [row for row in rows if all(row[key] == value for key, value in point["grid"].items())]
        assert point["runs"] == len(members) == 2
        for name in ("push_seconds", "sla_breaches", "throttled_calls"):
            values = sorted(row[name] for row in members)
            assert point["figures"][name] == {"p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
                                              "max": values[-1]}
    for key in ("integration.flex_push_rate", "latency.mean_ms"):
        assert (serial / f"sweep-{key}.png").read_bytes()[:4] == b"\x89PNG"


def test_a_failing_run_is_a_row_with_its_error_and_the_sweep_goes_on(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    real = sweep.simulate

    def fails_for_seed_2(scenario: dict, progress: Any = None) -> Any:
        if scenario["run"]["seed"] == 2:
            raise RuntimeError("the warehouse caught fire")
        return real(scenario, progress)

    monkeypatch.setattr(sweep, "simulate", fails_for_seed_2)
    arguments = ["sweep", "default", "--seeds", "1-3", "--workers", "0", "--no-progress", "--out", str(tmp_path)]
    assert run_sim.main([*arguments, *(f"--set={setting}" for setting in TINY)]) == 1
    rows = rows_in(tmp_path)
    assert [row["seed"] for row in rows] == [1, 2, 3]
    assert rows[1]["error"] == "RuntimeError: the warehouse caught fire" and rows[1]["push_seconds"] is None
    assert rows[0]["error"] is None and rows[2]["error"] is None and rows[2]["push_seconds"] is not None
    document = json.loads((tmp_path / "sweep.json").read_text())
    assert document["failed"] == 1 and document["points"][0]["runs"] == 3
    assert document["points"][0]["figures"]["orders_placed"]["max"] is not None
    assert (tmp_path / "sweep-histograms.png").read_bytes()[:4] == b"\x89PNG"
    assert "failed: seed 2: RuntimeError: the warehouse caught fire" in capsys.readouterr().out


@pytest.mark.parametrize("arguments, message", [
    (["--seeds", "1-2", "--grid", "run.dayz=1,2"], "unknown key 'run.dayz'"),
    (["--seeds", "1", "--grid", "catalog.skus=10,many"], "'catalog.skus' must be a number"),
    (["--seeds", "1", "--grid", "amazon.verification_secs=3"], "unknown setting 'verification_secs'"),
    (["--seeds", "1", "--grid", "catalog.fba_share=0.5,0.9"], "catalog.fba_share=0.9: "),
    (["--seeds", "1", "--set", "amazon.verification_secs=3"], "run_sim.py: scenario: unknown setting"),
    (["--seeds", "5-3"], "the range 5-3 is empty"),
    (["--seeds", ""], "write seeds like"),
    ([], "required: --seeds"),
    (["--seeds", "1", "--set", "run.seed=4"], "give the seeds with --seeds"),
    (["--seeds", "1", "--workers", "-1"], "--workers -1"),
    (["--seeds", "1", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], "give one"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(arguments: list[str], message: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert exit_code(["sweep", "default", *arguments, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("run_sim.py: ") and message in captured.err
    assert not out.exists()


def test_an_unreachable_scheduler_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sweep, "CONNECT_TIMEOUT_SECONDS", 1.0)
    out = tmp_path / "out"
    arguments = ["sweep", "default", "--seeds", "1", "--scheduler", f"tcp://127.0.0.1:{free_port()}"]
    assert run_sim.main([*arguments, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("run_sim.py: cannot reach the scheduler") and captured.err.count("\n") == 1
    assert not out.exists()


def test_a_local_cluster_of_two_worker_processes_gives_the_same_rows(serial: Path, tmp_path: Path) -> None:
    assert run_sim.main([*SWEEP, "--workers", "2", "--out", str(tmp_path)]) == 0
    assert without_wall_time(rows_in(tmp_path)) == without_wall_time(rows_in(serial))


def test_real_dask_scheduler_and_worker_processes_give_the_same_rows(serial: Path, tmp_path: Path) -> None:
    """Starts `dask scheduler` and `dask worker` as real processes on loopback and sweeps two runs through
    `--scheduler`. It runs in real time (about 10 s: the processes start, then two small simulations); both
    processes are killed whatever happens."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    commands = [
        ["scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"],
        ["worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny", "--no-dashboard",
         "--local-directory", str(tmp_path / "worker")],
    ]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for command in commands:
            processes.append(subprocess.Popen([sys.executable, "-m", "dask", *command], env=environment,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(address, timeout=20) as client:
            client.wait_for_workers(1, timeout=20)
        one_point = ["--grid", "integration.flex_push_rate=12", "--grid", "latency.mean_ms=150"]
        arguments = ["sweep", "default", "--seeds", "1-2", *one_point, *(f"--set={setting}" for setting in TINY)]
        assert run_sim.main([*arguments, "--scheduler", address, "--no-progress", "--out", str(tmp_path)]) == 0
    finally:
        for process in reversed(processes):  # the worker first: without a scheduler it lingers, reconnecting
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    expected = [row for row in rows_in(serial)
                if row["integration.flex_push_rate"] == 12.0 and row["latency.mean_ms"] == 150.0]
    assert len(expected) == 2
    assert without_wall_time(rows_in(tmp_path)) == without_wall_time(expected)
