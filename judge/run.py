"""A judged run: a live world started, the connector under test started beside it with the environment every
connector gets, so many simulated days let pass, the connector stopped, the verdict taken."""
from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judge.checks import Evidence, Settings
from judge.marketplace import CannotJudge, Marketplace
from judge.verdict import Verdict


@dataclass
class Plan:
    scenario: str
    days: float
    clock_scale: float
    connector_cmd: str
    overrides: tuple[str, ...] = ()
    har: Path | None = None   # where to keep the run's journal (HAR 1.2) before the world stops


def connector_environment(base_url: str, seller: dict[str, str]) -> dict[str, str]:
    """The environment a connector finds (docs/bring-your-own-integration.md): where Amazon is, and the seller's
    credentials under the names python-amazon-sp-api reads."""
    return {"SP_API_MOCK_URL": base_url, "LWA_TOKEN_URL": f"{base_url}/auth/o2/token",
            "LWA_APP_ID": seller["client_id"], "LWA_CLIENT_SECRET": seller["client_secret"],
            "SP_API_REFRESH_TOKEN": seller["refresh_token"], "SP_API_SELLER_ID": seller["seller_id"],
            "SP_API_MARKETPLACE_ID": seller["marketplace_id"]}


@contextmanager
def live_world(plan: Plan) -> Iterator[dict[str, Any]]:
    """`python -m mock_amazon --scenario ...` on a free loopback port; yields its first line (base URL, seller)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "mock_amazon", "--port", str(port), "--scenario", plan.scenario,
               "--clock-scale", f"{plan.clock_scale:g}", *(f"--set={o}" for o in plan.overrides)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert server.stdout is not None and server.stderr is not None
    line = server.stdout.readline()
    if not line:
        raise CannotJudge("the live world did not start: " + server.stderr.read().strip())
    try:
        yield json.loads(line)
    finally:
        stop(server)


def stop(process: subprocess.Popen[Any]) -> None:
    """Ask a process to end, and end it if it will not within ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def judged_run(plan: Plan, settings: Settings, progress: bool | None = None) -> Verdict:
    progress = sys.stderr.isatty() if progress is None else progress
    with live_world(plan) as started:
        base_url, seller = started["base_url"], started["sellers"][0]
        marketplace = Marketplace(base_url)
        begin = marketplace.now()
        connector = subprocess.Popen(shlex.split(plan.connector_cmd),
                                     env={**os.environ, **connector_environment(base_url, seller)})
        try:
            deadline = time.monotonic() + plan.days * 86_400 / plan.clock_scale * 2 + 60
            while marketplace.now() < begin + plan.days * 86_400:
                if connector.poll() is not None:
                    print(f"judge: the connector exited with {connector.returncode} before the run ended",
                          file=sys.stderr)
                    break
                if time.monotonic() > deadline:
                    raise CannotJudge("the world did not reach the end of the run in time")
                if progress:
                    done = (marketplace.now() - begin) / (plan.days * 86_400)
                    print(f"\rjudge: {done:6.1%} of {plan.days:g} simulated days", end="", file=sys.stderr)
                time.sleep(0.5)  # real time: the world runs on the wall clock
            if progress:
                print(file=sys.stderr)
        finally:
            stop(connector)
        verdict = Verdict.of(Evidence.load(marketplace, settings, seller["seller_id"]), base_url)
        if plan.har is not None:
            plan.har.parent.mkdir(parents=True, exist_ok=True)
            plan.har.write_text(json.dumps(marketplace.get("/_testbed/traffic.har", limit=100_000)))
        return verdict
