"""The checks, each a function of what Amazon saw (its records and its journal) and of the seller's side the
world simulates (`/_world/`). A check answers passed, failed or not judged (nothing to judge), with the figures
behind it and, when it fails, the orders, shipments, SKUs and journal entries (HAR `_id`s) that show why."""
from __future__ import annotations

import json
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from judge.marketplace import CannotJudge, Marketplace, seconds_of

PASSED, FAILED, NOT_JUDGED = "passed", "failed", "not judged"
EXAMPLES = 20   # evidence listed per kind, at most
MALFORMED_HEADER = "x-testbed-malformed"   # the mock marks an answer to a request its model refuses


@dataclass
class Settings:
    """What the scenario promises, where the checks need a number: a live world says (`/_testbed/world`'s
    `judge`), else these defaults; the command line overrides either."""
    flex_ack_minutes: float = 30.0         # a seller-flex shipment is confirmed within this of being ACCEPTED
    mcf_grace_hours: float = 2.0           # a webstore order is sent to Amazon within this
    inventory_settle_minutes: float = 30.0  # stock that moved this recently may still be on its way to Amazon
    inventory_tolerance: int = 0           # units Amazon's quantity may differ from the warehouse's, settled
    chosen: dict[str, Any] = field(default_factory=dict)   # what the command line set, over the scenario's


@dataclass
class Result:
    id: str
    outcome: str
    summary: str
    figures: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, list[Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "result": self.outcome, "summary": self.summary, "figures": self.figures,
                "evidence": self.evidence}


@dataclass
class Evidence:
    """Everything the checks read, fetched once from the running mock."""
    marketplace: Marketplace
    settings: Settings
    now: float
    seller_id: str
    orders: list[dict[str, Any]]
    fulfillment_orders: list[dict[str, Any]]
    flex_shipments: list[dict[str, Any]]
    inventory: list[dict[str, Any]]
    journal: list[dict[str, Any]]
    world: dict[str, Any] | None
    _har: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def load(cls, marketplace: Marketplace, settings: Settings, seller_id: str | None = None) -> Evidence:
        sellers = marketplace.sellers()
        if not sellers:
            raise CannotJudge("the mock has no seller: no run to judge")
        seller = seller_id or sellers[0]["seller_id"]
        world = marketplace.get("/_testbed/world") if marketplace.get("/_world/clock") is not None else None
        promised = {k: v for k, v in ((world or {}).get("judge") or {}).items() if k in Settings.__dataclass_fields__}
        settings = Settings(**{**promised, **settings.chosen})
        with marketplace.held_still():
            evidence = cls(marketplace, settings, marketplace.now(), seller,
                           marketplace.records("order", seller), marketplace.records("fulfillment_order", seller),
                           marketplace.records("ef_shipment", seller), marketplace.inventory(seller),
                           marketplace.journal(seller_id=seller), marketplace.world())
            for operation in ("confirmShipment", "batchInventory", "createFulfillmentOrder"):
                evidence.har(operation)
        return evidence

    def har(self, operation: str) -> list[dict[str, Any]]:
        if operation not in self._har:
            self._har[operation] = self.marketplace.har_entries(operation)
        return self._har[operation]


def _reached(record: dict[str, Any], state: str) -> float | None:
    """When a record first entered `state`, from its history of transitions."""
    return next((seconds_of(step[0]) for step in record.get("history", []) if step[2] == state), None)


def _body(entry: dict[str, Any], side: str) -> Any:
    """The JSON body of a HAR entry's request ("request") or response ("response"), or None."""
    text = (entry[side].get("postData") or {}).get("text") if side == "request" else entry[side]["content"].get(
        "text")
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _outcome(failures: list[Any], judged: int) -> str:
    return NOT_JUDGED if judged == 0 else FAILED if failures else PASSED


# orders.shipped_on_time ---------------------------------------------------------------------------------------

def orders_shipped_on_time(e: Evidence) -> Result:
    """Every merchant-fulfilled order confirmed shipped (Orders API or a feed) before its LatestShipDate."""
    late, never, on_time = [], [], 0
    for order in e.orders:
        if order["fulfillment_channel"] != "MFN" or order["status"] == "Canceled":
            continue
        shipped = _reached(order, "Shipped") or _reached(order, "PartiallyShipped")
        if shipped is None:
            if e.now > order["latest_ship_date"]:
                never.append(order["id"])
        elif shipped > order["latest_ship_date"]:
            late.append(order["id"])
        else:
            on_time += 1
    judged = on_time + len(late) + len(never)
    confirmations = [entry["id"] for entry in e.journal if entry["operation"] == "confirmShipment"
                     and any(order_id in entry["path"] for order_id in late)]
    return Result("orders.shipped_on_time", _outcome(late + never, judged),
                  f"{on_time} of {judged} due orders shipped on time; {len(late)} late, {len(never)} never shipped",
                  {"due": judged, "on_time": on_time, "late": len(late), "never_shipped": len(never)},
                  {"orders": (late + never)[:EXAMPLES], "journal": confirmations[:EXAMPLES]})


# orders.no_double_shipment ------------------------------------------------------------------------------------

def orders_no_double_shipment(e: Evidence) -> Result:
    """No order item confirmed in more units than ordered under different tracking numbers."""
    ordered = {order["id"]: {item["order_item_id"]: item["quantity_ordered"] for item in order["items"]}
               for order in e.orders}
    confirmed: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    entries: dict[str, list[int]] = defaultdict(list)
    for entry in e.har("confirmShipment"):
        body = _body(entry, "request")
        if not body or entry["response"]["status"] >= 500:
            continue
        order_id = urlsplit(entry["request"]["url"]).path.split("/")[-2]
        detail = body.get("packageDetail", {})
        tracking = str(detail.get("trackingNumber"))
        for item in detail.get("orderItems", []):
            confirmed[order_id][item.get("orderItemId")][tracking] = item.get("quantity", 0)
        entries[order_id].append(entry["_id"])
    doubled = sorted(order_id for order_id, items in confirmed.items()
                     if any(len(by_tracking) > 1 and sum(by_tracking.values()) > ordered.get(order_id, {}).get(
                         item_id, math.inf) for item_id, by_tracking in items.items()))
    return Result("orders.no_double_shipment", _outcome(doubled, len(confirmed)),
                  f"{len(doubled)} of {len(confirmed)} confirmed orders were confirmed twice with different tracking",
                  {"orders_confirmed": len(confirmed), "doubled": len(doubled)},
                  {"orders": doubled[:EXAMPLES], "journal": [i for o in doubled for i in entries[o]][:EXAMPLES]})


# seller_flex.sla ----------------------------------------------------------------------------------------------

def seller_flex_sla(e: Evidence) -> Result:
    """Each seller-flex shipment confirmed within the window, handed over before Amazon's expected ship time,
    and nothing done to it after Amazon cancelled it."""
    window = e.settings.flex_ack_minutes * 60
    slow, late, after_cancel, judged = [], [], [], 0
    evidence: list[int] = []
    for shipment in e.flex_shipments:
        accepted = _reached(shipment, "ACCEPTED")
        if accepted is None:
            continue
        confirmed, shipped = _reached(shipment, "CONFIRMED"), _reached(shipment, "SHIPPED")
        cancelled = _reached(shipment, "CANCELLED")
        judged += 1
        answered = confirmed or cancelled  # confirmed, or rejected (or cancelled) before the connector answered
        if (answered or e.now) - accepted > window:
            slow.append(shipment["id"])
        due = shipment["expected_ship"]
        if cancelled is None and ((shipped is None and e.now > due) or (shipped is not None and shipped > due)):
            late.append(shipment["id"])
        if cancelled is not None:
            touched = [entry["id"] for entry in e.journal if shipment["id"] in entry["path"]
                       and entry["method"] in ("POST", "PUT", "PATCH") and seconds_of(entry["time"]) > cancelled]
            if touched:
                after_cancel.append(shipment["id"])
                evidence += touched
    failures = slow + late + after_cancel
    return Result("seller_flex.sla", _outcome(failures, judged),
                  f"{judged} shipments: {len(slow)} confirmed late, {len(late)} handed over late, "
                  f"{len(after_cancel)} worked on after Amazon cancelled them",
                  {"shipments": judged, "confirmed_late": len(slow), "shipped_late": len(late),
                   "worked_after_cancellation": len(after_cancel), "ack_window_minutes": e.settings.flex_ack_minutes},
                  {"shipments": sorted(set(failures))[:EXAMPLES], "journal": evidence[:EXAMPLES]})


# mcf.exactly_once ---------------------------------------------------------------------------------------------

def mcf_exactly_once(e: Evidence) -> Result:
    """Each webstore order Amazon is to fulfil became exactly one fulfillment order (named by the shop's order
    number, its displayableOrderId); cancellations the shop asked for reached Amazon."""
    if e.world is None:
        return Result("mcf.exactly_once", NOT_JUDGED, "no live world: no webstore orders to judge")
    per_order = Counter(order["displayable_order_id"] for order in e.fulfillment_orders)
    due = [o for o in e.world["webstore_orders"]
           if seconds_of(o["created"]) < e.now - e.settings.mcf_grace_hours * 3600]
    # an order Amazon refused (an address it cannot ship to) was sent; one the customer cancelled before it had
    # to be sent is rightly never sent
    refused = {(_body(entry, "request") or {}).get("displayableOrderId") for entry in e.har("createFulfillmentOrder")
               if 400 <= entry["response"]["status"] < 500}
    missing = [o["id"] for o in due if per_order[o["id"]] == 0 and o["id"] not in refused and not (
        o.get("cancellation_requested") and seconds_of(o["cancellation_requested"]) < seconds_of(o["created"])
        + e.settings.mcf_grace_hours * 3600)]
    twice = sorted(order_id for order_id, count in per_order.items() if count > 1)
    wanted = [o for o in e.world["webstore_orders"] if o.get("cancellation_requested")]
    by_display = {order["displayable_order_id"]: order for order in e.fulfillment_orders}
    not_cancelled = [o["id"] for o in wanted if o["id"] in by_display and by_display[o["id"]]["status"] not in (
        "Cancelled", "Complete", "CompletePartialled")
        and seconds_of(o["cancellation_requested"]) < e.now - e.settings.mcf_grace_hours * 3600]
    created = [entry["id"] for entry in e.journal if entry["operation"] == "createFulfillmentOrder"]
    failures = missing + twice + not_cancelled
    return Result("mcf.exactly_once", _outcome(failures, len(due) + len(per_order)),
                  f"{len(due)} webstore orders due: {len(missing)} never sent, {len(twice)} sent more than once; "
                  f"{len(not_cancelled)} of {len(wanted)} cancellations did not reach Amazon",
                  {"webstore_orders_due": len(due), "fulfillment_orders": len(e.fulfillment_orders),
                   "refused_by_amazon": len(refused),
                   "missing": len(missing), "duplicated": len(twice), "cancellations_asked": len(wanted),
                   "cancellations_missed": len(not_cancelled)},
                  {"orders": failures[:EXAMPLES], "journal": created[-EXAMPLES:] if twice else []})


# inventory.sequence -------------------------------------------------------------------------------------------

def inventory_sequence(e: Evidence) -> Result:
    """SmartConnect sequence numbers strictly increase per SKU and location; stale updates counted; at the end
    Amazon's quantities match the warehouse's free stock, but for what may still be on its way."""
    last_sent: dict[tuple[str, str], int] = {}
    stale, backwards, updates = 0, [], 0
    evidence: list[int] = []
    for entry in e.har("batchInventory"):
        body, answer = _body(entry, "request"), _body(entry, "response")
        if not body:
            continue
        results = (answer or {}).get("responses", [])
        for index, request in enumerate(body.get("requests", [])):
            if "update" not in request.get("uri", ""):
                continue
            query = parse_qs(urlsplit(request["uri"]).query)
            key = (query.get("skuId", [""])[0], query.get("locationId", [""])[0])
            sequence = (request.get("body") or {}).get("clientSequenceNumber")
            updates += 1
            result = results[index] if index < len(results) else {}
            errors = [a.get("errorType") for a in (result.get("body") or {}).get("actionableErrors", [])]
            if "STALE_SEQUENCE_NUMBER" in errors:
                stale += 1
            if isinstance(sequence, int):
                if key in last_sent and sequence <= last_sent[key]:
                    backwards.append(key[0])
                    evidence.append(entry["_id"])
                last_sent[key] = max(sequence, last_sent.get(key, sequence))
    drift: list[str] = []
    if e.world is not None:
        location = e.world["catalog"]["location"]
        flex = set(e.world["catalog"]["skus"]["seller_flex"])
        amazon = {p["sku"]: p["sellable"] for p in e.inventory if p["location"] == location}
        settle = e.now - e.settings.inventory_settle_minutes * 60
        for stock in e.world["stock"]:
            moved = stock["last_movement"]
            if stock["sku"] in flex and (moved is None or seconds_of(moved) < settle) and stock["sku"] in amazon \
                    and abs(amazon[stock["sku"]] - max(0, stock["free"])) > e.settings.inventory_tolerance:
                drift.append(stock["sku"])
    failures = backwards + drift
    return Result("inventory.sequence", _outcome(failures, updates),
                  f"{updates} updates: {len(backwards)} with a sequence number not above the connector's own last one,"
                  f" {stale} refused as stale; {len(drift)} settled SKUs differ from the warehouse",
                  {"updates": updates, "not_increasing": len(backwards), "stale": stale, "drifted_skus": len(drift)},
                  {"skus": sorted(set(failures))[:EXAMPLES], "journal": evidence[:EXAMPLES]})


# rate_limits.backoff ------------------------------------------------------------------------------------------

def rate_limits_backoff(e: Evidence) -> Result:
    """After a 429 the connector waited at least the bucket's refill time (real seconds, as the wire runs)
    before calling that operation again."""
    calls = [entry for entry in e.journal if not entry["operation"].startswith(("lwa.", "document."))]
    throttled = [entry for entry in calls if entry["status"] == 429]
    if not throttled:
        return Result("rate_limits.backoff", NOT_JUDGED, f"no call of {len(calls)} was throttled",
                      {"calls": len(calls), "throttled": 0})
    rates = {entry["_id"]: _rate(entry) for entry in e.marketplace.get("/_testbed/traffic.har", status=429,
                                                                       seller_id=e.seller_id,
                                                                       limit=100_000)["log"]["entries"]}
    by_operation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in calls:
        by_operation[entry["operation"]].append(entry)
    too_soon: list[int] = []
    for entry in throttled:
        rate = rates.get(entry["id"])
        if not rate or entry.get("wall_time") is None:
            continue
        following = [c for c in by_operation[entry["operation"]] if c["id"] > entry["id"]]
        if following and following[0].get("wall_time") is not None:
            waited = seconds_of(following[0]["wall_time"]) - seconds_of(entry["wall_time"])
            if waited < 0.9 / rate:
                too_soon.append(following[0]["id"])
    share = len(throttled) / len(calls)
    return Result("rate_limits.backoff", FAILED if too_soon else PASSED,
                  f"{len(throttled)} of {len(calls)} calls throttled ({share:.1%}); {len(too_soon)} came again "
                  "before the bucket refilled",
                  {"calls": len(calls), "throttled": len(throttled), "share_throttled": round(share, 4),
                   "called_again_too_soon": len(too_soon)},
                  {"journal": too_soon[:EXAMPLES]})


def _rate(entry: dict[str, Any]) -> float | None:
    for header in entry["response"]["headers"]:
        if header["name"].lower() == "x-amzn-ratelimit-limit":
            try:
                return float(header["value"])
            except ValueError:
                return None
    return None


# auth.token_reuse ---------------------------------------------------------------------------------------------

TOKEN_SECONDS = 3600.0
MAX_403_STREAK = 3


def auth_token_reuse(e: Evidence) -> Result:
    """Access tokens reused until close to expiry: exchanges per hour of the wire, the share of calls that came
    right after a fresh exchange, and no burst of calls with an expired or revoked token."""
    exchanges = [entry for entry in e.marketplace.journal(operation="lwa.token") if entry["status"] == 200]
    calls = [entry for entry in e.journal if not entry["operation"].startswith(("lwa.", "document."))]
    if not calls:
        return Result("auth.token_reuse", NOT_JUDGED, "no call to judge", {"calls": 0})
    walls = [seconds_of(entry["wall_time"]) for entry in calls if entry.get("wall_time")]
    span = max(walls) - min(walls) if walls else 0.0
    needed = math.ceil(max(span, 1.0) / (TOKEN_SECONDS - 300))
    streak, longest, refused = 0, 0, []
    for entry in calls:
        streak = streak + 1 if entry["status"] == 403 else 0
        longest = max(longest, streak)
        if streak > MAX_403_STREAK:
            refused.append(entry["id"])
    ids = sorted([entry["id"] for entry in exchanges] + [entry["id"] for entry in calls])
    exchange_ids = {entry["id"] for entry in exchanges}
    after_exchange = sum(1 for before, this in zip(ids, ids[1:]) if before in exchange_ids
                         and this not in exchange_ids)
    share = after_exchange / len(calls)
    # a few exchanges per process and per hour are what any client makes; one per call is not
    wasteful = len(exchanges) > 4 * needed and share > 0.5
    hours = max(span, 1.0) / 3600
    failed = wasteful or longest > MAX_403_STREAK
    return Result("auth.token_reuse", FAILED if failed else PASSED,
                  f"{len(exchanges)} token exchanges for {len(calls)} calls over {span / 60:.1f} real minutes; "
                  f"{share:.1%} of calls right after an exchange; longest run of 403s {longest}",
                  {"exchanges": len(exchanges), "calls": len(calls), "exchanges_per_hour": round(len(exchanges) / hours,
                                                                                                 1),
                   "share_after_exchange": round(share, 4), "longest_403_run": longest},
                  {"journal": (refused or sorted(exchange_ids))[:EXAMPLES] if failed else []})


# pii.restricted_data ------------------------------------------------------------------------------------------

PII_OPERATIONS = ("getOrderAddress", "getOrderBuyerInfo")


def pii_restricted_data(e: Evidence) -> Result:
    """Buyer address and buyer info read with a restricted data token where Amazon requires one."""
    reads = [entry for entry in e.journal if entry["operation"] in PII_OPERATIONS]
    tokens = [entry for entry in e.journal if entry["operation"] == "createRestrictedDataToken"]
    if not reads:
        return Result("pii.restricted_data", NOT_JUDGED, "no buyer data was read", {"pii_reads": 0})
    refused = [entry["id"] for entry in reads if entry["status"] == 403]
    return Result("pii.restricted_data", FAILED if refused else PASSED,
                  f"{len(reads)} reads of buyer data, {len(tokens)} restricted data tokens asked for; "
                  f"{len(refused)} refused for want of one",
                  {"pii_reads": len(reads), "restricted_data_tokens": len(tokens), "refused": len(refused)},
                  {"journal": refused[:EXAMPLES]})


# requests.valid -----------------------------------------------------------------------------------------------

def requests_valid(e: Evidence) -> Result:
    """The connector's own malformed requests (400 InvalidInput and the like) fail the check; calls to operations
    Amazon's models mark deprecated are counted beside them (Amazon still serves those, so they only warn)."""
    calls = [entry for entry in e.journal if not entry["operation"].startswith(("lwa.", "document."))]
    if not calls:
        return Result("requests.valid", NOT_JUDGED, "no call to judge", {"calls": 0})
    refused = [entry for entry in calls if entry["status"] == 400]
    malformed_ids = {entry["_id"] for entry in e.marketplace.get(
        "/_testbed/traffic.har", status=400, seller_id=e.seller_id, limit=100_000)["log"]["entries"]
        if any(h["name"].lower() == MALFORMED_HEADER for h in entry["response"]["headers"])} if refused else set()
    # a 400 for a request Amazon's model accepts is a rule's refusal (cancelling what has shipped), not a fault
    invalid = [entry for entry in refused if entry["id"] in malformed_ids]
    deprecated = deprecated_operations()
    old = [entry for entry in calls if any(entry["operation"] == operation_id and pattern.fullmatch(entry["path"])
                                           for operation_id, pattern in deprecated)]
    examples = Counter(entry["operation"] for entry in invalid)
    return Result("requests.valid", FAILED if invalid else PASSED,
                  f"{len(invalid)} of {len(calls)} calls refused as malformed; {len(old)} calls to deprecated "
                  f"operations ({', '.join(sorted({entry['operation'] for entry in old})) or 'none'})",
                  {"calls": len(calls), "malformed": len(invalid), "refused_by_rules": len(refused) - len(invalid),
                   "deprecated_calls": len(old),
                   "malformed_by_operation": dict(examples.most_common())},
                  {"journal": [entry["id"] for entry in invalid][:EXAMPLES],
                   "deprecated_journal": [entry["id"] for entry in old][:EXAMPLES]})


def deprecated_operations() -> list[tuple[str, re.Pattern[str]]]:
    """(operationId, its path as a pattern) of what Amazon's models mark deprecated, read from the models folder
    ($SP_API_MODELS, or ../shared/sp-api-models beside the project); one operationId can live in two versions."""
    folder = Path(os.environ.get("SP_API_MODELS") or Path(__file__).resolve().parents[2] / "shared" / "sp-api-models")
    found: list[tuple[str, re.Pattern[str]]] = []
    for path in sorted(folder.glob("*.json")):
        try:
            model = json.loads(path.read_text())
        except ValueError:
            continue
        for template, operations in (model.get("paths") or {}).items():
            for operation in operations.values() if isinstance(operations, dict) else ():
                if isinstance(operation, dict) and operation.get("deprecated") and operation.get("operationId"):
                    found.append((operation["operationId"], re.compile(re.sub(r"\\{[^}]+\\}", "[^/]+",
                                                                                re.escape(template)))))
    return found


CHECKS: tuple[Callable[[Evidence], Result], ...] = (
    orders_shipped_on_time, orders_no_double_shipment, seller_flex_sla, mcf_exactly_once, inventory_sequence,
    rate_limits_backoff, auth_token_reuse, pii_restricted_data, requests_valid)
