import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import simpy

from model.clock import VirtualClock, WallClock


def test_virtual_clock_moves_only_when_told():
    clock = VirtualClock(datetime(2026, 3, 1, tzinfo=timezone.utc))
    first = clock.now()
    assert clock.now() == first and first.tzinfo is not None
    clock.advance(90)
    assert clock.now() - first == timedelta(seconds=90)
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock.set(first)


def test_virtual_clock_follows_simpy():
    env = simpy.Environment()
    clock = VirtualClock(datetime(2026, 3, 1, tzinfo=timezone.utc))
    start = clock.seconds()
    clock.follow(env)
    seen = []

    def actor(env):
        yield env.timeout(30)
        seen.append(clock.seconds() - start)
        yield env.timeout(3600)
        seen.append(clock.seconds() - start)

    env.process(actor(env))
    env.run()
    assert seen == [30, 3630]
    with pytest.raises(RuntimeError):
        clock.advance(5)


def test_wall_clock_scale_and_advance():
    clock = WallClock(scale=1000.0, start=datetime(2026, 3, 1, tzinfo=timezone.utc))
    before = clock.seconds()
    clock.advance(3600)
    assert clock.seconds() - before >= 3600
    assert clock.now().tzinfo == timezone.utc
    with pytest.raises(ValueError):
        WallClock(scale=0)


def test_no_module_but_the_clock_reads_wall_time():
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"time\.time\(|datetime\.now\(|datetime\.utcnow\(|time\.monotonic\(|perf_counter\(")
    offenders = [str(path.relative_to(root)) for package in ("model", "mock_amazon", "simulator")
                 for path in (root / package).rglob("*.py")
                 if path.name != "clock.py" and pattern.search(path.read_text())]
    assert offenders == []


def test_no_status_is_assigned_outside_a_machine():
    root = Path(__file__).resolve().parents[2]
    # an attribute assignment or setattr; a "status" key in a stored document is serialisation, not a change
    pattern = re.compile(r"""(\.status\s*=[^=]|setattr\([^)]*["']status["'])""")
    offenders = [f"{path.relative_to(root)}:{number}" for package in ("model", "mock_amazon", "simulator")
                 for path in (root / package).rglob("*.py")
                 for number, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []
