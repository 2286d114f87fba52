"""What a run measured: calls per operation, time series, counters and per-order timings."""
from __future__ import annotations

from collections import Counter, defaultdict


class Metrics:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.series: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.counters: Counter[str] = Counter()

    def call(self, operation: str, status: int, seconds: float, timed_out: bool) -> None:
        name = operation if operation.startswith(("lwa.", "document.")) else operation.rsplit(".", 1)[-1]
        self.calls[name] += 1
        if status == 429:
            self.throttled[name] += 1
        elif status >= 500 or timed_out:
            self.faults[name] += 1
        self.latency[name].append(seconds)

    def sample(self, name: str, time: float, value: float) -> None:
        self.series[name].append((time, value))

    def count(self, name: str, amount: int = 1) -> None:
        self.counters[name] += amount

    def per_operation(self) -> dict[str, dict]:
        table = {}
        for name in sorted(self.calls):
            latencies = sorted(self.latency[name])
            table[name] = {"calls": self.calls[name], "throttled": self.throttled[name], "faults": self.faults[name],
                           "mean_latency_ms": round(1000 * sum(latencies) / len(latencies), 1),
                           "p99_latency_ms": round(1000 * percentile(latencies, 0.99), 1)}
        return table


def percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, int(round(share * (len(ordered) - 1)))))
    return ordered[index]
