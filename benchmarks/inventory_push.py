"""Seed 003's headline: the simulated time to push 1,000 seller-flex SKUs at 6 calls per second, at 0 and at
150 ms mean latency, against the floor N / rate = 166.7 s.

Run: python benchmarks/inventory_push.py
"""
from simulator import scenario as scenarios
from simulator.run import simulate


def main() -> None:
    for latency_ms in (0, 150):
        scenario = scenarios.apply_overrides(scenarios.load("inventory-push-1000"), [f"latency.mean_ms={latency_ms}"])
        _, report = simulate(scenario)
        push = report["push"]
        print(f"latency {latency_ms:>3} ms: {push['skus']} SKUs pushed in {push['seconds']:.1f} s simulated; "
              f"floor {push['floor_seconds']:.1f} s; ratio {push['ratio']:.4f}; "
              f"throttled {report['throttled_calls']}; wall {report['wall_seconds']:.2f} s")


if __name__ == "__main__":
    main()
