"""The live world: a scenario's marketplace running inside `python -m mock_amazon`, on the wall clock.

The scenario's actors (customers, Amazon's fulfilment centre, the seller's warehouse, faults) are the
simulator's own, on an ordinary SimPy environment. A runner thread advances that environment toward the paced
wall clock (scaled, pausable, jumped ahead on request) in short slices while holding the mock's lock, and sleeps
outside it: an HTTP request always sees one consistent instant and is never blocked by a sleeping world.

Two clocks: the marketplace's (orders, verification, shipping, ship-by dates, report processing) is the
environment's time and runs at the scale; the wire's (token lifetimes, rate-limit refill) is real time.

Three doors: Amazon's API for connectors, `/_world/` for the seller's own systems that the world simulates (the
webstore's orders, the warehouse's stock), `/_testbed/` for whoever runs the test.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import simpy
from flask import Blueprint, Flask, Response, current_app, request

from mock_amazon.core import MockAmazon
from mock_amazon.errors import ApiError, Conflict, InvalidInput, NotFound
from mock_amazon.pipeline import json_response
from mock_amazon.spec import parse_time, read_json
from model.clock import Clock, WallClock, to_datetime, wall_time
from model.seller import StoreOrder
from simulator.actors.customers import webstore_order
from simulator.run import start as start_actors
from simulator.world import World

SLICE_SECONDS = 0.05        # real seconds between two steps of the world
MAX_STEP_SECONDS = 3600.0   # simulated seconds in one step under the lock, so requests wait at most that long
MOVEMENTS = ("allocate", "release", "ship", "receive", "adjust")


class LiveClock(Clock):
    """The marketplace's time in a live world: the SimPy environment's, moved toward a paced wall clock.

    Handlers read `seconds()` (the environment's instant); the runner calls `catch_up()`; `advance` jumps the pace
    ahead and runs the world through the skipped span before it returns."""

    def __init__(self, env: simpy.Environment, pace: WallClock):
        self.env = env
        self.pace = pace
        self.origin = pace.seconds()   # env.now counts from here

    def seconds(self) -> float:
        return self.origin + self.env.now

    def behind(self) -> float:
        """Simulated seconds the world lags behind the pace."""
        return max(0.0, self.pace.seconds() - self.seconds())

    def catch_up(self, limit: float = float("inf")) -> None:
        """Run the world up to the pace's instant (at most `limit` simulated seconds of it)."""
        target = min(self.pace.seconds() - self.origin, self.env.now + limit)
        if target > self.env.now:
            self.env.run(until=target)

    def advance(self, seconds: float) -> None:
        self.pace.advance(seconds)
        self.catch_up()

    def restore(self, seconds: float) -> None:
        """Back to a snapshot's instant: the pace is set back and a fresh environment starts there (the world's
        snapshot part then rebuilds its actors on it)."""
        if seconds < self.origin:
            raise ValueError("the snapshot is older than this world")
        self.pace.restore(seconds)
        self.env = simpy.Environment(initial_time=seconds - self.origin)

    @property
    def scale(self) -> float | None:
        return self.pace.scale

    @property
    def paused(self) -> bool:
        return self.pace.paused

    def set_scale(self, scale: float) -> None:
        self.pace.set_scale(scale)

    def set_paused(self, paused: bool) -> None:
        self.pace.set_paused(paused)


@dataclass
class Lag:
    """How far the world fell behind the pace, sampled once a step: the live benchmark's figure."""
    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples.append(seconds)
        if len(self.samples) > 100_000:
            del self.samples[:50_000]

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.samples) or [0.0]
        return {"steps": len(self.samples), "p50": ordered[len(ordered) // 2],
                "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], "max": ordered[-1]}


class LiveWorld:
    """A scenario's world inside a running mock: build it, `attach` its `/_world/` door to the app, `start` it."""

    def __init__(self, scenario: dict, base_url: str, scale: float, journal_limit: int | None = None,
                 wall: Callable[[], float] = wall_time):
        """`wall` is the real time the pace follows (tests pass a hand-moved one)."""
        self.env = simpy.Environment()
        self.clock = LiveClock(self.env, WallClock(scale=scale, source=wall))
        self.world = World(scenario, env=self.env, clock=self.clock, base_url=base_url,
                           wire_clock=WallClock() if scale != 1 else None,  # the wire keeps real time
                           journal_bodies=True, journal_limit=journal_limit)
        self.amazon: MockAmazon = self.world.amazon
        self.amazon.wait = self.wait_out
        start_actors(self.world, reference_integration=False)
        self.amazon.snapshot_parts["world"] = (self.save, self.restore)
        self.lag = Lag()
        self._stop = threading.Event()
        self._runner: threading.Thread | None = None

    def wait_out(self, seconds: float) -> None:
        """A fault's added latency (simulated seconds), waited in real time outside the lock, as the standalone
        server does; cut short when the world stops."""
        self._stop.wait(seconds / (self.clock.scale or 1.0))

    def attach(self, app: Flask) -> None:
        app.extensions["live_world"] = self
        app.register_blueprint(world_door)
        app.register_blueprint(world_state)

    def state(self) -> dict[str, Any]:
        """How the world is doing, for whoever runs the test: its scenario, time, lag and orders so far."""
        world = self.world
        return {"scenario": world.scenario["name"], "now": self.clock.now().isoformat(),
                "scale": self.clock.scale, "paused": self.clock.paused, "lag_seconds": self.lag.summary(),
                "orders_placed": dict(sorted(world.customer_orders.items())), "judge": world.scenario["judge"]}

    def start(self) -> None:
        """The world starts moving now: the time spent building it does not count as lag."""
        with self.amazon.lock:
            self.clock.pace.restore(self.clock.seconds())
        self._runner = threading.Thread(target=self._run, name="live-world", daemon=True)
        self._runner.start()

    def stop(self) -> None:
        self._stop.set()
        if self._runner is not None:
            self._runner.join(timeout=10)

    def step(self) -> None:
        """One slice: the world catches up with the pace (bounded, so no request waits long)."""
        with self.amazon.lock:
            self.clock.catch_up(MAX_STEP_SECONDS)
            self.lag.add(self.clock.behind())

    def _run(self) -> None:
        while not self._stop.is_set():
            self.step()
            self._stop.wait(SLICE_SECONDS)  # outside the lock: requests go on while the world sleeps

    # snapshots: the seller's side and the world's random streams; Amazon's side is the store's
    def save(self) -> dict[str, Any]:
        world = self.world
        return {"orders": world.orders, "stock": world.warehouse.stock, "allocated": world.warehouse.allocated,
                "activity": world.warehouse.activity, "customer_orders": world.customer_orders,
                "rng": world.rng.getstate(), "fake": world.fake.random.getstate()}

    def restore(self, saved: dict[str, Any]) -> None:
        """The world rebuilt on the environment the clock restarted at the snapshot's instant: the seller's side
        as it was, and every actor started again from there."""
        world = self.world
        world.env = self.env = self.clock.env
        world.webstore_inbox = simpy.Store(self.env)
        world.orders = saved["orders"]
        world.by_id = {order.id: order for order in world.orders}
        world.by_external = {(order.source, order.external_id): order for order in world.orders}
        world.orders_by_status = Counter(order.status for order in world.orders)
        world.warehouse.stock, world.warehouse.allocated = saved["stock"], saved["allocated"]
        world.warehouse.activity = saved["activity"]
        world.customer_orders = saved["customer_orders"]
        world.rng.setstate(saved["rng"])
        world.fake.random.setstate(saved["fake"])
        start_actors(world, reference_integration=False)

    # what /_world/ serves
    def webstore_orders(self, since: float | None, limit: int, cancelled: bool = False) -> list[dict]:
        orders = [o for o in self.world.orders if o.source == "webstore"
                  and (since is None or self.world.start.timestamp() + o.created >= since)
                  and (not cancelled or o.cancel_requested is not None)]
        return [self.webstore_json(o) for o in orders[:limit]]

    def webstore_json(self, order: StoreOrder) -> dict[str, Any]:
        start = self.world.start.timestamp()
        return {"id": order.id, "created": _iso(start + order.created), "status": order.status,
                "lines": [{"sku": sku, "quantity": units} for sku, units in order.lines],
                "ship_to": order.address, "shipping_speed": order.method, "tracking": order.tracking,
                "ship_by": _iso(start + order.promised),
                "cancellation_requested": None if order.cancel_requested is None else _iso(
                    start + order.cancel_requested)}

    def stock_json(self, sku: str) -> dict[str, Any]:
        warehouse = self.world.warehouse
        moved = warehouse.activity.get(sku)
        return {"sku": sku, "on_hand": warehouse.stock.get(sku, 0), "allocated": warehouse.allocated.get(sku, 0),
                "free": warehouse.free(sku), "last_movement": _iso(moved) if moved is not None else None}


def _iso(seconds: float) -> str:
    return to_datetime(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


# the world as the tester sees it: /_testbed/world --------------------------------------------------------------

world_state = Blueprint("world_state", __name__, url_prefix="/_testbed")


@world_state.get("/world")
def world_status() -> Response:
    """The live world's scenario, time, lag behind the pace (simulated seconds per step) and orders placed."""
    live = _live()
    with live.amazon.lock:
        return json_response(200, live.state())


@world_state.post("/world/webstore-orders")
def place_webstore_order() -> Response:
    """A customer orders on the seller's webstore: {"sku", "quantity"} (1 unless given). The SKU must be one Amazon
    fulfils (FBA): the integration sends the order to Amazon's multi-channel fulfilment, as it does the world's."""
    data = read_json(request.get_data() or b"{}", "body")
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", "body")
    live = _live()
    sku, quantity = data.get("sku"), data.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 1000:
        raise InvalidInput("'quantity' must be a whole number from 1 to 1000.", "quantity")
    with live.amazon.lock:
        if not isinstance(sku, str) or sku not in live.world.skus["fba"]:
            raise InvalidInput("'sku' must be one of the seller's FBA SKUs (GET /_world/catalog lists them).", "sku")
        webstore_order(live.world, sku, quantity)
        order = live.world.orders[-1]
        return json_response(201, live.webstore_json(order))


# the seller's own systems, simulated: /_world/ ---------------------------------------------------------------

world_door = Blueprint("world", __name__, url_prefix="/_world")


def _live() -> LiveWorld:
    live: LiveWorld = current_app.extensions["live_world"]
    return live


@world_door.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return json_response(error.http_status, error.body())


def _body() -> dict[str, Any]:
    data = read_json(request.get_data(), "body")  # within the limits of every request body (spec.read_json)
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", "body")
    return data


def _count(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > 1_000_000:
        raise InvalidInput(f"'{key}' must be a whole number from 1 to 1000000.", key)
    return value


@world_door.get("/clock")
def world_clock() -> Response:
    """The seller's clock: the marketplace's time and how fast it runs (a connector schedules by it)."""
    live = _live()
    return json_response(200, {"now": live.clock.now().isoformat(), "seconds": live.clock.seconds(),
                               "scale": live.clock.scale, "paused": live.clock.paused})


@world_door.get("/catalog")
def catalog() -> Response:
    """The seller's product master: which SKUs Amazon fulfils (FBA), which the warehouse ships (MFN), which the
    seller-flex site ships, and the seller-flex SKUs' packed dimensions (cm, kg)."""
    world = _live().world
    return json_response(200, {"seller_id": world.seller.seller_id, "marketplace_id": world.seller.marketplace_id,
                               "location": world.location, "skus": world.skus, "dimensions": world.dimensions})


@world_door.get("/webstore/orders")
def webstore_orders() -> Response:
    """Orders customers placed on the seller's webstore, oldest first: ?since=ISO (created at or after)&limit=;
    ?cancellation_requested=true for those whose customer asked to cancel (a connector passes that on)."""
    since_text = request.args.get("since")
    since = parse_time("since", since_text).timestamp() if since_text else None
    limit_text = request.args.get("limit", "100")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= 1000:
        raise InvalidInput("'limit' must be a whole number from 1 to 1000.", "limit")
    live = _live()
    with live.amazon.lock:
        cancelled = request.args.get("cancellation_requested") == "true"
        return json_response(200, {"orders": live.webstore_orders(since, int(limit_text), cancelled)})


@world_door.post("/webstore/orders/<order_id>/shipment")
def webstore_shipped(order_id: str) -> Response:
    """The webstore learns its order shipped: {"tracking": ["..."]} (what a connector tells the shop)."""
    tracking = _body().get("tracking")
    if not isinstance(tracking, list) or not tracking or not all(isinstance(t, str) and t for t in tracking):
        raise InvalidInput("'tracking' must be a non-empty list of tracking numbers.", "tracking")
    live = _live()
    with live.amazon.lock:
        order = live.world.by_id.get(order_id)
        if order is None or order.source != "webstore":
            raise NotFound(f"No webstore order {order_id}.", order_id)
        order.tracking.extend(t for t in tracking if t not in order.tracking)
        if order.shipped_at is None:
            order.shipped_at = live.env.now
        return json_response(200, live.webstore_json(order))


@world_door.get("/warehouse/stock")
def warehouse_stock() -> Response:
    """The warehouse's stock per SKU (the truth an inventory push reports): ?sku= (repeatable) for some SKUs,
    ?changed_since=ISO for those that moved since then."""
    since_text = request.args.get("changed_since")
    since = parse_time("changed_since", since_text).timestamp() if since_text else None
    live = _live()
    with live.amazon.lock:
        warehouse = live.world.warehouse
        skus = request.args.getlist("sku") or sorted(warehouse.stock)
        skus = [sku for sku in skus if sku in warehouse.stock and (
            since is None or warehouse.activity.get(sku, float("-inf")) >= since)]
        return json_response(200, {"stock": [live.stock_json(sku) for sku in skus]})


@world_door.post("/warehouse/movements")
def warehouse_movement() -> Response:
    """What a WMS records: {"kind": "allocate"|"release"|"ship"|"receive"|"adjust", "sku", "units"}. Allocating
    more than is free is 409; releasing or shipping more than is allocated is 409; adjust takes a signed count."""
    data = _body()
    kind, sku = data.get("kind"), data.get("sku")
    if kind not in MOVEMENTS:
        raise InvalidInput(f"'kind' must be one of {', '.join(MOVEMENTS)}.", "kind")
    if not isinstance(sku, str) or not sku:
        raise InvalidInput("'sku' is required.", "sku")
    live = _live()
    with live.amazon.lock:
        warehouse = live.world.warehouse
        if sku not in warehouse.stock:
            raise NotFound(f"The warehouse has no SKU {sku}.", sku)
        if kind == "adjust":
            units = data.get("units")
            if isinstance(units, bool) or not isinstance(units, int) or abs(units) > 1_000_000:
                raise InvalidInput("'units' must be a whole number between -1000000 and 1000000.", "units")
            warehouse.adjust(sku, units)
        else:
            units = _count(data, "units")
            if kind == "allocate" and not warehouse.allocate(sku, units):
                raise Conflict(f"Only {warehouse.free(sku)} of {sku} are free, not {units}.")
            if kind in ("release", "ship") and warehouse.allocated.get(sku, 0) < units:
                raise Conflict(f"Only {warehouse.allocated.get(sku, 0)} of {sku} are allocated, not {units}.")
            if kind == "release":
                warehouse.release(sku, units)
            elif kind == "ship":
                warehouse.ship(sku, units)
            elif kind == "receive":
                warehouse.receive(sku, units)
        return json_response(200, live.stock_json(sku))

