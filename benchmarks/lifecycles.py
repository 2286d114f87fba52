"""Move 100,000 orders through three transitions each; print the cost per transition and the peak memory.

Floor: the same transitions fired straight on a bare `transitions` Machine with no history, guards or checks.
Run: python benchmarks/lifecycles.py [--orders N]
"""
import argparse
import time
import tracemalloc
from types import SimpleNamespace

from transitions import Machine

from model.clock import VirtualClock
from model.lifecycles import TABLES, Lifecycle

PATH = ("import_order", "acknowledge", "ship_fully")


def through_lifecycle(orders: int) -> float:
    clock = VirtualClock()
    lifecycle = Lifecycle(TABLES["store_order"], clock)
    started = time.perf_counter()
    for _ in range(orders):
        order = lifecycle.restore(SimpleNamespace())
        for trigger in PATH:
            clock.advance(1)
            lifecycle.fire(order, trigger)
    return time.perf_counter() - started


def through_bare_machine(orders: int) -> float:
    table = TABLES["store_order"]
    machine = Machine(model=None, states=list(table.states), initial=table.initial, auto_transitions=False,
                      transitions=[{"trigger": r.trigger, "source": list(r.sources), "dest": r.dest}
                                   for r in table.transitions])
    started = time.perf_counter()
    for _ in range(orders):
        order = SimpleNamespace()
        machine.set_state(table.initial, model=order)
        for trigger in PATH:
            machine.events[trigger].trigger(order)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    orders = parser.parse_args().orders
    transitions_made = orders * len(PATH)
    floor = through_bare_machine(orders)
    elapsed = through_lifecycle(orders)
    tracemalloc.start()  # a second, traced run: tracing slows it, so it is not timed
    through_lifecycle(orders)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"orders: {orders:,}  transitions: {transitions_made:,}")
    print(f"lifecycle: {elapsed / transitions_made * 1e6:.1f} us per transition "
          f"(floor, bare transitions Machine: {floor / transitions_made * 1e6:.1f} us; "
          f"ratio {elapsed / floor:.2f}x)")
    print(f"peak memory while moving them (tracemalloc): {peak / 1024:.0f} KiB "
          "(models are never registered on the machine, so none is held)")


if __name__ == "__main__":
    main()
