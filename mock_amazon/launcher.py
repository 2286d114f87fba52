"""Start `python -m mock_amazon` in a subprocess and read its first line: for tests, benchmarks and scripts.

As a command, `python -m mock_amazon.launcher COMMAND ...` runs COMMAND against a fresh live mock: the mock's
base URL is in $SP_API_MOCK_URL, which the Gherkin scenarios (and `mock_amazon.client.live_target`) read. CI runs
one feature file this way.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
from typing import Any

import requests

from mock_amazon.control import TOKEN_HEADER as CONTROL_TOKEN_HEADER


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python -m mock_amazon` in a subprocess; `info` is the JSON line it prints first. With `control_token`, the
    mock asks it of every /_testbed/ route and `control()` sends it."""

    def __init__(self, *args: str, control_token: str | None = None, env: dict[str, str] | None = None):
        self.port = free_port()
        self.control_token = control_token
        token_args = ["--control-token", control_token] if control_token is not None else []
        # stderr goes to a file, not a pipe nobody reads while the server runs: a chatty server never blocks
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mock_amazon", "--port", str(self.port), *token_args, *args],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True, env={**os.environ, **(env or {})})
        assert self.process.stdout is not None  # a pipe, as asked
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=10)
            raise RuntimeError("mock_amazon did not start: " + self.errors())
        self.info = json.loads(line)
        self.base_url = self.info["base_url"]  # the line comes once the socket is bound: no waiting needed

    def errors(self) -> str:
        """What the server wrote on stderr so far."""
        self.stderr.seek(0)
        return self.stderr.read()

    def headers(self) -> dict[str, str]:
        """What a /_testbed/ request carries: the control token, if the mock asks for one."""
        return {CONTROL_TOKEN_HEADER: self.control_token} if self.control_token is not None else {}

    def control(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = requests.request(method, f"{self.base_url}/_testbed{path}", json=body, timeout=30,
                                    headers=self.headers())
        return response.status_code, response.json()

    def stop(self) -> None:
        stop_process(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.stderr.close()


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Ask a process to end, and end it if it will not within ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mock_amazon.launcher",
                                     description="Run a command against a fresh `python -m mock_amazon`, "
                                                 "its base URL in $SP_API_MOCK_URL.")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command and its arguments")
    args = parser.parse_args(argv)
    if not args.command:
        parser.error("give the command to run, e.g. pytest tests/bdd/test_001_efs.py")
    server = Server("--empty", "--sellers", "0")
    try:
        return subprocess.call(args.command, env={**os.environ, "SP_API_MOCK_URL": server.base_url})
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
