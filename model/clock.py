"""The one clock that Amazon's mock, the integration and the simulator share.

Rule: no module of the project but this one reads the wall clock. Everything that needs "now" asks a Clock.
"""
from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from typing import Callable, Protocol

#: Where virtual time starts unless told otherwise: a fixed instant, so seeded runs are reproducible.
DEFAULT_EPOCH = datetime(2026, 1, 5, 0, 0, tzinfo=timezone.utc)


def to_seconds(moment: datetime) -> float:
    """POSIX seconds of an aware datetime (a naive one is refused: it would be ambiguous)."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no time zone")
    return moment.timestamp()


def to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


class Timeline(Protocol):
    """What `VirtualClock.follow` needs of a SimPy environment: its current time, in seconds."""

    @property
    def now(self) -> float: ...


class Clock(ABC):
    """Time as POSIX seconds (`seconds()`) and as an aware UTC datetime (`now()`).

    A clock that is not tied to real time (a virtual one) has no `scale` and is always `paused` in wall terms.
    """

    @abstractmethod
    def seconds(self) -> float: ...

    def now(self) -> datetime:
        return to_datetime(self.seconds())

    @abstractmethod
    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds` (never backwards)."""

    @property
    def scale(self) -> float | None:
        """Simulated seconds per real second; None when time moves only when told."""
        return None

    @property
    def paused(self) -> bool:
        return True

    def set_scale(self, scale: float) -> None:
        raise ValueError("this clock moves only when advanced; it has no scale")

    def set_paused(self, paused: bool) -> None:
        if not paused:
            raise ValueError("this clock moves only when advanced; it cannot run on its own")

    def restore(self, seconds: float) -> None:
        """Put the clock back at a saved instant (restoring a snapshot): the one way time goes backwards."""
        raise ValueError("this clock cannot be set back")


class VirtualClock(Clock):
    """Time that moves only when told: by `set`/`advance`, or by following a SimPy environment."""

    def __init__(self, start: datetime | float = DEFAULT_EPOCH):
        self._seconds = start if isinstance(start, (int, float)) else to_seconds(start)
        self._follow: Callable[[], float] | None = None

    def seconds(self) -> float:
        if self._follow is not None:
            return self._seconds + self._follow()
        return self._seconds

    def set(self, moment: datetime | float) -> None:
        target = moment if isinstance(moment, (int, float)) else to_seconds(moment)
        if self._follow is not None:
            raise RuntimeError("this clock follows a SimPy environment; move the environment instead")
        if target < self._seconds:
            raise ValueError("a clock never goes backwards")
        self._seconds = float(target)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock never goes backwards")
        if self._follow is not None:
            raise RuntimeError("this clock follows a SimPy environment; move the environment instead")
        self._seconds += seconds

    def follow(self, env: Timeline) -> None:
        """Let a SimPy environment drive this clock: its `env.now` (seconds) counts from the current time."""
        self._seconds = self.seconds() - env.now
        self._follow = lambda: env.now

    def restore(self, seconds: float) -> None:
        if self._follow is not None:
            raise ValueError("this clock follows a SimPy environment; it cannot be set back")
        self._seconds = float(seconds)


def wall_time() -> float:
    """Real POSIX seconds: when something happened on the wire (the journal), never the simulated time."""
    return time.time()


class WallClock(Clock):
    """Real time, optionally scaled (scale 60: a real second is a simulated minute), plus manual advances.

    It can be paused (simulated time stands still; advancing still works) and its scale changed while it runs;
    either way `seconds()` goes on from where it was. `source` is the real time it follows (tests inject one).
    """

    def __init__(self, scale: float = 1.0, start: datetime | float | None = None,
                 source: Callable[[], float] = wall_time):
        if scale <= 0:
            raise ValueError("scale must be positive")
        self._scale = scale
        self._source = source
        self._real_origin = source()
        self._origin = self._real_origin if start is None else (
            start if isinstance(start, (int, float)) else to_seconds(start))
        self._offset = 0.0
        self._paused = False

    def seconds(self) -> float:
        if self._paused:
            return self._origin + self._offset
        return self._origin + (self._source() - self._real_origin) * self._scale + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock never goes backwards")
        self._offset += seconds

    @property
    def scale(self) -> float:
        return self._scale

    @property
    def paused(self) -> bool:
        return self._paused

    def set_scale(self, scale: float) -> None:
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale < math.inf:
            raise ValueError("scale must be a positive number")
        self._rebase(self.seconds())
        self._scale = float(scale)

    def set_paused(self, paused: bool) -> None:
        self._rebase(self.seconds())
        self._paused = paused

    def restore(self, seconds: float) -> None:
        self._rebase(float(seconds))

    def _rebase(self, seconds: float) -> None:
        """Count from `seconds` at this real instant, so a change of scale or pause leaves no jump."""
        self._origin, self._real_origin, self._offset = seconds, self._source(), 0.0


class Stopwatch:
    """Real elapsed time, for reporting how long a run took (never for anything simulated)."""

    def __init__(self) -> None:
        self._started = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self._started
