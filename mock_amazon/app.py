"""The Flask application: assembles every API's blueprint, the control API and the error pages over one
MockAmazon. Nothing imports this module back except the entry points (server, clients, tests)."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

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
from mock_amazon.pipeline import Api, Route, json_response
from mock_amazon.ui import ui

APIS: tuple[Api, ...] = (
    orders.api, orders.api_2026, reports.api, fba_inventory.api, notifications.api, listings.api,
    fulfillment_outbound.api, feeds.api, external_fulfillment.inventory, external_fulfillment.shipments,
    external_fulfillment.returns, tokens.api, sellers.api)

log = logging.getLogger("mock_amazon")

ROUTES: dict[str, Route] = {key: route for api in APIS for key, route in api.routes.items()}
"""model.operationId -> Route, for in-process calls."""


def create_app(amazon: MockAmazon | None = None, **options: Any) -> Flask:
    """The Flask app over `amazon` (or a new MockAmazon built from `options`: store, clock, base_url, seed)."""
    app = Flask("mock_amazon")
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
        log.exception("unhandled error in %s %s", request.method, request.path)
        return json_response(500, ApiError("An internal error occurred.").body())

    return app
