"""A client-side token bucket: the integration paces itself to Amazon's rate instead of running into 429s."""
from __future__ import annotations

EPSILON = 1e-9  # a token short by float rounding is a token: waiting 1e-17 s would never move a clock


class Pacer:
    def __init__(self, rate: float, burst: float = 1.0, now: float = 0.0):
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate, self.burst = rate, burst
        self.tokens, self.last = burst, now

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now

    def delay(self, now: float) -> float:
        """Seconds to wait before a call may go out (0 if one may go now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 - EPSILON else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        if self.tokens < 1 - EPSILON:
            raise RuntimeError("no token: wait delay() first")
        self.tokens = max(0.0, self.tokens - 1)
