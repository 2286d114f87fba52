"""Test helpers shared by the mock's tests: a caller that checks every answer against Amazon's model."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import jsonschema
import requests

from mock_amazon import MockAmazon, launcher
from mock_amazon.pipeline import ANSWER_BREAKS_MODEL
from mock_amazon.spec import models_dir, operation, validator
from model.clock import VirtualClock

__all__ = ["HAR_SCHEMA", "Caller", "FakeWall", "Server", "check_against_model", "flask_sender", "http_sender",
           "seeded_amazon", "token_for"]


class Server(launcher.Server):
    """`python -m mock_amazon` for a test: it checks its answers against Amazon's model (the suite sets
    MOCK_AMAZON_CHECK_ANSWERS), and stopping it fails the test if one broke the model."""

    def stop(self) -> None:
        log = self.errors()
        super().stop()
        broken = [line for line in log.splitlines() if ANSWER_BREAKS_MODEL in line]
        assert not broken, broken


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

    def __init__(self, send, token: str | None = None, renew=None):
        """`renew`, if given, fetches a new access token; an answer saying the token expired is then retried
        once with a new one, as real clients do."""
        self.send, self.token, self.renew = send, token, renew

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
        if status == 403 and self.renew is not None and b"expired" in content:
            self.token = all_headers["x-amz-access-token"] = self.renew()
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


NOTIFICATION_SCHEMAS = {
    "ORDER_CHANGE": "OrderChangeNotification.json",
    "FULFILLMENT_ORDER_STATUS": "FulfillmentOrderStatusNotification.json",
    "FBA_INVENTORY_AVAILABILITY_CHANGES": "FBAInventoryAvailabilityChangeNotification.json",
    "REPORT_PROCESSING_FINISHED": "ReportProcessingFinishedNotification.json",
    "FEED_PROCESSING_FINISHED": "FeedProcessingFinishedNotification.json",
}


def check_notification(message: dict) -> None:
    """A delivered notification must validate against Amazon's schema for its type."""

    schema = json.loads((models_dir() / NOTIFICATION_SCHEMAS[message["type"]]).read_text())
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(message["body"]))
    assert not errors, f"{message['type']}: {errors[0].message} at {list(errors[0].absolute_path)}"


# The structure HAR 1.2 requires, written from the specification (http://www.softwareishard.com/blog/har-12-spec/):
# every required field with its type; optional ones where we write them; custom fields must start with "_".
def _object(required: dict, optional: dict | None = None) -> dict:
    return {"type": "object", "required": list(required),
            "properties": {**required, **(optional or {}), "comment": {"type": "string"}},
            "patternProperties": {"^_": {}}, "additionalProperties": False}


_PAIRS = {"type": "array", "items": _object({"name": {"type": "string"}, "value": {"type": "string"}})}
_ISO_8601 = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"}
HAR_SCHEMA = _object({"log": _object({
    "version": {"const": "1.2"},
    "creator": _object({"name": {"type": "string"}, "version": {"type": "string"}}),
    "entries": {"type": "array", "items": _object({
        "startedDateTime": _ISO_8601,
        "time": {"type": "number", "minimum": 0},
        "request": _object({
            "method": {"type": "string"}, "url": {"type": "string", "format": "uri"},
            "httpVersion": {"type": "string"}, "cookies": _PAIRS, "headers": _PAIRS, "queryString": _PAIRS,
            "headersSize": {"type": "integer"}, "bodySize": {"type": "integer"},
        }, {"postData": _object({"mimeType": {"type": "string"}},
                                {"text": {"type": "string"}, "params": {"type": "array"}})}),
        "response": _object({
            "status": {"type": "integer"}, "statusText": {"type": "string"}, "httpVersion": {"type": "string"},
            "cookies": _PAIRS, "headers": _PAIRS,
            "content": _object({"size": {"type": "integer"}, "mimeType": {"type": "string"}},
                               {"text": {"type": "string"}, "encoding": {"type": "string"},
                                "compression": {"type": "integer"}}),
            "redirectURL": {"type": "string"}, "headersSize": {"type": "integer"}, "bodySize": {"type": "integer"},
        }),
        "cache": _object({}, {"beforeRequest": {"type": ["object", "null"]},
                              "afterRequest": {"type": ["object", "null"]}}),
        "timings": _object({"send": {"type": "number"}, "wait": {"type": "number"}, "receive": {"type": "number"}},
                           {name: {"type": "number"} for name in ("blocked", "dns", "connect", "ssl")}),
    }, {"pageref": {"type": "string"}, "serverIPAddress": {"type": "string"}, "connection": {"type": "string"}})},
}, {"browser": {"type": "object"}, "pages": {"type": "array"}})})


class FakeWall:
    """Real time for the tests: every reading is `step` seconds after the one before."""

    def __init__(self, start: float = 1_780_000_000.0, step: float = 0.004):
        self.now, self.step = start, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def seeded_amazon(**options: Any) -> MockAmazon:
    """An in-process mock on a virtual clock with one seeded seller (`amazon.seller`); `options` go to MockAmazon."""
    amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", **options)
    amazon.seller = amazon.create_seller()  # type: ignore[attr-defined]
    amazon.seed(amazon.seller.seller_id, skus=12, orders=8, seed=1)  # type: ignore[attr-defined]
    return amazon
