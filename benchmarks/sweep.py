"""A sweep's speed-up: 16 `default` runs (seeds 1-16) serially in this process (`--workers 0`), then on a Dask
LocalCluster of 2 worker processes, then on a plain process pool of the same size (the machine's own ceiling for
parallel runs, with no scheduler: two busy processes slow each other on shared caches and memory); the wall times,
the speed-ups against this machine's core count, and whether the rows are identical (wall times aside). The load
average before and after tells whether other processes were sharing the cores (the speed-up means little if they
were).

Run: python benchmarks/sweep.py [--runs N] [--workers W]
"""
import argparse
import multiprocessing
import os
import time

from dask.system import CPU_COUNT

from simulator import sweep


def timed_sweep(plan: sweep.Plan, workers: int) -> tuple[list[dict], float, float]:
    """The rows, the whole wall time (cluster start-up included) and the start-up alone."""
    started = time.perf_counter()
    with sweep.engine(workers, None) as client:
        ready = time.perf_counter()
        rows = sweep.execute(plan, client, progress=False)
    return rows, time.perf_counter() - started, ready - started


def pooled(plan: sweep.Plan, workers: int) -> float:
    """The wall time of the plan's runs on a plain pool of `workers` fresh processes."""
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.starmap(sweep.run_one, [(plan.scenario, run.overrides) for run in plan.runs], chunksize=1)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    plan = sweep.plan("default", f"1-{args.runs}")
    load_before = os.getloadavg()[0]
    serial, serial_seconds, _ = timed_sweep(plan, 0)
    parallel, parallel_seconds, start_up = timed_sweep(plan, args.workers)
    pool_seconds = pooled(plan, args.workers)
    print(f"{len(plan.runs)} default runs serially: {serial_seconds:.1f} s "
          f"({serial_seconds / len(plan.runs):.2f} s per run)")
    print(f"on a LocalCluster of {args.workers} workers: {parallel_seconds:.1f} s "
          f"(of which {start_up:.1f} s starting the cluster)")
    print(f"speed-up {serial_seconds / parallel_seconds:.2f}x with {args.workers} workers on {CPU_COUNT} cores "
          f"(the ceiling is {min(args.workers, CPU_COUNT)}x)")
    print(f"peer: a plain pool of {args.workers} processes: {pool_seconds:.1f} s, speed-up "
          f"{serial_seconds / pool_seconds:.2f}x (Dask reaches {pool_seconds / parallel_seconds:.0%} of it)")
    same = [{k: v for k, v in row.items() if k != "wall_seconds"} for row in serial] == [
        {k: v for k, v in row.items() if k != "wall_seconds"} for row in parallel]
    failed = sum(row["error"] is not None for row in serial + parallel)
    print(f"rows identical (wall times aside): {'yes' if same else 'NO'}; failed runs: {failed}")
    print(f"1-minute load average: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after ({CPU_COUNT} cores)")


if __name__ == "__main__":
    main()
