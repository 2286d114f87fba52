"""The SimPy driver: performs a workflow's effects on the virtual clock. A request travels for half its sampled
latency, is answered by the in-process mock, and travels back; a Wait is a timeout. Every call is counted."""
from __future__ import annotations

import math
import random
from typing import Any, Callable, Generator

import simpy

from model.workflows.protocol import R, Request, Response, Wait, Workflow, perform
from simulator.metrics import Metrics

#: A SimPy process body that returns an R (`Steps[R]`): it yields SimPy events (timeouts, a store's get()).
Steps = Generator[simpy.Event, Any, R]


class Latency:
    """Per-call round-trip latency in seconds: lognormal (default), exponential or constant around a mean."""

    def __init__(self, mean_ms: float, distribution: str, sigma: float, rng: random.Random):
        self.mean, self.distribution, self.sigma, self.rng = mean_ms / 1000.0, distribution, sigma, rng

    def sample(self) -> float:
        if self.mean <= 0:
            return 0.0
        if self.distribution == "constant":
            return self.mean
        if self.distribution == "exponential":
            return self.rng.expovariate(1.0 / self.mean)
        mu = math.log(self.mean) - self.sigma ** 2 / 2  # so that the mean is `mean`
        return self.rng.lognormvariate(mu, self.sigma)


class Transport:
    def __init__(self, env: simpy.Environment, send: Callable[[Request], Response], latency: Latency,
                 metrics: Metrics):
        self.env, self.send, self.latency, self.metrics = env, send, latency, metrics

    def run(self, workflow: Workflow[R]) -> Steps[R]:
        """A SimPy process body: `result = yield env.process(transport.run(workflow))` or `yield from`."""
        return (yield from perform(workflow, self.wait, self.call))

    def wait(self, effect: Wait) -> Steps[None]:
        yield self.env.timeout(effect.seconds)

    def call(self, request: Request) -> Steps[Response]:
        round_trip = self.latency.sample()
        started = self.env.now
        yield self.env.timeout(round_trip / 2)
        response = self.send(request)
        extra = float((response.headers or {}).get("x-testbed-latency", 0) or 0)
        yield self.env.timeout(round_trip / 2 + extra)
        self.metrics.call(request.operation, response.status, self.env.now - started, response.timed_out)
        return response
