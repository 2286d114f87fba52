"""The testbed's own admin API, JSON under /_testbed/. Each route is a thin call into MockAmazon, which offers
the same operations in Python.

With a control token set (`--control-token`, `MockAmazon.control_token`), every route under /_testbed/ needs it in
the `x-testbed-token` header, or the session cookie that `POST /_testbed/session` gives in exchange for it (a
browser page cannot set headers on its own). Each route runs under the mock's lock, as every operation does, so
a control route and an API call never interleave.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import math
from collections.abc import Mapping
from typing import Any, Literal, overload

from flask import Blueprint, Response, current_app, g, request

from mock_amazon.errors import ApiError, InvalidInput, NotFound
from mock_amazon.journal import Filter
from mock_amazon.pipeline import current_amazon, json_response, request_body
from mock_amazon.spec import read_json

control = Blueprint("control", __name__, url_prefix="/_testbed")


def _body() -> dict:
    """The request's JSON object, within the limits every request body has (see spec.read_json)."""
    raw, oversized = request_body(current_amazon())
    if oversized:
        raise InvalidInput(f"The request body is larger than {current_amazon().settings.max_body_bytes} bytes.",
                           "body")
    if not raw or not raw.strip():
        return {}
    data = read_json(raw, "body")
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", "body")
    return data


def _text(data: dict, key: str, default: str = "") -> str:
    """A string field of a control body: absent or null gives `default`; anything but a string is refused."""
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"'{key}' must be a string.", key)
    return value


@overload
def _number(data: dict, key: str, default: float | None = None, minimum: float = 0, *,
            integer: Literal[True]) -> int: ...
@overload
def _number(data: dict, key: str, default: float | None = None, minimum: float = 0,
            integer: Literal[False] = False) -> float: ...
def _number(data: dict, key: str, default: float | None = None, minimum: float = 0,
            integer: bool = False) -> float:
    value = data.get(key, default)
    kinds = (int,) if integer else (int, float)
    if value is None or isinstance(value, bool) or not isinstance(value, kinds) or not minimum <= value < math.inf:
        raise InvalidInput(f"'{key}' must be {'an integer' if integer else 'a number'} of at least {minimum}.", key)
    return value


TOKEN_HEADER = "x-testbed-token"
SESSION_COOKIE = "testbed_session"


UI_PATH = "/_testbed/ui"  # the dashboard's page and static files: no data, so no token (its calls need one)


def require_control_token() -> Response | None:
    """Registered for the whole app (the live world's /_testbed/world and any later route under /_testbed/ are
    covered too): without the control token, a 401 in Amazon's error shape. The dashboard's own page and files
    (/_testbed/ui) hold no data and are served to anyone; every call the page makes needs the token."""
    token = current_amazon().control_token
    if token is None or not (request.path == "/_testbed" or request.path.startswith("/_testbed/")):
        return None
    if request.path == UI_PATH or request.path.startswith(UI_PATH + "/"):
        return None
    given = request.headers.get(TOKEN_HEADER)
    if given is not None and hmac.compare_digest(given.encode(), token.encode()):
        return None
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is not None and hmac.compare_digest(cookie.encode(), _session_value(token).encode()):
        return None
    return json_response(401, ApiError(f"The control API needs the control token in the {TOKEN_HEADER} header (or "
                                       f"the session cookie POST /_testbed/session gives for it).",
                                       code="Unauthorized", status=401).body())


def _session_value(token: str) -> str:
    """The session cookie's value: derived from the token, so a new token ends every session."""
    return hmac.new(token.encode(), b"testbed session", hashlib.sha256).hexdigest()


@control.before_request
def one_at_a_time() -> None:
    """A control route holds the mock's lock from start to end, as an operation does (pipeline.dispatch): its
    writes never land in the middle of an API call, nor an API call's in the middle of its own."""
    current_amazon().lock.acquire()
    g.holds_mock_lock = True


@control.teardown_request
def let_go(_: BaseException | None) -> None:
    if g.pop("holds_mock_lock", False):
        current_amazon().lock.release()


@control.post("/session")
def open_session() -> Response:
    """Exchange the token (in the header) for an HttpOnly cookie that stands for it on every /_testbed/ route."""
    token = current_amazon().control_token
    response = json_response(200, {"session": token is not None})
    if token is not None:
        response.set_cookie(SESSION_COOKIE, _session_value(token), httponly=True, samesite="Strict",
                            path="/_testbed")
    return response


@control.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    return json_response(error.http_status, error.body())


@control.errorhandler(ValueError)
def value_error(error: ValueError) -> Response:
    return json_response(400, InvalidInput(str(error), "body").body())


@control.post("/reset")
def reset() -> Response:
    current_amazon().reset()
    return json_response(200, {"reset": True})


@control.get("/clock")
def clock() -> Response:
    return json_response(200, current_amazon().clock_state())


@control.put("/clock")
def set_clock() -> Response:
    """{"scale": 60} (simulated seconds per real second) and/or {"paused": true}."""
    return json_response(200, current_amazon().set_clock(_body()))


@control.post("/clock/advance")
def advance() -> Response:
    return json_response(200, current_amazon().advance(_number(_body(), "seconds")))


@control.post("/sellers")
def create_seller() -> Response:
    """A new seller, in the marketplaces {"marketplace_ids": [...]} names (IDs or country codes; the first is the
    seller's home), or in Amazon.com with no body."""
    return json_response(201, current_amazon().create_seller(_body().get("marketplace_ids")).credentials())


@control.get("/sellers")
def list_sellers() -> Response:
    return json_response(200, {"sellers": [s.credentials() for s in current_amazon().auth.sellers()]})


@control.post("/sellers/<seller_id>/authorize")
def authorize(seller_id: str) -> Response:
    """The seller consents to the application in Seller Central; the answer is what Amazon's redirect carries
    (spapi_oauth_code, selling_partner_id), to be exchanged at /auth/o2/token with grant_type=authorization_code."""
    amazon = current_amazon()
    if amazon.auth.seller(seller_id) is None:
        raise InvalidInput("'seller_id' names no seller.", "seller_id")
    return json_response(201, {"spapi_oauth_code": amazon.auth.authorize(seller_id), "selling_partner_id": seller_id})


@control.post("/sellers/<seller_id>/revoke")
def revoke(seller_id: str) -> Response:
    """Amazon revokes every access token of the seller (the refresh token stays good): the integration's next
    call is refused with 403 and it must renew."""
    amazon = current_amazon()
    if amazon.auth.seller(seller_id) is None:
        raise InvalidInput("'seller_id' names no seller.", "seller_id")
    with amazon.lock:
        return json_response(200, {"revoked": amazon.auth.revoke(seller_id)})


@control.put("/inventory")
def set_stock() -> Response:
    """{"seller_id", "sku", "channel": "AFN"|"MFN", "locations": {"PHX7": {"sellable": 3, "unsellable": 0}}}:
    the SKU's stock in that channel becomes exactly this (Amazon's fulfilment centres for AFN)."""
    data = _body()
    locations = data.get("locations")
    if not isinstance(locations, dict):
        raise InvalidInput("'locations' must map location IDs to {sellable, unsellable}.", "locations")
    positions = current_amazon().set_stock(_seller(data), str(data.get("sku") or ""), str(data.get("channel") or ""),
                                           locations)
    return json_response(200, {"sku": data["sku"], "positions": positions})


@control.post("/seed")
def seed() -> Response:
    data = _body()
    seller_id = data.get("seller_id")
    if not isinstance(seller_id, str):
        raise InvalidInput("'seller_id' is required.", "seller_id")
    result = current_amazon().seed(seller_id, skus=_number(data, "skus", 20, integer=True),
                         orders=_number(data, "orders", 10, integer=True), seed=_number(data, "seed", 0, integer=True),
                         marketplace_id=data.get("marketplace_id"))
    return json_response(200, result)


@control.post("/orders")
def place_order() -> Response:
    """Place an order as a customer would: {"seller_id", "lines": [{"sku", "quantity"}], "channel",
    "shipment_category", "easy_ship", "marketplace_id"} (the seller's home marketplace unless named)."""
    data = _body()
    amazon = current_amazon()
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines or not all(isinstance(line, dict) for line in lines):
        raise InvalidInput("'lines' must be a non-empty list of {sku, quantity}.", "lines")
    with amazon.lock, amazon.store.transaction():
        if amazon.auth.seller(str(data.get("seller_id"))) is None:
            raise InvalidInput("'seller_id' names no seller.", "seller_id")
        order = amazon.orders.place(data["seller_id"], [(line.get("sku"), line.get("quantity")) for line in lines],
                                    channel=data.get("channel", "MFN"),
                                    shipment_category=data.get("shipment_category", "Standard"),
                                    easy_ship=data.get("easy_ship") is True,
                                    marketplace_id=data.get("marketplace_id"))
    return json_response(201, {"order_id": order.id, "status": order.status})


@control.put("/rate-limits")
def rate_limits() -> Response:
    """{"limits": {"getOrders": {"rate": 1, "burst": 5}}, "lifted": false}: replaces every override."""
    data = _body()
    limits = data.get("limits", {})
    if not isinstance(limits, dict):
        raise InvalidInput("'limits' must map operation names to {rate, burst}.", "limits")
    lifted = data.get("lifted", False)
    if not isinstance(lifted, bool):
        raise InvalidInput("'lifted' must be true or false.", "lifted")
    current_amazon().limits.configure(limits, lifted)
    return json_response(200, {"limits": current_amazon().limits.overrides, "lifted": current_amazon().limits.lifted})


@control.put("/faults")
def faults() -> Response:
    """{"faults": [rule, ...], "seed": 7}; see mock_amazon/faults.py for a rule's keys."""
    data = _body()
    rules = data.get("faults", [])
    if not isinstance(rules, list):
        raise InvalidInput("'faults' must be a list of rules.", "faults")
    current_amazon().faults.configure(rules, seed=data.get("seed"))
    return json_response(200, {"faults": [r.describe() for r in current_amazon().faults.rules]})


@control.put("/settings")
def settings() -> Response:
    return json_response(200, dataclasses.asdict(current_amazon().update_settings(_body())))


@control.get("/records/<kind>")
def records(kind: str) -> Response:
    """Amazon's records of one kind, as stored (with `status` and the `history` of transitions), by ID:
    ?seller_id= (required) &status= &after=ID &limit=1..1000. What a judge or a dashboard reads of Amazon's
    side without spending the seller's rate limits."""
    amazon = current_amazon()
    if kind not in amazon.store.kinds:
        raise NotFound(f"No kind of record {kind!r}; known: {', '.join(sorted(amazon.store.kinds))}.", kind)
    seller_id = _seller(request.args)
    limit = request.args.get("limit", "1000")
    if not limit.isdigit() or not 1 <= int(limit) <= 1000:
        raise InvalidInput("'limit' must be between 1 and 1000.", "limit")
    with amazon.lock:
        found = amazon.store.documents(kind, seller_id, request.args.get("status") or None,
                                       request.args.get("after", ""), int(limit))
    return json_response(200, {"records": found, "next": found[-1]["id"] if len(found) == int(limit) else None})


@control.get("/records/<kind>/<entity_id>")
def record(kind: str, entity_id: str) -> Response:
    """One record (?seller_id=, required): as stored, its `history` of transitions ({time, from, to, trigger}) and
    the seller's `calls` that named its ID in their path, query or bodies, among the journal's newest ?scan=
    entries (2000 unless told; at most 100000), newest 100 of them, oldest first. Searching bodies costs about
    a millisecond per 30 entries, so the default keeps the page quick."""
    scan = request.args.get("scan", "2000")
    if not scan.isascii() or not scan.isdigit():
        raise InvalidInput("'scan' must be a whole number of journal entries.", "scan")
    return json_response(200, current_amazon().record(kind, _seller(request.args), entity_id, int(scan)))


@control.get("/counts")
def counts() -> Response:
    """The seller's (?seller_id=) orders, fulfillment orders, seller-flex shipments and returns by lifecycle
    state, every state of each table listed (0 where none is)."""
    return json_response(200, {"counts": current_amazon().counts(_seller(request.args))})


@control.get("/rate-limits")
def rate_limit_state() -> Response:
    """The seller's (?seller_id=) token buckets now, one per operation called so far ({operation, operation_id,
    rate, burst, tokens}), and the 429s per operation in the journal (after ?since_id=)."""
    since = request.args.get("since_id", "0")
    if not since.isascii() or not since.isdigit():
        raise InvalidInput("'since_id' must be a journal entry ID (0 or more).", "since_id")
    return json_response(200, current_amazon().rate_limit_state(_seller(request.args), int(since)))


@control.get("/faults")
def fault_rules() -> Response:
    """The fault rules in force, as PUT /faults takes them (a rule with `count` shows what is left of it)."""
    return json_response(200, {"faults": [dataclasses.asdict(rule) for rule in current_amazon().faults.rules]})


@control.get("/operations")
def operations() -> Response:
    """Every operation the mock serves at Amazon's doors ({operation: operationId, key: model.operationId, api}),
    what fault rules and rate-limit overrides name."""
    served: list[dict] = current_app.extensions["mock_amazon.operations"]  # set by app.create_app
    return json_response(200, {"operations": served})


@control.get("/inventory")
def inventory() -> Response:
    """Amazon's inventory positions of a seller (?seller_id=): per SKU and location, the quantities and the last
    accepted sequence number."""
    amazon = current_amazon()
    seller_id = _seller(request.args)
    with amazon.lock:
        positions = [position.to_dict() for position in amazon.ledger(seller_id)]
    return json_response(200, {"positions": positions})


@control.get("/traffic")
def traffic() -> Response:
    """The journal without bodies: ?operation=&status=&seller_id=&since_id=&limit= (since= is since_id)."""
    journal = current_amazon().journal
    return json_response(200, {"traffic": journal.entries(Filter.from_query(request.args)),
                               "dropped": journal.dropped})


@control.get("/traffic/<int:entry_id>")
def traffic_entry(entry_id: int) -> Response:
    entry = current_amazon().journal.entry(entry_id)
    if entry is None:
        raise NotFound(f"No journal entry {entry_id}.", str(entry_id))
    return json_response(200, entry)


@control.get("/traffic.har")
def traffic_har() -> Response:
    """The journal as HAR 1.2, with the same filters as /traffic."""
    amazon = current_amazon()
    har = amazon.journal.har(Filter.from_query(request.args), amazon.base_url)
    return Response(json.dumps(har, separators=(",", ":")), status=200, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="traffic.har"'})


@control.post("/snapshots")
def save_snapshot() -> Response:
    """{"name": "before-peak"}: save the whole mock under that name (replacing one of the same name)."""
    return json_response(201, current_amazon().snapshots.save(_body().get("name")))


@control.get("/snapshots")
def list_snapshots() -> Response:
    return json_response(200, {"snapshots": current_amazon().snapshots.describe()})


@control.post("/snapshots/<name>/restore")
def restore_snapshot(name: str) -> Response:
    return json_response(200, current_amazon().snapshots.restore(name))


@control.delete("/snapshots/<name>")
def delete_snapshot(name: str) -> Response:
    current_amazon().snapshots.delete(name)
    return json_response(200, {"deleted": name})


@control.put("/notification-faults")
def notification_faults() -> Response:
    """{"faults": [{"type", "action": "drop"|"delay"|"duplicate"|"reorder", "seconds", "probability", "count"}]}"""
    rules = _body().get("faults", [])
    if not isinstance(rules, list):
        raise InvalidInput("'faults' must be a list of rules.", "faults")
    current_amazon().notifications.configure_faults(rules)
    return json_response(200, {"faults": [dataclasses.asdict(r) for r in current_amazon().notifications.faults]})


@control.put("/webhooks")
def webhooks() -> Response:
    """{"webhooks": {"<sqs queue ARN>": "http://host/path"}}: deliver that queue's messages by POST too."""
    mapping = _body().get("webhooks", {})
    if not isinstance(mapping, dict):
        raise InvalidInput("'webhooks' must map queue ARNs to URLs.", "webhooks")
    current_amazon().notifications.set_webhooks(mapping)
    return json_response(200, {"webhooks": current_amazon().notifications.webhooks})


@control.get("/notifications")
def read_notifications() -> Response:
    """Delivered notifications, oldest first; ?seller_id=&destination_id=&consume=false&limit=100."""
    consume = request.args.get("consume", "true")
    if consume not in ("true", "false"):
        raise InvalidInput("'consume' must be true or false.", "consume")
    limit = request.args.get("limit", "100")
    if not limit.isdigit() or not 1 <= int(limit) <= 1000:
        raise InvalidInput("'limit' must be between 1 and 1000.", "limit")
    amazon = current_amazon()
    with amazon.lock:
        amazon.run_due()
        messages = amazon.notifications.receive(request.args.get("seller_id"), request.args.get("destination_id"),
                                                consume == "true", int(limit))
    return json_response(200, {"notifications": messages})


@control.post("/listings/<seller_id>/<sku>/deactivate")
def deactivate_listing(seller_id: str, sku: str) -> Response:
    """Amazon makes a listing inactive: {"reason": "..."}."""
    reason = _text(_body(), "reason") or "Amazon made this listing inactive."
    listing = current_amazon().listings.deactivate(seller_id, sku, reason)
    return json_response(200, {"sku": listing.sku, "status": listing.status, "reason": listing.inactive_reason})


@control.post("/listings/<seller_id>/<sku>/close")
def close_listing(seller_id: str, sku: str) -> Response:
    """The seller closes a listing whose FBA stock Amazon still holds ("stranded" inventory): the SKU leaves the
    listing-based reports, while the FBA Inventory API still counts it."""
    amazon = current_amazon()
    if amazon.auth.seller(seller_id) is None:
        raise InvalidInput("'seller_id' names no seller.", "seller_id")
    with amazon.lock:
        amazon.listings.close(seller_id, sku)
    return json_response(200, {"sku": sku, "closed": True})


@control.post("/external-fulfillment/locations")
def add_location() -> Response:
    """{"seller_id", "location_id", "name", "marketplace_id"}: a seller-flex site, serving one of the seller's
    marketplaces (their home one unless named)."""
    data = _body()
    location = current_amazon().external_fulfillment.add_location(_seller(data), _text(data, "location_id"),
                                                                  _text(data, "name"),
                                                                  _text(data, "marketplace_id") or None)
    return json_response(201, {"location_id": location.id, "name": location.name,
                               "marketplace_id": location.marketplace_id})


@control.put("/external-fulfillment/listings")
def map_listing() -> Response:
    """{"seller_id", "merchant_sku", "client_sku", "asin", "channel", "dimensions": {length, width, height, weight}}"""
    data = _body()
    mapping = current_amazon().external_fulfillment.map_listing(
        _seller(data), _text(data, "merchant_sku"), _text(data, "client_sku"), _text(data, "asin") or None,
        data.get("dimensions"), _text(data, "channel") or "Amazon SF SmartConnect")
    return json_response(200, {"merchant_sku": mapping.id, "client_sku": mapping.client_sku, "asin": mapping.asin,
                               "channel": mapping.channel})


@control.post("/external-fulfillment/shipments")
def place_shipment() -> Response:
    """Amazon places a seller-flex order: {"seller_id", "location_id", "lines": [{"sku", "units"}],
    "shipment_type": "NEW"|"REPLACEMENT"|"EXCHANGE", "original_id"}."""
    data = _body()
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines or not all(isinstance(line, dict) for line in lines):
        raise InvalidInput("'lines' must be a non-empty list of {sku, units}.", "lines")
    amazon = current_amazon()
    with amazon.lock, amazon.store.transaction():
        shipment = amazon.external_fulfillment.place(
            _seller(data), _text(data, "location_id"), [(line.get("sku"), line.get("units")) for line in lines],
            shipment_type=_text(data, "shipment_type") or "NEW", original_id=_text(data, "original_id") or None)
    return json_response(201, {"shipment_id": shipment.id, "status": shipment.status})


@control.post("/external-fulfillment/shipments/<shipment_id>/cancel")
def customer_cancels(shipment_id: str) -> Response:
    """The customer cancels through the marketplace: {"seller_id", "reason"}."""
    data = _body()
    amazon = current_amazon()
    with amazon.lock:
        shipment = amazon.external_fulfillment.cancel_by_customer(_seller(data), shipment_id,
                                                                  _text(data, "reason") or "Customer requested")
    return json_response(200, {"shipment_id": shipment.id, "status": shipment.status})


@control.post("/external-fulfillment/returns")
def open_return() -> Response:
    """{"seller_id", "shipment_id", "return_type": "CUSTOMER"|"REJECT", "sub_type", "reason"}"""
    data = _body()
    amazon = current_amazon()
    with amazon.lock, amazon.store.transaction():
        item = amazon.external_fulfillment.create_return(
            _seller(data), _text(data, "shipment_id"), _text(data, "return_type") or "CUSTOMER",
            _text(data, "sub_type") or "NORMAL", _text(data, "reason") or "DEFECTIVE")
    return json_response(201, {"return_id": item.id, "status": item.status})


@control.post("/external-fulfillment/returns/<return_id>/cancel")
def cancel_return(return_id: str) -> Response:
    data = _body()
    item = current_amazon().external_fulfillment.cancel_return(_seller(data), return_id)
    return json_response(200, {"return_id": item.id, "status": item.status})


def _seller(data: Mapping[str, Any]) -> str:
    seller_id = data.get("seller_id")
    if not isinstance(seller_id, str) or current_amazon().auth.seller(seller_id) is None:
        raise InvalidInput("'seller_id' names no seller.", "seller_id")
    return seller_id
