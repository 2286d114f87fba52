"""The Flask application: one pipeline for every operation, then the operation's own handler.

For each request: run the timers that are due; authenticate the access token (403); take a token from the
seller's bucket for the operation (429); apply a fault rule if one matches; parse and validate the parameters
against Amazon's model (400); call the handler; shape the answer and log it. Blueprints only declare handlers.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.datastructures import MultiDict

from mock_amazon.auth import LwaError, Seller
from mock_amazon.core import MockAmazon
from mock_amazon.errors import ApiError, InvalidInput, NotFound, QuotaExceeded, RequestTimeout
from mock_amazon.spec import Operation, operation, parse_request

log = logging.getLogger("mock_amazon")


@dataclass
class Call:
    """What a handler receives: the mock, the calling seller and the validated parameters."""
    mock: MockAmazon
    seller: Seller
    params: dict[str, Any]


Handler = Callable[[Call], "tuple[int, Any]"]


_REGISTRY: dict[str, tuple[Operation, Handler, str]] = {}


class Api:
    """A blueprint whose routes are Amazon operations, looked up by operationId in one model."""

    def __init__(self, name: str, model: str, dialect: str = "sp-api"):
        self.blueprint = Blueprint(name, __name__)
        self.model, self.dialect = model, dialect

    def operation(self, operation_id: str):
        def register(handler: Handler) -> Handler:
            op = operation(self.model, operation_id)
            self.blueprint.add_url_rule(op.flask_rule, endpoint=operation_id, methods=[op.method],
                                        view_func=_view(op, handler, self.dialect))
            _REGISTRY[op.key] = (op, handler, self.dialect)
            return handler
        return register


def api_blueprints() -> list[Blueprint]:
    """Every API's blueprint (importing them registers their operations)."""
    from mock_amazon.apis.external_fulfillment import routes as external_fulfillment
    from mock_amazon.apis.fba_inventory.routes import api as fba_inventory
    from mock_amazon.apis.feeds.routes import api as feeds
    from mock_amazon.apis.fulfillment_outbound.routes import api as fulfillment_outbound
    from mock_amazon.apis.listings.routes import api as listings
    from mock_amazon.apis.notifications.routes import api as notifications
    from mock_amazon.apis.orders.routes import api as orders, api_2026 as orders_2026
    from mock_amazon.apis.reports.routes import api as reports
    return [api.blueprint for api in (orders, orders_2026, reports, fba_inventory, notifications, listings,
                                      fulfillment_outbound, feeds, external_fulfillment.inventory,
                                      external_fulfillment.shipments, external_fulfillment.returns)]


def operations() -> dict[str, tuple[Operation, Handler, str]]:
    """model.operationId -> (operation, handler, error dialect), for in-process calls."""
    if not _REGISTRY:
        api_blueprints()
    return _REGISTRY


def mock() -> MockAmazon:
    return current_app.extensions["mock_amazon"]


def json_response(status: int, body: Any, headers: dict | None = None) -> Response:
    text = "" if body is None else json.dumps(body, separators=(",", ":"))
    return Response(text, status=status, headers=headers or {},
                    mimetype="application/json" if body is not None else None)


@dataclass
class Exchange:
    """One operation request, however it arrived: over HTTP, or in-process from the simulator."""
    token: str | None
    path: str
    path_args: dict
    query: MultiDict
    headers: Mapping[str, str]
    body: bytes | None = None


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict


def dispatch(amazon: MockAmazon, op: Operation, handler: Handler, dialect: str, exchange: Exchange) -> Reply:
    """The pipeline every operation goes through; see the module's docstring."""
    request_id = amazon.request_id()
    headers = {"x-amzn-RequestId": request_id}
    seller_id, throttled, fault = None, False, None
    with amazon.lock:
        try:
            amazon.run_due()
            seller = amazon.auth.seller_for(exchange.token)
            seller_id = seller.seller_id
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
                if rule.timeout:
                    raise RequestTimeout("The request timed out before the service answered.")
                if rule.status:
                    raise ApiError(rule.message or f"Injected fault for {op.operation_id}.",
                                   code=rule.code or _default_code(rule.status), status=rule.status)
            if exchange.body and len(exchange.body) > amazon.settings.max_body_bytes:
                raise InvalidInput(f"The request body is larger than {amazon.settings.max_body_bytes} bytes.", "body")
            params = parse_request(op, exchange.path_args, exchange.query, exchange.headers, exchange.body)
            status, body = handler(Call(amazon, seller, params))
        except ApiError as error:
            status, body = error.http_status, error.body(dialect)
        except Exception:  # a bug in the mock: still Amazon's shape, and logged loudly
            log.exception("unhandled error in %s", op.key)
            status, body = 500, ApiError("An internal error occurred.").body(dialect)
        amazon.log(seller_id, op.operation_id, op.method, exchange.path, status, throttled, fault, request_id)
    return Reply(status, body, headers)


def invoke(amazon: MockAmazon, key: str, token: str | None, path_args: dict | None = None,
           query: dict | None = None, body: Any = None, headers: dict | None = None) -> Reply:
    """Call an operation in-process, by `model.operationId`, with no HTTP and no sockets."""
    op, handler, dialect = operations()[key]
    path = op.path
    for name, value in (path_args or {}).items():
        path = path.replace("{" + name + "}", str(value))
    pairs = [(k, v) for k, values in (query or {}).items()
             for v in (values if isinstance(values, (list, tuple)) else [values])]
    data = None if body is None else json.dumps(body).encode()
    return dispatch(amazon, op, handler, dialect, Exchange(token, path, dict(path_args or {}),
                                                           MultiDict([(k, str(v)) for k, v in pairs]),
                                                           headers or {}, data))


def _view(op: Operation, handler: Handler, dialect: str):
    def view(**path_args):
        amazon = mock()
        exchange = Exchange(request.headers.get("x-amz-access-token"), request.path, path_args, request.args,
                            request.headers, request.get_data(cache=True))
        reply = dispatch(amazon, op, handler, dialect, exchange)
        if amazon.wait is not None and "x-testbed-latency" in reply.headers:
            amazon.wait(float(reply.headers["x-testbed-latency"]))  # outside the lock: others go on meanwhile
        return json_response(reply.status, reply.body, reply.headers)
    view.__name__ = op.operation_id
    view.__wrapped_model__ = op.model  # lets tests list every served operation
    return view


def _default_code(status: int) -> str:
    return {400: "InvalidInput", 403: "Unauthorized", 404: "NotFound", 429: "QuotaExceeded",
            500: "InternalFailure", 503: "ServiceUnavailable"}.get(status, "InternalFailure")


# Login with Amazon and the documents behind report/feed URLs are not SP-API operations.
lwa = Blueprint("lwa", __name__)


@lwa.post("/auth/o2/token")
def token():
    amazon = mock()
    with amazon.lock:
        try:
            with amazon.store.transaction():
                return json_response(200, amazon.auth.exchange(request.form))
        except LwaError as error:
            return json_response(400, error.body())


def create_app(amazon: MockAmazon | None = None, **options) -> Flask:
    """The Flask app over `amazon` (or a new MockAmazon built from `options`: store, clock, base_url, seed)."""
    from mock_amazon.apis import documents
    from mock_amazon.control import control

    app = Flask("mock_amazon")
    app.extensions["mock_amazon"] = amazon or MockAmazon(**options)
    for blueprint in (lwa, documents.blueprint, control, *api_blueprints()):
        app.register_blueprint(blueprint)

    @app.errorhandler(404)
    def not_found(_):
        return json_response(404, NotFound(f"No resource at {request.method} {request.path}.").body())

    @app.errorhandler(405)
    def wrong_method(_):
        return json_response(405, ApiError(f"{request.method} is not allowed on {request.path}.",
                                           code="MethodNotAllowed", status=405).body())

    return app
