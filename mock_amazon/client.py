"""Ways for an integration to reach the mock: in-process (no sockets, for tests and the simulator) or over
HTTP (a running `python -m mock_amazon`). Each is a `send(Request) -> Response` for the workflow drivers.

`Control` is the testbed's own API (/_testbed/...) the same way, and `RemoteClock` is a running mock's clock
seen from outside, so a test or a script can drive a live mock exactly as it drives an in-process one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

import requests

from mock_amazon.app import ROUTES, create_app
from mock_amazon.auth import Seller
from mock_amazon.control import TOKEN_HEADER
from mock_amazon.core import MockAmazon
from mock_amazon.pipeline import DOCUMENTS_PATH, download_document, exchange_token, invoke, upload_document
from model.clock import Clock
from model.workflows.protocol import Request, Response
from model.workflows.session import Session

TIMEOUT_STATUSES = (504,)
CONTROL_TOKEN_ENV = "MOCK_AMAZON_CONTROL_TOKEN"  # the control token, for Control and live_driver's clock


class InProcess:
    """Calls the mock's pipeline directly: same auth, limits, faults and validation as over HTTP."""

    def __init__(self, amazon: MockAmazon):
        self.amazon = amazon

    def __call__(self, request: Request) -> Response:
        amazon = self.amazon
        if request.operation == "lwa.token":
            reply = exchange_token(amazon, request.body, request.headers)
            return Response(reply.status, reply.body)
        if request.operation in ("document.get", "document.put"):
            url = urlsplit(_url(request))
            document_id = url.path.rsplit(DOCUMENTS_PATH, 1)[-1]
            if request.operation == "document.put":
                reply = upload_document(amazon, document_id, dict(parse_qsl(url.query)), request.body,
                                        request.content_type, request.headers)
                return Response(reply.status, reply.body)
            reply = download_document(amazon, document_id, request.headers)
            return Response(reply.status, reply.body if reply.status == 200 else None)
        reply = invoke(amazon, ROUTES[request.operation], request.headers.get("x-amz-access-token"), request.path,
                       request.query, request.body, request.headers)
        return Response(reply.status, reply.body, reply.headers, timed_out=reply.status in TIMEOUT_STATUSES)


class OverHttp:
    """Calls a running mock (or anything speaking SP-API) at `base_url` with `requests`."""

    def __init__(self, base_url: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()

    def __call__(self, request: Request) -> Response:
        try:
            if request.operation == "lwa.token":
                answer = self.http.post(f"{self.base_url}/auth/o2/token", data=request.body, timeout=self.timeout)
            elif request.operation == "document.get":
                answer = self.http.get(_url(request), timeout=self.timeout)
                return Response(answer.status_code, answer.content, dict(answer.headers))
            elif request.operation == "document.put":
                answer = self.http.put(_url(request), data=request.body, timeout=self.timeout,
                                       headers={"content-type": request.content_type or "application/octet-stream"})
                refused = answer.json() if answer.content and "json" in answer.headers.get("content-type", "") else None
                return Response(answer.status_code, refused, dict(answer.headers))
            else:
                op = ROUTES[request.operation].operation
                path = op.path
                for name, value in request.path.items():
                    path = path.replace("{" + name + "}", str(value))
                query = {k: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                         for k, v in request.query.items()}
                answer = self.http.request(op.method, self.base_url + path, params=query,
                                           json=request.body, headers=request.headers, timeout=self.timeout)
        except requests.Timeout:
            return Response(504, None, {}, timed_out=True)
        body = answer.json() if answer.content and "json" in answer.headers.get("content-type", "") else None
        return Response(answer.status_code, body, dict(answer.headers),
                        timed_out=answer.status_code in TIMEOUT_STATUSES)


def _url(request: Request) -> str:
    if request.url is None:
        raise ValueError(f"{request.operation} needs the document's url")
    return request.url


@dataclass(frozen=True)
class ControlReply:
    status_code: int
    json: Any


class Control:
    """The control API: `control.post("/_testbed/orders", json={...})` answers a ControlReply, whether the mock
    runs in-process (through Flask's test client: the same routes, no sockets) or at a URL. `token` is the mock's
    control token, if it has one (by default $MOCK_AMAZON_CONTROL_TOKEN)."""

    def __init__(self, amazon: MockAmazon | None = None, base_url: str | None = None, timeout: float = 30.0,
                 token: str | None = None):
        if (amazon is None) == (base_url is None):
            raise ValueError("give the in-process mock or the base URL of a running one")
        token = token if token is not None else os.environ.get(CONTROL_TOKEN_ENV) or None
        self._headers = {TOKEN_HEADER: token} if token is not None else {}
        if amazon is not None:
            self._test_client = create_app(amazon).test_client()
        elif base_url is not None:
            self._http, self._base_url, self._timeout = requests.Session(), base_url.rstrip("/"), timeout

    def request(self, method: str, path: str, json: Any = None, query: dict | None = None) -> ControlReply:
        if hasattr(self, "_test_client"):
            tested = self._test_client.open(path, method=method, json=json, query_string=query,
                                            headers=self._headers)
            return ControlReply(tested.status_code, tested.get_json(silent=True))
        answer = self._http.request(method, self._base_url + path, json=json, params=query, timeout=self._timeout,
                                    headers=self._headers)
        return ControlReply(answer.status_code, answer.json() if answer.content else None)

    def get(self, path: str, query: dict | None = None) -> ControlReply:
        return self.request("GET", path, query=query)

    def post(self, path: str, json: Any = None) -> ControlReply:
        return self.request("POST", path, json)

    def put(self, path: str, json: Any = None) -> ControlReply:
        return self.request("PUT", path, json)


class RemoteClock(Clock):
    """A mock's clock read and moved through its control API: the integration's clock in a live run. Moving it
    also performs whatever Amazon had scheduled up to then."""

    def __init__(self, control: Control):
        self.control = control

    def seconds(self) -> float:
        return self.control.get("/_testbed/clock").json["seconds"]

    def advance(self, seconds: float) -> None:
        reply = self.control.post("/_testbed/clock/advance", json={"seconds": seconds})
        if reply.status_code != 200:
            raise RuntimeError(f"the mock refused to advance its clock: {reply.json}")


def live_target(url: str | None = None) -> str | None:
    """A running mock's base URL: the argument, else $SP_API_MOCK_URL; None means in-process."""
    return url or os.environ.get("SP_API_MOCK_URL") or None


CREDENTIAL_VARIABLES = {"client_id": "LWA_APP_ID", "client_secret": "LWA_CLIENT_SECRET",
                        "refresh_token": "SP_API_REFRESH_TOKEN"}   # the names python-amazon-sp-api reads


def connector_environment(base_url: str, seller: Seller) -> dict[str, str]:
    """What a connector under test finds in its environment: where Amazon is, and the seller's credentials under
    the names python-amazon-sp-api reads."""
    return {"SP_API_MOCK_URL": base_url, "LWA_TOKEN_URL": f"{base_url}/auth/o2/token",
            CREDENTIAL_VARIABLES["client_id"]: seller.client_id,
            CREDENTIAL_VARIABLES["client_secret"]: seller.client_secret,
            CREDENTIAL_VARIABLES["refresh_token"]: seller.refresh_token,
            "SP_API_SELLER_ID": seller.seller_id, "SP_API_MARKETPLACE_ID": seller.marketplace_id}


def live_driver(url: str | None = None,
                credentials: dict | None = None) -> tuple[OverHttp, Callable[[float], None], Session]:
    """What `model.workflows.driver.run` needs to drive a workflow against a running mock: `(send, wait,
    session)`. The URL comes from the argument or $SP_API_MOCK_URL; the credentials from the argument or
    $LWA_APP_ID, $LWA_CLIENT_SECRET and $SP_API_REFRESH_TOKEN. Waiting moves the mock's clock."""
    base_url = live_target(url)
    if base_url is None:
        raise ValueError("no mock URL: pass one or set SP_API_MOCK_URL")
    credentials = credentials or {key: os.environ.get(name, "") for key, name in CREDENTIAL_VARIABLES.items()}
    missing = [CREDENTIAL_VARIABLES[key] for key in CREDENTIAL_VARIABLES if not credentials.get(key)]
    if missing:
        raise ValueError(f"missing credentials: set {', '.join(missing)}")
    clock = RemoteClock(Control(base_url=base_url))
    session = Session(credentials["client_id"], credentials["client_secret"], credentials["refresh_token"], clock)
    return OverHttp(base_url), clock.advance, session
