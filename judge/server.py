"""`GET /_testbed/verdict`: the judge's verdict served by the mock itself. The route is one more client of the
mock's own `/_testbed/` and `/_world/` over HTTP (it needs a second server thread for that), never a second way
into its state; the server's entry point registers it."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from judge.checks import Evidence, Settings
from judge.marketplace import CannotJudge, Marketplace
from judge.verdict import Verdict


def verdict_route(base_url: str, token: str | None = None) -> Blueprint:
    blueprint = Blueprint("verdict", __name__, url_prefix="/_testbed")

    @blueprint.get("/verdict")
    def verdict() -> Response | tuple[Response, int]:
        try:
            return jsonify(Verdict.of(Evidence.load(Marketplace(base_url, token), Settings()), base_url).to_json())
        except CannotJudge as error:
            return jsonify({"errors": [{"code": "CannotJudge", "message": str(error), "details": ""}]}), 409

    return blueprint
