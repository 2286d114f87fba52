"""POST /auth/o2/token: Login with Amazon is not an SP-API operation, so it has a plain blueprint."""
from __future__ import annotations

from flask import Blueprint, Response, request

from mock_amazon.auth import LwaError
from mock_amazon.pipeline import current_amazon, json_response

blueprint = Blueprint("lwa", __name__)


@blueprint.post("/auth/o2/token")
def token() -> Response:
    amazon = current_amazon()
    with amazon.lock:
        try:
            with amazon.store.transaction():
                return json_response(200, amazon.auth.exchange(request.form))
        except LwaError as error:
            return json_response(400, error.body())
