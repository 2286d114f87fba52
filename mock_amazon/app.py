"""The Flask application: assembles every API's blueprint, the control API and the error pages over one
MockAmazon. Nothing imports this module back except the entry points (server, clients, tests)."""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Mapping

from flask import Flask, Response, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from mock_amazon.apis.documents import routes as documents
from mock_amazon.apis.external_fulfillment import routes as external_fulfillment
from mock_amazon.apis.fba_inventory import routes as fba_inventory
from mock_amazon.apis.feeds import routes as feeds
from mock_amazon.apis.fulfillment_outbound import routes as fulfillment_outbound
from mock_amazon.apis.listings import routes as listings
from mock_amazon.apis.lwa import routes as lwa
from mock_amazon.apis.notifications import routes as notifications
from mock_amazon.apis.orders import routes as orders
from mock_amazon.apis.reports import routes as reports
from mock_amazon.apis.sellers import routes as sellers
from mock_amazon.apis.sqs import routes as sqs
from mock_amazon.apis.tokens import routes as tokens
from mock_amazon.control import control, require_control_token
from mock_amazon.core import MockAmazon
from mock_amazon.errors import ApiError, NotFound
from mock_amazon.pipeline import Api, Route, answer, json_response, on_the_wire
from mock_amazon.ui import ui

APIS: tuple[Api, ...] = (
    orders.api, orders.api_2026, reports.api, fba_inventory.api, notifications.api, listings.api,
    fulfillment_outbound.api, feeds.api, external_fulfillment.inventory, external_fulfillment.shipments,
    external_fulfillment.returns, tokens.api, sellers.api)

log = logging.getLogger("mock_amazon")

ROUTES: dict[str, Route] = {key: route for api in APIS for key, route in api.routes.items()}
"""model.operationId -> Route, for in-process calls."""
ENDPOINTS: dict[str, Route] = {f"{api.blueprint.name}.{route.operation.operation_id}": route
                               for api in APIS for route in api.routes.values()}
"""Flask's endpoint of each operation -> its Route."""
ROUTES_REMEMBERED = 10_000  # (method, path) pairs whose routing is kept; past that the table starts over
QUERIES_REMEMBERED = 10_000  # query strings kept parsed; past that the table starts over


class MockAmazonApp(Flask):
    """Flask, with a direct path for Amazon's operations: a request for one, by its own method, goes to the
    pipeline (`answer`) without Flask's request context, hooks and error pages, which no operation uses (the
    pipeline answers every error itself in Amazon's shape). Everything else (the control API, the dashboard, Login
    with Amazon, documents, SQS, unknown paths, other methods) is Flask's. Routing is Flask's own URL map, asked once
    per method and path (every route is registered before the app serves)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.operations_by_path: dict[tuple[str, str], tuple[Route, Mapping[str, Any]] | None] = {}
        self.queries: dict[str, MultiDict[str, str]] = {}

    def wsgi_app(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        key = (environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""))
        try:
            found = self.operations_by_path[key]
        except KeyError:
            found = self._operation(environ, key)
        if found is None:
            return super().wsgi_app(environ, start_response)
        route, path_args = found
        try:
            incoming = Request(environ)
            reply = answer(self.extensions["mock_amazon"], route, dict(path_args), incoming, self._query(incoming))
        except Exception:  # what Flask's handler of any other error does
            return internal_error(environ["REQUEST_METHOD"], key[1])(environ, start_response)
        status, headers, body = on_the_wire(reply)
        start_response(status, headers)
        return [body]  # a list: the server sends it at once

    def _query(self, incoming: Request) -> MultiDict[str, str]:
        """The request's query, parsed once per distinct query string (immutable, so requests can share it)."""
        text = incoming.environ.get("QUERY_STRING", "")
        query = self.queries.get(text)
        if query is None:
            query = incoming.args
            if len(self.queries) >= QUERIES_REMEMBERED:
                self.queries.clear()
            self.queries[text] = query
        return query

    def _operation(self, environ: dict, key: tuple[str, str]) -> tuple[Route, Mapping[str, Any]] | None:
        try:
            endpoint, path_args = self.url_map.bind_to_environ(environ).match()
        except HTTPException:  # not found, another method, a redirect: Flask answers, as it would
            return None
        route = ENDPOINTS.get(str(endpoint))
        found = (route, path_args) if route is not None and route.operation.method == key[0] else None
        if len(self.operations_by_path) >= ROUTES_REMEMBERED:
            self.operations_by_path.clear()
        self.operations_by_path[key] = found
        return found


def internal_error(method: str, path: str) -> Response:
    """A bug of the mock's: answered 500 in Amazon's shape, and logged."""
    log.exception("unhandled error in %s %s", method, path)
    return json_response(500, ApiError("An internal error occurred.").body())


def create_app(amazon: MockAmazon | None = None, **options: Any) -> Flask:
    """The Flask app over `amazon` (or a new MockAmazon built from `options`: store, clock, base_url, seed)."""
    app = MockAmazonApp("mock_amazon")
    app.extensions["mock_amazon"] = amazon or MockAmazon(**options)
    for blueprint in (lwa.blueprint, documents.blueprint, sqs.blueprint, control, ui,
                      *(api.blueprint for api in APIS)):
        app.register_blueprint(blueprint)
    app.before_request(require_control_token)
    app.extensions["mock_amazon.operations"] = [
        {"operation": route.operation.operation_id, "key": key, "api": route.operation.model}
        for key, route in sorted(ROUTES.items())]

    @app.errorhandler(404)
    def not_found(_: Exception) -> Response:
        return json_response(404, NotFound(f"No resource at {request.method} {request.path}.").body())

    @app.errorhandler(405)
    def wrong_method(_: Exception) -> Response:
        return json_response(405, ApiError(f"{request.method} is not allowed on {request.path}.",
                                           code="MethodNotAllowed", status=405).body())

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return json_response(error.http_status, error.body())

    @app.errorhandler(Exception)
    def any_other_error(error: Exception) -> Response:
        """Every answer has an errors body: Werkzeug's HTTP errors keep their status; anything else is a bug of
        the mock's, answered 500 in Amazon's shape and logged."""
        if isinstance(error, HTTPException):
            status = error.code or 500
            return json_response(status, ApiError(error.description or error.name,
                                                  code=error.name.replace(" ", ""), status=status).body())
        return internal_error(request.method, request.path)

    return app
