"""The one clock that Amazon's mock, the integration and the simulator share.

Rule: no module of the project but this one reads the wall clock. Everything that needs "now" asks a Clock.
"""
from __future__ import annotations

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
    """Time as POSIX seconds (`seconds()`) and as an aware UTC datetime (`now()`)."""

    @abstractmethod
    def seconds(self) -> float: ...

    def now(self) -> datetime:
        return to_datetime(self.seconds())

    @abstractmethod
    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds` (never backwards)."""


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


class WallClock(Clock):
    """Real time, optionally scaled (scale 60: a real second is a simulated minute), plus manual advances."""

    def __init__(self, scale: float = 1.0, start: datetime | float | None = None):
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = scale
        self._real_origin = time.time()
        self._origin = self._real_origin if start is None else (
            start if isinstance(start, (int, float)) else to_seconds(start))
        self._offset = 0.0

    def seconds(self) -> float:
        return self._origin + (time.time() - self._real_origin) * self.scale + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock never goes backwards")
        self._offset += seconds


class Stopwatch:
    """Real elapsed time, for reporting how long a run took (never for anything simulated)."""

    def __init__(self) -> None:
        self._started = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self._started
