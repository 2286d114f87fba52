"""POST /auth/o2/token: Login with Amazon is not an SP-API operation, so it has a plain blueprint."""
from __future__ import annotations

from flask import Blueprint, Response, request

from mock_amazon.pipeline import TOKEN_PATH, current_amazon, exchange_token, json_response

blueprint = Blueprint("lwa", __name__)


@blueprint.post(TOKEN_PATH)
def token() -> Response:
    reply = exchange_token(current_amazon(), request.form, request.headers)
    return json_response(reply.status, reply.body)
