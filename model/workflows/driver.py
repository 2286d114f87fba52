"""The synchronous driver: performs a workflow's effects one by one with a `send` and a `wait` function.

Tests pass an in-process `send` and a `wait` that advances the shared virtual clock; a live run passes an HTTP
`send` and a real sleep. The simulator has its own driver on SimPy (simulator/transport.py).
"""
from __future__ import annotations

from typing import Callable

from model.workflows.protocol import R, Request, Response, Wait, Workflow


def run(workflow: Workflow[R], send: Callable[[Request], Response], wait: Callable[[float], None]) -> R:
    try:
        effect = next(workflow)
        while True:
            if isinstance(effect, Wait):
                wait(effect.seconds)
                effect = next(workflow)
            else:
                effect = workflow.send(send(effect))
    except StopIteration as finished:
        return finished.value
