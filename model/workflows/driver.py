"""The synchronous driver: performs a workflow's effects one by one with a `send` and a `wait` function.

Tests pass an in-process `send` and a `wait` that advances the shared virtual clock; a live run passes an HTTP
`send` and a real sleep. The simulator has its own driver on SimPy (simulator/transport.py).
"""
from __future__ import annotations

from typing import Callable

from model.workflows.protocol import R, Request, Response, Step, Wait, Workflow, perform


def run(workflow: Workflow[R], send: Callable[[Request], Response], wait: Callable[[float], None]) -> R:
    def on_wait(effect: Wait) -> Step[None]:
        wait(effect.seconds)
        yield from ()

    def on_request(request: Request) -> Step[Response]:
        yield from ()
        return send(request)

    steps = perform(workflow, on_wait, on_request)
    try:
        next(steps)  # neither side ever yields: the whole workflow runs in this one step
    except StopIteration as finished:
        value: R = finished.value
        return value
    raise AssertionError("a synchronous driver's steps never yield")
