"""Test helpers shared by the mock's tests: a caller that checks every answer against Amazon's model."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import jsonschema
import requests

from mock_amazon.spec import operation, validator

ROOT = Path(__file__).resolve().parents[1]


def check_against_model(model: str, operation_id: str, status: int, body) -> None:
    """The answer's body must be what Amazon's model declares for that operation and status."""
    op = operation(model, operation_id)
    schema = op.response_schema(status)
    if schema is None:
        assert body in (None, b"", ""), f"{op.key} {status} declares no body, got {body!r}"
        return
    errors = list(validator(model, schema).iter_errors(body))
    assert not errors, f"{op.key} {status}: {errors[0].message} at {list(errors[0].absolute_path)}"


class Caller:
    """Calls operations by name through any transport, validating each answer against the model."""

    def __init__(self, send, token: str | None = None):
        self.send, self.token = send, token

    def __call__(self, model: str, operation_id: str, path: dict | None = None, query: dict | None = None,
                 body=None, headers: dict | None = None, raw_body: bytes | None = None):
        op = operation(model, operation_id)
        url = op.path
        for name, value in (path or {}).items():
            url = url.replace("{" + name + "}", str(value))
        if query:
            url += "?" + urlencode({k: ",".join(v) if isinstance(v, (list, tuple)) else v for k, v in query.items()})
        all_headers = {"x-amz-access-token": self.token} if self.token else {}
        all_headers.update(headers or {})
        data = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            all_headers["content-type"] = "application/json"
        status, response_headers, content = self.send(op.method, url, all_headers, data)
        payload = json.loads(content) if content else None
        check_against_model(model, operation_id, status, payload)
        assert "x-amzn-RequestId" in response_headers
        return Answer(status, payload, response_headers)


class Answer:
    def __init__(self, status, body, headers):
        self.status, self.body, self.headers = status, body, headers

    @property
    def error_code(self) -> str:
        return self.body["errors"][0]["code"]

    def __repr__(self):
        return f"Answer({self.status}, {self.body!r})"


def flask_sender(test_client):
    def send(method, url, headers, data):
        response = test_client.open(url, method=method, headers=headers, data=data)
        return response.status_code, response.headers, response.get_data()
    return send


def http_sender(base_url: str):
    session = requests.Session()

    def send(method, url, headers, data):
        response = session.request(method, base_url + url, headers=headers, data=data, timeout=30)
        return response.status_code, response.headers, response.content
    return send


def token_for(send_form, seller) -> str:
    status, body = send_form({"grant_type": "refresh_token", "client_id": seller["client_id"],
                              "client_secret": seller["client_secret"], "refresh_token": seller["refresh_token"]})
    assert status == 200, body
    return body["access_token"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python -m mock_amazon` in a subprocess; `info` is the JSON line it prints first."""

    def __init__(self, *args: str):
        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, "-m", "mock_amazon", "--port", str(self.port), *args],
                                        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("mock_amazon did not start: " + self.process.stderr.read())
        self.info = json.loads(line)
        self.base_url = self.info["base_url"]
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("mock_amazon exited: " + self.process.stderr.read())
                time.sleep(0.05)  # waiting for a real server socket, not for simulated time
        raise RuntimeError("mock_amazon is not listening")

    def control(self, method: str, path: str, body=None):
        response = requests.request(method, f"{self.base_url}/_testbed{path}", json=body, timeout=30)
        return response.status_code, response.json()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()
