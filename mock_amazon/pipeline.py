"""The request pipeline: one path through the mock for every operation, then the operation's own handler.

For each request: run the timers that are due; authenticate the access token or restricted data token (403);
take a token from the seller's bucket for the operation (429); apply a fault rule if one matches; parse and
validate the parameters against Amazon's model and the constraints its descriptions state (400, spec.py and
constraints.py); call the handler, as one transaction; shape the answer and journal it. Blueprints only declare
handlers (`Api.operation`); app.py assembles them; this module imports no blueprint.

Login with Amazon's token endpoint and the document URLs are not operations, but they are Amazon's doors too:
their paths are here as well (`exchange_token`, `download_document`, `upload_document`), so that the Flask routes
and the in-process client go through the same code and the same journal.
"""
from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import orjson
from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import Headers, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

import mock_amazon.marketplaces as marketplaces
from mock_amazon.apis.documents import backend as documents
from mock_amazon.auth import LwaError, Seller
from mock_amazon.constraints import enforce
from mock_amazon.core import MockAmazon
from mock_amazon.errors import ApiError, InvalidInput, NotFound, QuotaExceeded, RequestTimeout
from mock_amazon.journal import FORM, JSON, REDACTED, HeaderItems, Message, query_string
from mock_amazon.spec import Operation, answer_problem, operation, parse_request

log = logging.getLogger("mock_amazon")
ANSWER_BREAKS_MODEL = "the mock's answer breaks Amazon's model"


@dataclass
class Call:
    """What a handler receives: the mock, the calling seller, the validated parameters, and the restricted data
    elements (buyerInfo, shippingAddress) the call's restricted data token grants (none with an access token)."""
    amazon: MockAmazon
    seller: Seller
    params: dict[str, Any]
    data_elements: frozenset[str] = frozenset()


#: What a handler answers: the HTTP status and the JSON body (None: no body).
Answer = tuple[int, Any]
Handler = Callable[[Call], Answer]


@dataclass(frozen=True)
class Route:
    """One served operation: its model, its handler and the error dialect its API speaks."""
    operation: Operation
    handler: Handler
    dialect: str


class Api:
    """A blueprint whose routes are Amazon operations, looked up by operationId in one model."""

    def __init__(self, name: str, model: str, dialect: str = "sp-api"):
        self.blueprint = Blueprint(name, __name__)
        self.model, self.dialect = model, dialect
        self.routes: dict[str, Route] = {}

    def operation(self, operation_id: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            route = Route(operation(self.model, operation_id), handler, self.dialect)
            self.blueprint.add_url_rule(route.operation.flask_rule, endpoint=operation_id,
                                        methods=[route.operation.method], view_func=_view(route))
            self.routes[route.operation.key] = route
            return handler
        return register


def current_amazon() -> MockAmazon:
    """The MockAmazon behind the Flask app serving this request."""
    amazon: MockAmazon = current_app.extensions["mock_amazon"]
    return amazon


def to_json(body: Any) -> bytes:
    """An answer's body as the JSON the wire and the journal carry (one spelling for both). An `Encoded` object in it
    is written as the bytes it carries; everything else as orjson writes it."""
    return orjson.dumps(body, default=_written_as_before,
                        option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_SUBCLASS)


class Encoded(dict):
    """A JSON object with its encoding made once, beforehand: `to_json` copies that text into every answer that
    carries it. Anywhere else it reads as the dict it is (answer checks, in-process callers). Never change one."""
    __slots__ = ("json",)
    json: str  # text of exactly its length: the bytes orjson makes hold on to their whole buffer (some 8 KB)


def encoded(value: dict) -> Encoded:
    kept = Encoded(value)
    kept.json = to_json(value).decode()
    return kept


def _written_as_before(value: Any) -> Any:
    """What orjson is handed for a subclass of a built-in type (OPT_PASSTHROUGH_SUBCLASS lets `Encoded` through):
    its bytes for an `Encoded` object, and for any other the built-in value orjson writes without the option."""
    if isinstance(value, Encoded):
        return orjson.Fragment(value.json)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def json_response(status: int, body: Any, headers: dict[str, str] | None = None,
                  encoded: bytes | None = None) -> Response:
    """`body` as JSON; `encoded` is that JSON already made (the journal's copy), so it is not made twice."""
    if encoded is None and body is not None:
        encoded = to_json(body)
    return Response(encoded or b"", status=status, headers=headers or {},
                    mimetype="application/json" if body is not None else None)


@dataclass
class Exchange:
    """One operation request, however it arrived: over HTTP, or in-process from the simulator."""
    token: str | None
    path: str
    path_args: dict[str, Any]
    query: MultiDict[str, str]
    headers: Mapping[str, str] | Headers
    body: bytes | None = None
    oversized: bool = False  # the body was larger than the mock takes, and was not read


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]
    encoded: bytes | None = None  # the body as JSON, when the journal needed it anyway


MALFORMED_HEADER = "x-testbed-malformed"


def dispatch(amazon: MockAmazon, route: Route, exchange: Exchange) -> Reply:
    """The pipeline every operation goes through; see the module's docstring."""
    op, dialect = route.operation, route.dialect
    started = amazon.wall()
    request_id = amazon.request_id()
    headers = {"x-amzn-RequestId": request_id}
    seller_id, throttled, fault = None, False, None
    with amazon.lock:
        try:
            amazon.run_due()
            grant = amazon.tokens.grant(exchange.token, op, exchange.path)
            seller_id = grant.seller.seller_id
            allowed, rate = amazon.limits.take(seller_id, op)
            headers["x-amzn-RateLimit-Limit"] = f"{rate:g}"
            if not allowed:
                throttled = True
                raise QuotaExceeded()
            rule = amazon.faults.pick(op)
            if rule is not None:
                fault = rule.describe()
                if rule.latency:
                    headers["x-testbed-latency"] = f"{rule.latency:g}"
                if rule.timeout and not rule.processed:
                    raise RequestTimeout("The request timed out before the service answered.")
                if rule.status:
                    raise ApiError(rule.message or f"Injected fault for {op.operation_id}.",
                                   code=rule.code or _default_code(rule.status), status=rule.status)
            try:
                if exchange.oversized or exchange.body and len(exchange.body) > amazon.settings.max_body_bytes:
                    raise InvalidInput(f"The request body is larger than {amazon.settings.max_body_bytes} bytes.",
                                       "body")
                params = parse_request(op, exchange.path_args, exchange.query, exchange.headers, exchange.body)
                enforce(op.key, params, amazon.clock.now())
            except InvalidInput:
                # malformed, not refused by a rule: what the judge's requests.valid counts, from the journal
                headers[MALFORMED_HEADER] = "the request does not match Amazon's model"
                raise
            marketplaces.check_call(grant.seller.marketplace_ids, params)  # 403 for one not the seller's
            status, body = perform(route.handler, Call(amazon, grant.seller, params, grant.data_elements))
            if rule is not None and rule.processed:
                raise RequestTimeout("The request timed out after the service had done its work.")
        except ApiError as error:
            status, body = error.http_status, error.body(dialect)
        except Exception:  # a bug in the mock: still Amazon's shape, and logged loudly
            log.exception("unhandled error in %s", op.key)
            status, body = 500, ApiError("An internal error occurred.").body(dialect)
        if amazon.check_answers and fault is None:  # an injected fault's status is the tester's choice
            problem = answer_problem(op, status, body)
            if problem is not None:  # a bug in the mock: an answer its model does not allow
                log.error("%s: %s", ANSWER_BREAKS_MODEL, problem)
                status, body = 500, ApiError(f"{ANSWER_BREAKS_MODEL}: {problem}").body(dialect)
        encoded = None if body is None or not amazon.journal.bodies else to_json(body)
        amazon.journal.record(
            op.operation_id, op.method, exchange.path, query_string(exchange.query), status, started, seller_id,
            throttled, fault, request_id,
            Message(exchange.headers, exchange.body, exchange.headers.get("content-type")),
            Message(headers, body if encoded is None else encoded, None if body is None else JSON))
    return Reply(status, body, headers, encoded)


def perform(handler: Handler, call: Call) -> Answer:
    """The handler as one transaction: all it changes is stored at once, or nothing when it answers an error,
    unless the error says the change stands (`ApiError.keeps_changes`: an operation that acts and refuses)."""
    with call.amazon.store.transaction():
        try:
            return handler(call)
        except ApiError as error:
            if not error.keeps_changes:
                raise
            refusal = error  # the block ends normally, so what the operation did is stored
    raise refusal


TOKEN_PATH = "/auth/o2/token"
DOCUMENTS_PATH = documents.PATH


def exchange_token(amazon: MockAmazon, form: Mapping[str, str], headers: HeaderItems) -> Reply:
    """Login with Amazon's token endpoint: an access token for a grant, or an OAuth error (400)."""
    started = amazon.wall()
    seller_id = None
    with amazon.lock:
        try:
            with amazon.store.transaction():
                status, body = 200, amazon.auth.exchange(form)
            seller_id = amazon.auth.seller_for(body["access_token"]).seller_id
        except LwaError as error:
            status, body = 400, error.body()
        amazon.journal.record("lwa.token", "POST", TOKEN_PATH, "", status, started, seller_id,
                              request=Message(headers, dict(form.items()), FORM), response=Message({}, body, JSON))
    return Reply(status, body, {})


def download_document(amazon: MockAmazon, document_id: str, headers: HeaderItems) -> Reply:
    """A report or feed document's URL: its bytes, to anyone holding the URL (Amazon's are pre-signed)."""
    started = amazon.wall()
    with amazon.lock:
        document = amazon.documents.download(document_id)
        if document is None:
            reply = Reply(404, NotFound(f"No document found with ID {document_id}.").body(), {})
        else:
            reply = Reply(200, document[0], {"content-type": document[1]})
        amazon.journal.record("document.get", "GET", DOCUMENTS_PATH + document_id, "", reply.status, started,
                              request=Message(headers, None),
                              response=Message(reply.headers, reply.body, document[1] if document else JSON))
    return reply


def upload_document(amazon: MockAmazon, document_id: str, query: Mapping[str, str], content: bytes | None,
                    content_type: str | None, headers: HeaderItems) -> Reply:
    """The PUT behind a feed document's upload URL (its query carries the URL's signature and expiry); None as
    `content` is a body larger than the mock takes."""
    started = amazon.wall()
    with amazon.lock:
        try:
            if content is None or len(content) > amazon.settings.max_body_bytes:
                raise InvalidInput(f"The document is larger than {amazon.settings.max_body_bytes} bytes.", "body")
            with amazon.store.transaction():
                amazon.documents.upload(document_id, query, content, content_type)
            reply = Reply(200, None, {})
        except ApiError as error:
            reply = Reply(error.http_status, error.body(), {})
        signed = {name: REDACTED if name == "X-Amz-Signature" else value for name, value in query.items()}
        amazon.journal.record("document.put", "PUT", DOCUMENTS_PATH + document_id, query_string(signed), reply.status,
                              started, request=Message(headers, content, content_type),
                              response=Message({}, reply.body, None if reply.body is None else JSON))
    return reply


def invoke(amazon: MockAmazon, route: Route, token: str | None, path_args: dict[str, Any] | None = None,
           query: dict[str, Any] | None = None, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    """Call an operation in-process, with no HTTP and no sockets."""
    path = route.operation.path
    for name, value in (path_args or {}).items():
        path = path.replace("{" + name + "}", str(value))
    pairs = [(k, v) for k, values in (query or {}).items()
             for v in (values if isinstance(values, (list, tuple)) else [values])]
    data = None if body is None else json.dumps(body).encode()
    return dispatch(amazon, route, Exchange(token, path, dict(path_args or {}),
                                            MultiDict([(k, str(v)) for k, v in pairs]), headers or {}, data))


def request_body(amazon: MockAmazon, incoming: Request | None = None) -> tuple[bytes | None, bool]:
    """A request's body (Flask's current one unless `incoming` is given), read only if it is within
    `max_body_bytes`: (body, False), or (None, True)."""
    incoming = request if incoming is None else incoming
    environ = incoming.environ
    if environ.get("CONTENT_LENGTH") in (None, "", "0") and "HTTP_TRANSFER_ENCODING" not in environ:
        return b"", False  # no body sent: nothing to read (a GET's usual case)
    incoming.max_content_length = amazon.settings.max_body_bytes
    try:
        return incoming.get_data(cache=True), False
    except RequestEntityTooLarge:
        return None, True


def answer(amazon: MockAmazon, route: Route, path_args: dict[str, Any], incoming: Request,
           query: MultiDict[str, str] | None = None) -> Reply:
    """One operation's request over HTTP, answered: Flask's view for the operation and the app's direct path to it
    (app.py) both come here; `query` is the request's parsed query when the caller has it already. A fault's added
    latency is waited out here, outside the lock."""
    body, oversized = request_body(amazon, incoming)
    exchange = Exchange(incoming.headers.get("x-amz-access-token"), incoming.path, path_args,
                        incoming.args if query is None else query, incoming.headers, body, oversized)
    reply = dispatch(amazon, route, exchange)
    if amazon.wait is not None and "x-testbed-latency" in reply.headers:
        amazon.wait(float(reply.headers["x-testbed-latency"]))  # others go on meanwhile
    return reply


def on_the_wire(reply: Reply) -> tuple[str, list[tuple[str, str]], bytes]:
    """The status line, headers and body `json_response` gives the reply, made without a Response object: Flask's
    JSON mimetype (or its default one for no body), the length unless the status has no body (1xx, 204)."""
    encoded = b"" if reply.body is None else reply.encoded or to_json(reply.body)
    headers = [*reply.headers.items(),
               ("Content-Type", "application/json" if reply.body is not None else NO_BODY_CONTENT_TYPE)]
    if not (100 <= reply.status < 200 or reply.status == 204):
        headers.append(("Content-Length", str(len(encoded))))
    return _status_line(reply.status), headers, encoded


NO_BODY_CONTENT_TYPE = Response(b"").content_type or ""


@functools.cache
def _status_line(status: int) -> str:
    return Response(status=status).status


def _view(route: Route) -> Callable[..., Response]:
    def view(**path_args: Any) -> Response:
        reply = answer(current_amazon(), route, path_args, request)
        return json_response(reply.status, reply.body, reply.headers, reply.encoded)
    view.__name__ = route.operation.operation_id
    view.__wrapped_model__ = route.operation.model  # type: ignore[attr-defined]  # lets tests list served operations
    return view


def _default_code(status: int) -> str:
    return {400: "InvalidInput", 403: "Unauthorized", 404: "NotFound", 429: "QuotaExceeded",
            500: "InternalFailure", 503: "ServiceUnavailable"}.get(status, "InternalFailure")
