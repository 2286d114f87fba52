"""Token buckets per (seller, operation) on the shared clock, with Amazon's default usage plans.

Rate and burst come from `rate-limits.json` beside Amazon's models; a scenario or test may override any
operation (by `operationId`, or `model.operationId` where two models share an id) or lift limits altogether.
"""
from __future__ import annotations

from dataclasses import dataclass

from mock_amazon.spec import Operation, rate_limits
from model.clock import Clock

# Operations the models give no usage plan for (sandbox-only ones, External Fulfillment).
FALLBACK = {"rate": 1.0, "burst": 5}
EXTERNAL_FULFILLMENT = {"rate": 6.0, "burst": 6}  # seed 003: 6 calls per second per merchant
MAX_RATE = 1e9  # an override beyond this is a mistake (to lift limits, say `lifted`), and infinity is no rate


@dataclass
class Bucket:
    rate: float
    burst: float
    tokens: float
    last: float


class RateLimiter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.buckets: dict[tuple[str, str], Bucket] = {}
        self.overrides: dict[str, dict] = {}
        self.lifted = False

    def plan(self, op: Operation) -> dict:
        for key in (op.key, op.operation_id):
            if key in self.overrides:
                return self.overrides[key]
        declared = rate_limits().get(op.model, {}).get(op.operation_id, {})
        if declared.get("rate"):
            return {"rate": declared["rate"], "burst": declared["burst"]}
        return EXTERNAL_FULFILLMENT if op.model.startswith("externalFulfillment") else FALLBACK

    def configure(self, limits: dict[str, dict] | None = None, lifted: bool = False) -> None:
        """Replace every override (PUT semantics): `limits` per operation, or all limits `lifted`."""
        for name, plan in (limits or {}).items():
            if not isinstance(plan, dict):
                raise ValueError(f"limits.{name} must be an object with rate and burst")
            rate, burst = plan.get("rate"), plan.get("burst")
            if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 < rate < MAX_RATE:
                raise ValueError(f"limits.{name}.rate must be a positive number below {MAX_RATE:g}")
            if not isinstance(burst, (int, float)) or isinstance(burst, bool) or not 1 <= burst < MAX_RATE:
                raise ValueError(f"limits.{name}.burst must be a number of at least 1, below {MAX_RATE:g}")
        self.overrides = {name: {"rate": float(plan["rate"]), "burst": float(plan["burst"])}
                          for name, plan in (limits or {}).items()}
        self.lifted = bool(lifted)
        self.buckets.clear()

    def take(self, seller_id: str, op: Operation) -> tuple[bool, float]:
        """Spend one token; (allowed, rate). A refused call spends nothing."""
        plan = self.plan(op)
        if self.lifted:
            return True, plan["rate"]
        now = self.clock.seconds()
        bucket = self.buckets.get((seller_id, op.key))
        if bucket is None:
            bucket = self.buckets[(seller_id, op.key)] = Bucket(plan["rate"], plan["burst"], plan["burst"], now)
        bucket.tokens = min(bucket.burst, bucket.tokens + (now - bucket.last) * bucket.rate)
        bucket.last = now
        if bucket.tokens < 1:
            return False, bucket.rate
        bucket.tokens -= 1
        return True, bucket.rate

    def seconds_until_token(self, seller_id: str, op: Operation) -> float:
        bucket = self.buckets.get((seller_id, op.key))
        if bucket is None or self.lifted:
            return 0.0
        tokens = min(bucket.burst, bucket.tokens + (self.clock.seconds() - bucket.last) * bucket.rate)
        return max(0.0, (1 - tokens) / bucket.rate)

    def state(self, seller_id: str) -> list[dict]:
        """Each bucket of the seller that a call has made so far, as it stands now (tokens refilled to this
        instant, nothing spent): operation (model.operationId), operation_id (as the journal names it), rate,
        burst, tokens."""
        now = self.clock.seconds()
        return [{"operation": key, "operation_id": key.split(".", 1)[-1], "rate": bucket.rate, "burst": bucket.burst,
                 "tokens": min(bucket.burst, bucket.tokens + (now - bucket.last) * bucket.rate)}
                for (seller, key), bucket in sorted(self.buckets.items()) if seller == seller_id]
