"""Fault rules: per operation, seeded, and logged with every request they touch.

A rule is data: `{"operation": "getOrders" | "*", "status": 503, "code": "...", "latency": 2.5,
"timeout": true, "probability": 0.1, "count": 3}`. `status` answers with Amazon's error body; `latency` adds
seconds to the answer (reported in the `x-testbed-latency` header; the standalone server also waits it out);
`timeout` answers 504 as a gateway would after the client gave up, without running the operation, or, with
`"processed": true`, after running it (Amazon did the work; the client never heard: the case that tests whether a
retry creates a second order). A rule with
`count` applies to the next N matching calls; with `probability`, to that share of them.
"""
from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypeVar

from mock_amazon.spec import Operation


class Rule(Protocol):
    """What `read_rule` and `applies` need of a rule dataclass (FaultRule, a notification rule)."""
    __dataclass_fields__: ClassVar[dict[str, Any]]
    probability: float
    count: int | None


R = TypeVar("R", bound=Rule)


def read_rule(cls: type[R], data: object, where: str) -> R:
    """A rule dataclass from its JSON form: known keys only, each of its field's type (numbers finite and within
    64 bits), a probability in [0, 1], a count >= 0."""
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be an object")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        if not _of_type(str(fields[name].type), value):
            raise ValueError(f"{where}.{name} must be {fields[name].type}")
    rule = cls(**data)
    if not isinstance(rule.probability, (int, float)) or not 0 <= rule.probability <= 1:
        raise ValueError(f"{where}.probability must be between 0 and 1")
    if rule.count is not None and (not isinstance(rule.count, int) or rule.count < 0):
        raise ValueError(f"{where}.count must be a non-negative integer")
    return rule


def _of_type(annotation: str, value: object) -> bool:
    """Whether a JSON value fits a rule field's annotation ("str", "float", "int | None", "bool", ...)."""
    kinds = [kind.strip() for kind in annotation.split("|")]
    if value is None:
        return "None" in kinds
    if isinstance(value, bool):
        return "bool" in kinds
    if isinstance(value, int):
        return ("int" in kinds or "float" in kinds) and abs(value) < 2 ** 63
    if isinstance(value, float):
        return "float" in kinds and math.isfinite(value)
    return isinstance(value, str) and "str" in kinds


def applies(rule: Rule, rng: random.Random) -> bool:
    """Whether a matching rule strikes this time: the next `count` times, with `probability`."""
    if rule.count == 0:
        return False
    if rule.probability < 1 and rng.random() >= rule.probability:
        return False
    if rule.count is not None:
        rule.count -= 1
    return True


@dataclass
class FaultRule:
    operation: str = "*"
    status: int | None = None
    code: str | None = None
    message: str | None = None
    latency: float = 0.0
    timeout: bool = False
    processed: bool = False        # with timeout: the operation runs before the 504
    probability: float = 1.0
    count: int | None = None

    @classmethod
    def parse(cls, data: dict, index: int) -> "FaultRule":
        where = f"faults[{index}]"
        rule = read_rule(cls, data, where)
        if rule.status is not None and (not isinstance(rule.status, int) or not 400 <= rule.status <= 599):
            raise ValueError(f"{where}.status must be an HTTP error status (400-599)")
        if not isinstance(rule.latency, (int, float)) or rule.latency < 0:
            raise ValueError(f"{where}.latency must be a non-negative number of seconds")
        if rule.status is None and not rule.latency and not rule.timeout:
            raise ValueError(f"{where} does nothing: give status, latency or timeout")
        if not isinstance(rule.processed, bool) or rule.processed and not rule.timeout:
            raise ValueError(f"{where}.processed goes with timeout: true")
        return rule

    def matches(self, op: Operation) -> bool:
        return self.operation in ("*", op.operation_id, op.key)

    def describe(self) -> str:
        parts = [f"status={self.status}" if self.status else "", f"latency={self.latency:g}" if self.latency else "",
                 "timeout after processing" if self.processed else "timeout" if self.timeout else ""]
        return f"{self.operation}:" + ",".join(p for p in parts if p)


@dataclass
class Faults:
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    rules: list[FaultRule] = field(default_factory=list)

    def configure(self, rules: list[dict], seed: int | None = None) -> None:
        parsed = [FaultRule.parse(rule, i) for i, rule in enumerate(rules)]
        self.rules = parsed
        if seed is not None:
            self.rng.seed(seed)

    def pick(self, op: Operation) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(op) and applies(rule, self.rng):
                return rule
        return None
