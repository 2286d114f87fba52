"""What a workflow yields and receives."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generator, TypeVar


@dataclass(frozen=True)
class Request:
    """A call to Amazon. `operation` is `model.operationId` (e.g. "ordersV0.getOrders"), or one of the
    non-API calls: "lwa.token" (body: the form), "document.get" and "document.put" (url, body bytes)."""
    operation: str
    path: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    body: Any = None
    url: str | None = None
    content_type: str | None = None
    headers: dict = field(default_factory=dict)


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict = field(default_factory=dict)
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error_code(self) -> str | None:
        if isinstance(self.body, dict) and self.body.get("errors"):
            return self.body["errors"][0].get("code")
        return None

    @property
    def error_message(self) -> str:
        if isinstance(self.body, dict) and self.body.get("errors"):
            return self.body["errors"][0].get("message", "")
        return ""


@dataclass(frozen=True)
class Wait:
    """Let `seconds` of time pass (a poll interval, a back-off). `on_wire` waits are the client's own pacing and
    back-off, in real seconds; the others are the marketplace's time (they differ only when it runs faster)."""
    seconds: float
    on_wire: bool = False


Effect = Request | Wait
R = TypeVar("R")
#: A workflow that returns an R (`Workflow[R]`; plain `Workflow` returns Any). It yields effects and is sent the
#: Response to each Request; what a Wait gives back is None, and no workflow reads it. A driver starts it, and
#: resumes it after a Wait, with next().
Workflow = Generator[Effect, Response, R]
#: A generator a driver runs as one step of a workflow (or a whole one): it may yield what its driver needs (a
#: SimPy event, an Effect) and returns an R.
Step = Generator[Any, Any, R]


def perform(workflow: Workflow[R], on_wait: Callable[[Wait], Step[None]],
            on_request: Callable[[Request], Step[Response]]) -> Step[R]:
    """The one loop that steps a workflow: each Wait is handed to `on_wait`, each Request to `on_request`, whose
    return value is the Response the workflow receives. Both are generators, so a driver may itself be one (a
    SimPy process, or a workflow wrapping another); returns the workflow's value."""
    try:
        effect = next(workflow)
        while True:
            if isinstance(effect, Wait):
                yield from on_wait(effect)
                effect = next(workflow)
            else:
                effect = workflow.send((yield from on_request(effect)))
    except StopIteration as finished:
        return finished.value


class WorkflowError(Exception):
    """A call failed in a way the workflow cannot recover from; `response` says how."""

    def __init__(self, message: str, response: Response | None = None):
        super().__init__(message)
        self.response = response


def expect_ok(response: Response, what: str) -> Response:
    """`response` if it is a success; else WorkflowError naming the call, the status and Amazon's message."""
    if not response.ok:
        raise WorkflowError(f"{what} answered {response.status}: {response.error_message}", response)
    return response
