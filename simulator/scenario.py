"""Scenarios: TOML files whose tables override the defaults below. Every key is checked against the defaults'
types, so a typo or a wrong type is a clear message naming the key, never a traceback."""
from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import mock_amazon.marketplaces as marketplaces

SCENARIOS = Path(__file__).resolve().parent / "scenarios"

DEFAULTS: dict[str, Any] = {
    "name": "custom",
    "description": "",
    "run": {"seed": 7, "days": 1.0, "sample_minutes": 60.0, "drain_hours": 6.0},
    "catalog": {
        "skus": 3000,
        "fba_share": 0.5,           # sold on Amazon, fulfilled by Amazon (and sent to FBA for webstore orders)
        "mfn_share": 0.2,           # sold on Amazon, shipped by the merchant's warehouse
        "seller_flex_share": 0.3,   # SmartConnect / seller-flex site
        "stock_min": 5, "stock_max": 120,
        "location": "BLR1",
    },
    "customers": {
        "orders_per_day": 3000.0,
        "amazon_fba": 0.45, "amazon_mfn": 0.2, "webstore": 0.15, "seller_flex": 0.2,
        "daily_profile": [0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.2, 1.3, 1.3,
                          1.3, 1.3, 1.2, 1.2, 1.3, 1.5, 1.7, 1.8, 1.6, 1.2, 0.8, 0.5],
        "restock_per_day": 0.2,     # share of merchant SKUs that receive stock each day
        "webstore_cancel_share": 0.0,   # share of webstore orders the customer cancels ...
        "webstore_cancel_hours": 1.0,   # ... this long after ordering
        "return_share": 0.0,        # share of handed-over seller-flex orders the customer returns
    },
    "amazon": {},                   # any mock_amazon Settings field, e.g. verification_seconds
    "latency": {"mean_ms": 150.0, "distribution": "lognormal", "sigma": 0.5},
    "integration": {
        "order_poll_minutes": 30.0,
        "inventory_sync_hours": 12.0,
        "fba_inventory_hours": 12.0,
        "shipment_import_hours": 2.0,
        "shipment_lookback_days": 3.0,
        "fulfillment_check_minutes": 30.0,
        "flex_order_poll_seconds": 300.0,
        "flex_push_cadence_seconds": 2.0,
        "flex_push_rate": 6.0,      # calls per second per merchant (seed 003)
        "push_concurrency": 4,
        "warehouse_hours": 4.0,     # pick and pack time for merchant and seller-flex orders
        "handling_days": 2.0,       # promised to customers (fulfillment latency)
        "fulfillment_by": "api",    # "api" or "feed"
        "hold_hours": 0.0,
        "auto_send": True,          # off: fulfillment requests wait for a person
        "business_hours": False,
        "time_zone": "UTC",
        "flex_business_hours": False,   # the seller-flex site picks only 9:00-17:00 on weekdays, in the local time
                                        # of its marketplace (Amazon.in: Asia/Kolkata); off, it works round the clock
        "include_fbm": False,
        "fetch_missing_from_api": True,
        "token_revoked_every_hours": 0.0,  # chaos: the refresh's access token is revoked behind its back
    },
    "push": {"initial_full_push": True},
    # The marketplace of each channel (an ID or a code: US, UK, IN): `amazon` for orders on Amazon (FBA, merchant
    # fulfilled) and multi-channel fulfilment; `seller_flex` for the seller-flex site, on Amazon.in as SmartConnect
    # runs it (seed 003). The seller takes part in both; the first is their home.
    "marketplaces": {"amazon": "US", "seller_flex": "IN"},
    # What the judge holds a connector to in this scenario (served at /_testbed/world for `python -m judge`).
    "judge": {"flex_ack_minutes": 30.0, "mcf_grace_hours": 2.0, "inventory_settle_minutes": 30.0,
              "inventory_tolerance": 0},
    "limits": {},                   # operation -> {"rate", "burst"}
    "faults": [],                   # mock_amazon fault rules
    "notification_faults": [],      # notification fault rules
}
CHOICES = {"latency.distribution": ("lognormal", "exponential", "constant"),
           "integration.fulfillment_by": ("api", "feed")}
FREE_FORM = ("amazon", "limits")    # checked by the mock itself when the world is built


class ScenarioError(ValueError):
    """A scenario or --set value that is not right; the message names the key."""


def available() -> list[str]:
    return sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def load(name_or_path: str | None) -> dict:
    """A named scenario (simulator/scenarios/NAME.toml) or a TOML file, over the defaults."""
    name = name_or_path or "default"
    path = Path(name)
    if not (path.suffix == ".toml" and path.is_file()):
        path = SCENARIOS / f"{name}.toml"
        if not path.is_file():
            raise ScenarioError(f"no scenario {name!r}: name one of {', '.join(available())} or a .toml file")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from None
    scenario = merge(DEFAULTS, data, "")
    scenario.setdefault("name", path.stem)
    if scenario["name"] == "custom":
        scenario["name"] = path.stem
    check(scenario)
    return scenario


def merge(base: dict, changes: dict, prefix: str) -> dict:
    result = copy.deepcopy(base)
    for key, value in changes.items():
        where = f"{prefix}{key}"
        if key not in base:
            raise ScenarioError(f"unknown key {where!r}; known here: {', '.join(base)}")
        if isinstance(base[key], dict) and prefix.rstrip(".") not in FREE_FORM and key not in FREE_FORM:
            if not isinstance(value, dict):
                raise ScenarioError(f"{where!r} must be a table")
            result[key] = merge(base[key], value, f"{where}.")
        else:
            result[key] = _typed(where, base[key], value)
    return result


def _typed(where: str, default: Any, value: Any) -> Any:
    if where.split(".")[0] in FREE_FORM:
        if not isinstance(value, dict):
            raise ScenarioError(f"{where!r} must be a table")
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ScenarioError(f"{where!r} must be true or false, not {value!r}")
        return value
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(f"{where!r} must be a number, not {value!r}")
        if isinstance(default, int) and not isinstance(default, bool) and not float(value).is_integer():
            raise ScenarioError(f"{where!r} must be a whole number, not {value!r}")
        return type(default)(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ScenarioError(f"{where!r} must be text, not {value!r}")
        if where in CHOICES and value not in CHOICES[where]:
            raise ScenarioError(f"{where!r} must be one of {', '.join(CHOICES[where])}, not {value!r}")
        return value
    if isinstance(default, list):
        if not isinstance(value, list):
            raise ScenarioError(f"{where!r} must be a list")
        return value
    return value


def check(scenario: dict) -> None:
    """Rules that span keys."""
    def positive(where: str, value: float, allow_zero: bool = False) -> None:
        if value < 0 or (value == 0 and not allow_zero):
            raise ScenarioError(f"{where!r} must be {'at least 0' if allow_zero else 'positive'}, not {value}")
    positive("run.days", scenario["run"]["days"])
    positive("run.sample_minutes", scenario["run"]["sample_minutes"])
    positive("run.drain_hours", scenario["run"]["drain_hours"], allow_zero=True)
    catalog, customers = scenario["catalog"], scenario["customers"]
    positive("catalog.skus", catalog["skus"])
    shares = ("fba_share", "mfn_share", "seller_flex_share")
    for key in shares:
        positive(f"catalog.{key}", catalog[key], allow_zero=True)
    if abs(sum(catalog[k] for k in shares) - 1.0) > 1e-6:
        raise ScenarioError("'catalog.fba_share' + 'catalog.mfn_share' + 'catalog.seller_flex_share' must add up to 1")
    if not 0 <= catalog["stock_min"] <= catalog["stock_max"]:
        raise ScenarioError("'catalog.stock_min' must be between 0 and 'catalog.stock_max'")
    positive("customers.orders_per_day", customers["orders_per_day"], allow_zero=True)
    mix = ("amazon_fba", "amazon_mfn", "webstore", "seller_flex")
    for key in mix:
        positive(f"customers.{key}", customers[key], allow_zero=True)
    if customers["orders_per_day"] and not sum(customers[k] for k in mix) > 0:
        raise ScenarioError("the customers' channel mix ('customers.amazon_fba' and the others) must not be all 0")
    profile = customers["daily_profile"]
    if len(profile) != 24 or any(not isinstance(v, (int, float)) or v < 0 for v in profile) or not sum(profile) > 0:
        raise ScenarioError("'customers.daily_profile' must be 24 non-negative weights, one per hour")
    positive("latency.mean_ms", scenario["latency"]["mean_ms"], allow_zero=True)
    integration = scenario["integration"]
    for key in ("order_poll_minutes", "inventory_sync_hours", "fba_inventory_hours", "shipment_import_hours",
                "fulfillment_check_minutes", "flex_order_poll_seconds", "shipment_lookback_days",
                "flex_push_cadence_seconds", "flex_push_rate", "warehouse_hours", "handling_days"):
        positive(f"integration.{key}", integration[key])
    for channel, marketplace in scenario["marketplaces"].items():
        if marketplaces.get(marketplace) is None:
            raise ScenarioError(f"'marketplaces.{channel}' must be one of Amazon's marketplaces (an ID such as "
                                f"ATVPDKIKX0DER or a code such as US, UK, IN), not {marketplace!r}")
    if integration["push_concurrency"] < 1:
        raise ScenarioError("'integration.push_concurrency' must be at least 1")
    for index, rule in enumerate(scenario["faults"]):
        if not isinstance(rule, dict):
            raise ScenarioError(f"'faults[{index}]' must be a table")


def apply_overrides(scenario: dict, assignments: list[str]) -> dict:
    """--set key=value (dotted keys; the value is TOML: 3, 0.5, true, "api", [1, 2])."""
    for assignment in assignments:
        key, separator, text = assignment.partition("=")
        key = key.strip()
        if not separator or not key:
            raise ScenarioError(f"--set {assignment!r}: write key=value, e.g. run.days=2")
        try:
            value = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = text.strip()  # bare words are text
        parts = key.split(".")
        nested: dict = {}
        cursor = nested
        for part in parts[:-1]:
            cursor = cursor.setdefault(part, {})
        cursor[parts[-1]] = value
        scenario = merge(scenario, nested, "")
    check(scenario)
    return scenario


def describe(scenario: dict) -> str:
    return json.dumps(scenario, indent=2, sort_keys=True)
