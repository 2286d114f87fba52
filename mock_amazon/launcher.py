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
from typing import Any

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python -m mock_amazon` in a subprocess; `info` is the JSON line it prints first."""

    def __init__(self, *args: str):
        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, "-m", "mock_amazon", "--port", str(self.port), *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stdout is not None  # a pipe, as asked
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("mock_amazon did not start: " + self._errors())
        self.info = json.loads(line)
        self.base_url = self.info["base_url"]  # the line comes once the socket is bound: no waiting needed

    def _errors(self) -> str:
        return self.process.stderr.read() if self.process.stderr is not None else ""

    def control(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = requests.request(method, f"{self.base_url}/_testbed{path}", json=body, timeout=30)
        return response.status_code, response.json()

    def stop(self) -> None:
        stop_process(self.process)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Ask a process to end, and end it if it will not within ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


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
