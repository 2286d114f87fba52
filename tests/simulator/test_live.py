"""The live world in-process, on a hand-moved real time: the pace, pausing and jumping, /_world/ as a connector
reads and writes it, and snapshots that bring the whole world back. Deterministic: no sleeps, no threads."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from mock_amazon.app import create_app
from simulator import scenario as scenarios
from simulator.live import LiveWorld

BASE = 1_800_000_000.0


class HandMovedTime:
    """Real time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = BASE

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall() -> HandMovedTime:
    return HandMovedTime()


@pytest.fixture
def live(wall: HandMovedTime) -> LiveWorld:
    scenario = scenarios.apply_overrides(scenarios.load("live-demo"), ["customers.orders_per_day=2000"])
    return LiveWorld(scenario, "http://live.test", scale=600, wall=wall)


@pytest.fixture
def http(live: LiveWorld) -> FlaskClient:
    app = create_app(live.amazon)
    live.attach(app)
    return app.test_client()


def run_for(live: LiveWorld, wall: HandMovedTime, real_seconds: float) -> None:
    """Real time passes and the runner takes its steps (as its thread would)."""
    wall.now += real_seconds
    for _ in range(100):
        live.step()
        if live.clock.behind() == 0:
            return


def test_the_world_follows_the_scaled_wall_clock_and_lags_not(live, wall):
    start = live.clock.seconds()
    run_for(live, wall, 6)   # six real seconds at 600x: an hour of the marketplace
    assert live.clock.seconds() - start == pytest.approx(3600)
    assert live.lag.summary()["p99"] == 0
    assert sum(live.world.customer_orders.values()) > 0, "customers ordered meanwhile"


def test_paused_the_world_stands_still_and_a_jump_runs_what_was_due(live, wall, http):
    assert http.put("/_testbed/clock", json={"paused": True}).status_code == 200
    before = live.clock.seconds()
    run_for(live, wall, 60)
    assert live.clock.seconds() == before
    placed = sum(live.world.customer_orders.values())
    assert http.post("/_testbed/clock/advance", json={"seconds": 7200}).status_code == 200
    assert live.clock.seconds() == pytest.approx(before + 7200)
    assert sum(live.world.customer_orders.values()) > placed, "the two hours' customers came before it returned"
    state = http.get("/_testbed/clock").json
    assert state["paused"] is True and state["scale"] == 600


def test_the_world_door_serves_the_sellers_systems(live, wall, http):
    run_for(live, wall, 12)
    catalog = http.get("/_world/catalog").json
    assert catalog["location"] and catalog["skus"]["mfn"] and catalog["skus"]["seller_flex"]
    orders = http.get("/_world/webstore/orders").json["orders"]
    assert orders and {"id", "created", "lines", "ship_to", "shipping_speed", "ship_by"} <= set(orders[0])
    later = http.get("/_world/webstore/orders", query_string={"since": orders[-1]["created"]}).json["orders"]
    assert later[0]["id"] == orders[-1]["id"]
    sku = catalog["skus"]["mfn"][0]
    [stock] = http.get("/_world/warehouse/stock", query_string={"sku": sku}).json["stock"]
    moved = http.post("/_world/warehouse/movements", json={"kind": "allocate", "sku": sku, "units": 1}).json
    assert moved["allocated"] == stock["allocated"] + 1 and moved["free"] == stock["free"] - 1
    assert http.post("/_world/warehouse/movements", json={"kind": "ship", "sku": sku, "units": 1}).status_code == 200
    too_many = http.post("/_world/warehouse/movements", json={"kind": "allocate", "sku": sku, "units": 10**6})
    assert too_many.status_code == 409 and too_many.json["errors"][0]["code"] == "Conflict"
    for bad in ({"kind": "steal", "sku": sku, "units": 1}, {"kind": "receive", "sku": sku, "units": 0},
                {"kind": "receive", "units": 1}, [1, 2]):
        answer = http.post("/_world/warehouse/movements", json=bad)
        assert answer.status_code == 400 and answer.json["errors"][0]["code"] == "InvalidInput"
    assert http.post("/_world/warehouse/movements",
                     json={"kind": "receive", "sku": "NO-SUCH", "units": 1}).status_code == 404
    assert http.get("/_world/webstore/orders", query_string={"since": "yesterday"}).status_code == 400
    shipped = http.post(f"/_world/webstore/orders/{orders[0]['id']}/shipment", json={"tracking": ["TBA1"]}).json
    assert shipped["tracking"] == ["TBA1"]


def test_a_snapshot_brings_the_whole_world_back(live, wall, http):
    run_for(live, wall, 6)
    saved = http.post("/_testbed/snapshots", json={"name": "hour-one"})
    assert saved.status_code == 201
    at_snapshot = (live.clock.seconds(), http.get("/_world/webstore/orders").json,
                   http.get("/_world/warehouse/stock").json, dict(live.world.customer_orders))
    run_for(live, wall, 12)
    assert sum(live.world.customer_orders.values()) > sum(at_snapshot[3].values())
    assert http.post("/_testbed/snapshots/hour-one/restore").status_code == 200
    assert (live.clock.seconds(), http.get("/_world/webstore/orders").json,
            http.get("/_world/warehouse/stock").json, dict(live.world.customer_orders)) == at_snapshot
    run_for(live, wall, 6)   # the rebuilt world goes on from there
    assert live.clock.seconds() > at_snapshot[0] and sum(live.world.customer_orders.values()) > sum(
        at_snapshot[3].values())


def test_the_control_token_guards_testbed_world_but_not_the_world_door(live):
    live.amazon.control_token = "live-token"
    app = create_app(live.amazon)
    live.attach(app)
    http = app.test_client()
    assert http.get("/_testbed/world").status_code == 401
    assert http.get("/_testbed/world", headers={"x-testbed-token": "live-token"}).status_code == 200
    assert http.get("/_world/clock").status_code == 200, "connectors use /_world/ without the testbed's token"


@pytest.mark.parametrize("body", [b"\xff", b"[" * 5000 + b"]" * 5000, b'{"quantity": 1e400}', b"", b"[1]"])
def test_hostile_bodies_at_the_world_door_are_a_400(http, body):
    response = http.post("/_world/warehouse/movements", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["errors"][0]["code"] == "InvalidInput"
