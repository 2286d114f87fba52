"""Talking to Amazon reliably (F002-1): an access token renewed before it expires and after a 403, retries with
jittered exponential back-off on throttling (429), server errors (5xx) and time-outs.

`reliable(workflow, session)` wraps any workflow; the workflow itself only ever sees final responses.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from model.clock import Clock
from model.workflows.pacing import Pacer
from model.workflows.protocol import R, Request, Response, Step, Wait, Workflow, WorkflowError, perform

RENEW_BEFORE_EXPIRY = 60.0


@dataclass
class RetryPolicy:
    attempts: int = 6              # tries per request, the first included
    base_seconds: float = 1.0      # back-off: base * 2^n, with full jitter, capped
    cap_seconds: float = 60.0
    retry_statuses: tuple[int, ...] = (429, 500, 502, 503, 504)

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.5, 1.0) * min(self.cap_seconds, self.base_seconds * 2 ** attempt)


@dataclass
class Session:
    """An integration's connection to one seller account: LWA credentials and the current access token."""
    client_id: str
    client_secret: str
    refresh_token: str
    clock: Clock
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    pacers: dict[str, Pacer] = field(default_factory=dict)   # operationId -> the pace the integration keeps
    throttled_until: dict[str, float] = field(default_factory=dict)   # operation -> when its bucket has refilled
    access_token: str | None = None
    expires_at: float = 0.0
    renewals: int = 0
    retries: int = 0

    def needs_token(self) -> bool:
        return self.access_token is None or self.clock.seconds() >= self.expires_at - RENEW_BEFORE_EXPIRY

    def token_request(self) -> Request:
        return Request("lwa.token", body={"grant_type": "refresh_token", "client_id": self.client_id,
                                          "client_secret": self.client_secret,
                                          "refresh_token": self.refresh_token})

    def accept_token(self, response: Response) -> None:
        if response.status != 200:
            raise WorkflowError(f"Login with Amazon refused the refresh token: {response.body}", response)
        self.access_token = response.body["access_token"]
        self.expires_at = self.clock.seconds() + response.body["expires_in"]
        self.renewals += 1


def refill_seconds(response: Response) -> float:
    """After a 429, at least the time one token takes to come back, from x-amzn-RateLimit-Limit."""
    if response.status != 429:
        return 0.0
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    try:
        return 1.0 / float(headers["x-amzn-ratelimit-limit"])
    except (KeyError, ValueError, ZeroDivisionError):
        return 0.0


def authorized(request: Request, session: Session) -> Workflow[Response]:
    """Perform one request with a valid token and retries; return its final response. A request that carries
    its own token (a restricted data token) keeps it: a 403 is then its caller's to handle."""
    renewed_after_403 = False
    attempt = 0
    own_token = "x-amz-access-token" in request.headers  # a restricted data token (model.workflows.tokens)
    while True:
        if request.operation not in ("lwa.token", "document.get", "document.put") and not own_token:
            while session.needs_token():
                session.accept_token((yield session.token_request()))
            request = Request(request.operation, request.path, request.query, request.body, request.url,
                              request.content_type, {**request.headers, "x-amz-access-token": session.access_token})
        refilled = session.throttled_until.get(request.operation, 0.0)
        while (left := refilled - session.clock.seconds()) > 0:  # after a 429 nobody calls it until it refills
            yield Wait(left, on_wire=True)
        pacer = session.pacers.get(request.operation.rsplit(".", 1)[-1])
        if pacer is not None:  # retries too go at the pace, so they do not run into the bucket
            while (delay := pacer.delay(session.clock.seconds())) > 0:
                yield Wait(delay, on_wire=True)
            pacer.take(session.clock.seconds())
        response = yield request
        if response.status == 403 and not renewed_after_403 and request.operation != "lwa.token" and not own_token:
            renewed_after_403 = True
            session.access_token = None  # expired or revoked under us: renew once and resend
            continue
        if response.status == 429:
            session.throttled_until[request.operation] = session.clock.seconds() + refill_seconds(response)
        if (response.timed_out or response.status in session.policy.retry_statuses) and \
                attempt + 1 < session.policy.attempts:
            session.retries += 1
            yield Wait(max(session.policy.delay(attempt, session.rng), refill_seconds(response)), on_wire=True)
            attempt += 1
            continue
        return response


def reliable(workflow: Workflow[R], session: Session) -> Workflow[R]:
    """`workflow` with every request performed through `authorized`; Waits pass through."""
    def pass_on(effect: Wait) -> Step[None]:
        yield effect

    return (yield from perform(workflow, pass_on, lambda request: authorized(request, session)))
