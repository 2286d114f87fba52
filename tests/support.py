"""Test helpers shared by the mock's tests: a caller that checks every answer against Amazon's model."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import jsonschema
import requests

from mock_amazon.launcher import Server
from mock_amazon.spec import models_dir, operation, validator

__all__ = ["Caller", "Server", "check_against_model", "flask_sender", "http_sender", "token_for"]


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
