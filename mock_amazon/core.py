"""MockAmazon: the whole mock's state and rules, with no HTTP. The Flask app (app.py) and the control API
(control.py) are thin layers over it; tests and the simulator may call it directly.

Time moves only through the shared clock. Work that Amazon does later (verifying an order, shipping it,
processing a report) is a timer in the store; `run_due()` performs every timer that is due, in order, stamping
each change with the time it was due. Every request runs it first, and so does `advance()`.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import os
import random
import threading
from typing import Callable

import mock_amazon.marketplaces as marketplaces
from mock_amazon.apis.documents.backend import Documents
from mock_amazon.apis.external_fulfillment.backend import ExternalFulfillmentBackend
from mock_amazon.apis.fba_inventory.backend import FbaInventoryBackend
from mock_amazon.apis.feeds.backend import FeedsBackend
from mock_amazon.apis.fulfillment_outbound.backend import FulfillmentOutboundBackend
from mock_amazon.apis.listings.backend import ListingsBackend
from mock_amazon.apis.notifications.backend import NotificationsBackend
from mock_amazon.apis.orders.backend import OrdersBackend
from mock_amazon.apis.reports.backend import ReportsBackend
from mock_amazon.apis.sqs.backend import SqsBackend
from mock_amazon.apis.tokens.backend import RestrictedDataTokens
from mock_amazon.auth import Auth, Seller
from mock_amazon.crowd import seeded_faker
from mock_amazon.entities import Collection
from mock_amazon.errors import InvalidInput, NotFound
from mock_amazon.faults import Faults
from mock_amazon.journal import Filter, Journal
from mock_amazon.ratelimit import RateLimiter
from mock_amazon.snapshots import SnapshotPart, Snapshots, attributes_part, random_part
from mock_amazon.store import Store, positions
from model.clock import Clock, VirtualClock, wall_time
from model.inventory import Ledger
from model.lifecycles import Lifecycles

ID_ALPHABETS = {"#": "0123456789", "X": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "h": "0123456789abcdef"}
ID_DRAWS = 720  # a common multiple of 10, 36 and 16: every alphabet is drawn from evenly
CHECK_ANSWERS_ENV = "MOCK_AMAZON_CHECK_ANSWERS"
MAX_SETTING = 1e9               # seconds (some 31 years) or bytes: beyond it a setting is a mistake
MAX_ADVANCE_SECONDS = 3.2e9     # about a century: the clock's dates stay within what ISO 8601 writes
MAX_SEEDED = 100_000            # SKUs or orders seeded in one call
MAX_JOURNAL_SCAN = 100_000      # journal entries an entity's page looks through for the calls that named it


@functools.lru_cache(maxsize=None)
def _id_slots(pattern: str) -> tuple[str, ...]:
    """Each character's alphabet repeated to ID_DRAWS characters (a literal character is an alphabet of one), so
    that a draw in [0, ID_DRAWS) indexes it directly: the same character as `alphabet[draw % len(alphabet)]`."""
    return tuple(alphabet * (ID_DRAWS // len(alphabet)) for alphabet in (ID_ALPHABETS.get(c, c) for c in pattern))


@dataclasses.dataclass
class Settings:
    """How Amazon behaves in time; every field can be changed per scenario (`PUT /_testbed/settings`)."""
    verification_seconds: float = 300.0         # Pending -> Unshipped
    mfn_handling_seconds: float = 0.0           # MFN LatestShipDate after purchase; 0: the listings' handling days
    afn_ship_seconds: float = 6 * 3600.0        # Unshipped -> Shipped for Amazon-fulfilled orders
    afn_partial_chance: float = 0.1             # an AFN order ships in two shipments
    report_queue_seconds: float = 30.0          # IN_QUEUE -> IN_PROGRESS
    report_processing_seconds: float = 90.0     # IN_PROGRESS -> DONE
    gzip_reports: bool = False                  # documents come GZIP-compressed (compressionAlgorithm: GZIP)
    feed_queue_seconds: float = 30.0            # IN_QUEUE -> IN_PROGRESS
    feed_processing_seconds: float = 120.0      # IN_PROGRESS -> DONE (or FATAL)
    mcf_planning_seconds: float = 600.0         # multi-channel order: Received -> Planning
    mcf_processing_seconds: float = 1800.0      # Planning -> Processing
    mcf_ship_seconds: float = 4 * 3600.0        # Processing -> shipped (Complete)
    mcf_transit_seconds: float = 3 * 86_400.0   # shipped -> delivered, for tracking
    mcf_unfulfillable_chance: float = 0.0       # an order with stock still comes back Unfulfillable
    mcf_partial_chance: float = 0.0             # under FillAllAvailable, part of an item cannot be filled
    mcf_split_chance: float = 0.2               # an order ships in two shipments
    mcf_fill_all_attempts: int = 3              # FillAll waits this many planning rounds for missing stock
    ef_accept_seconds: float = 60.0             # seller-flex order: CREATED -> ACCEPTED (and the notification)
    ef_orders_per_hour: float = 0.0             # Amazon places random seller-flex orders (0: only when told)
    ef_customer_cancel_chance: float = 0.0      # a customer cancels an accepted order
    ef_customer_cancel_seconds: float = 1800.0  # ... this long after it was placed
    ef_dimension_tolerance: float = 0.1         # packed dimensions may differ from the listing's by this share
    ef_return_step_seconds: float = 6 * 3600.0  # a return moves one status on this often
    ef_return_reject_chance: float = 0.1        # a delivered return is rejected instead of processed
    max_body_bytes: int = 10 * 1024 * 1024

    def update(self, changes: dict) -> None:
        fields = {f.name: f for f in dataclasses.fields(self)}
        checked = {}
        for key, value in changes.items():
            if key not in fields:
                raise ValueError(f"unknown setting {key!r}; known: {', '.join(fields)}")
            kind = type(getattr(self, key))
            if kind is bool and not isinstance(value, bool) or kind is not bool and (
                    isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_SETTING):
                raise ValueError(f"setting {key!r} must be "
                                 f"{'true or false' if kind is bool else f'a number from 0 to {MAX_SETTING:g}'}")
            if key.endswith("chance") and value > 1:
                raise ValueError(f"setting {key!r} is a probability between 0 and 1")
            checked[key] = kind(value)
        for key, value in checked.items():
            setattr(self, key, value)


class MockAmazon:
    def __init__(self, store: Store | None = None, clock: Clock | None = None, base_url: str = "http://127.0.0.1:8000",
                 seed: int = 0, settings: Settings | None = None, limits: dict | None = None,
                 faults: list[dict] | None = None, wait: Callable[[float], None] | None = None,
                 wire_clock: Clock | None = None, wall: Callable[[], float] = wall_time,
                 journal_limit: int | None = None, journal_bodies: bool = True, control_token: str | None = None,
                 check_answers: bool | None = None):
        """`limits` overrides Amazon's usage plans ({"getOrders": {"rate", "burst"}}); `faults` are fault rules;
        `wait`, if given, is how a real server waits out a fault's added latency (in simulated seconds); `wall`
        gives real POSIX seconds for the journal and snapshots (tests inject a fake); the journal keeps at most
        `journal_limit` entries (None: all), with headers and bodies unless `journal_bodies` is False;
        `control_token`, if given, is what every /_testbed/ route asks for (control.py); with `check_answers`
        (by default when $MOCK_AMAZON_CHECK_ANSWERS is 1, as the test suite sets it) every answer is checked
        against Amazon's model, and one that breaks it is logged and becomes a 500 naming the break.

        `clock` is the marketplace's time (orders, shipping, reports); `wire_clock` the time clients live by on the
        wire: access-token lifetimes, rate-limit refill, SQS visibility timeouts and long polls. They are one clock
        unless the marketplace runs faster than real time, when the wire keeps real time, because clients cache
        tokens, pace themselves and wait on queues by it."""
        self.store = store or Store()
        self.clock = clock or VirtualClock()
        self.wire_clock = wire_clock or self.clock
        self.base_url = base_url.rstrip("/")
        self.seed_value = seed
        # A restarted server continues from a new random stream, so new IDs never repeat the old ones; a fresh
        # store is generation 1, which keeps seeded runs reproducible.
        generation = self.store.setting("generation", 0) + 1
        self.store.set_setting("generation", generation)
        self.rng = random.Random(f"{seed}/{generation}")
        self.settings = settings or Settings(**self.store.setting("settings", {}))
        self.lifecycles = Lifecycles(self.clock)
        self.auth = Auth(self.store, self.wire_clock, self.rng)
        self.limits = RateLimiter(self.wire_clock)
        self.faults = Faults(random.Random(seed))
        self.limits.configure(limits)
        self.faults.configure(faults or [])
        self.wait = wait
        self.wall = wall
        self.control_token = control_token
        self.check_answers = os.environ.get(CHECK_ANSWERS_ENV) == "1" if check_answers is None else check_answers
        self.lock = threading.RLock()
        self.journal = Journal(self.store, self.clock, wall, self.lock, journal_limit, journal_bodies)
        self._handlers: dict[str, Callable[[str, str, float], None]] = {}
        self._request_counter = 0
        self._event_time: float | None = None
        self.documents = Documents(self)
        self.sqs = SqsBackend(self)
        self.notifications = NotificationsBackend(self)
        self.listings = ListingsBackend(self)
        self.orders = OrdersBackend(self)
        self.reports = ReportsBackend(self)
        self.fba_inventory = FbaInventoryBackend(self)
        self.fulfillment_outbound = FulfillmentOutboundBackend(self)
        self.feeds = FeedsBackend(self)
        self.external_fulfillment = ExternalFulfillmentBackend(self)
        self.tokens = RestrictedDataTokens(self)
        self.snapshots = Snapshots(self)
        self.marketplace: dict[str, Collection] = {c.kind: c for c in (
            self.orders.orders, self.fulfillment_outbound.orders, self.external_fulfillment.shipments,
            self.external_fulfillment.returns)}
        """The kinds of record a tester follows through their lifecycles (the dashboard counts them by state)."""
        self.snapshot_parts: dict[str, SnapshotPart] = self._state_outside_the_store()
        """What a snapshot saves besides the store, by name: (save, restore); others (the live world) add theirs."""

    def _state_outside_the_store(self) -> dict[str, SnapshotPart]:
        flex = self.external_fulfillment
        return {
            "mock": attributes_part(self, "settings", "_request_counter"),
            "mock.rng": random_part(self.rng),
            "rate_limits": attributes_part(self.limits, "buckets", "overrides", "lifted"),
            "faults": attributes_part(self.faults, "rules"),
            "faults.rng": random_part(self.faults.rng),
            "notifications": attributes_part(self.notifications, "faults", "webhooks"),
            "external_fulfillment.customers": attributes_part(flex.customers, "people"),
            "external_fulfillment.rng": random_part(flex.fake.random),
            "journal": (self.journal.save, self.journal.restore),
        }

    # ids and helpers shared by the backends
    def new_id(self, pattern: str) -> str:
        """An ID from a pattern: '#' a digit, 'X' an upper-case letter or digit, 'h' a hex digit."""
        draw = self.rng.random  # one draw per character, literal ones included, as rng.choices would make
        return "".join([slot[int(draw() * ID_DRAWS)] for slot in _id_slots(pattern)])

    def next_number(self, kind: str, start: int = 50_000_000_000) -> str:
        """Increasing numeric IDs (Amazon's report and feed IDs grow), so equal times still list in order."""
        number = self.store.setting(f"next_number:{kind}", start) + 1
        self.store.set_setting(f"next_number:{kind}", number)
        return str(number)

    def request_id(self) -> str:
        self._request_counter += 1
        return f"{self.seed_value:08x}-{self._request_counter:04x}-4{self.rng.getrandbits(12):03x}-" \
               f"{self.rng.getrandbits(16):04x}-{self.rng.getrandbits(48):012x}"

    def now(self) -> float:
        """The time of what is happening: a timer's due time while it runs, else the clock's."""
        return self._event_time if self._event_time is not None else self.clock.seconds()

    def ledger(self, seller_id: str) -> Ledger:
        return Ledger(positions(self.store, seller_id, self.now, self.fba_inventory.announce))

    # timers
    def on(self, action: str, handler: Callable[[str, str, float], None]) -> None:
        self._handlers[action] = handler

    def schedule(self, at: float, action: str, seller_id: str, entity_id: str) -> None:
        if action not in self._handlers:
            raise KeyError(f"no handler for timer action {action!r}")
        self.store.timers.add(at, action, seller_id, entity_id)

    def run_due(self) -> int:
        """Perform every timer due by now, earliest first; return how many ran."""
        ran = 0
        with self.lock:
            now = self.clock.seconds()
            while True:
                due = self.store.timers.earliest()
                if due is None or due > now:  # most calls find nothing due
                    return ran
                with self.store.transaction():  # a refused timer stays, as it was
                    timer = self.store.timers.take(now)
                    if timer is None:
                        continue
                    at, _, action, seller_id, entity_id = timer
                    self._event_time = at
                    try:
                        self._handlers[action](seller_id, entity_id, at)
                    finally:
                        self._event_time = None
                ran += 1

    def next_due(self) -> float | None:
        with self.store.lock:
            return self.store.timers.earliest()

    # the control API, in Python (control.py serves the same over HTTP)
    def reset(self) -> None:
        with self.lock:
            self.store.wipe()
            self.journal.forget()
            self.limits.configure()
            self.faults.configure([], seed=self.seed_value)
            self.settings = Settings()
            self.store.set_setting("generation", 1)
            self.rng.seed(f"{self.seed_value}/1")

    def advance(self, seconds: float) -> dict:
        if not 0 <= seconds <= MAX_ADVANCE_SECONDS:
            raise InvalidInput(f"'seconds' must be between 0 and {MAX_ADVANCE_SECONDS:g}.", "seconds")
        with self.lock:
            self.clock.advance(seconds)
            ran = self.run_due()
        return {"now": self.clock.now().isoformat(), "timers_run": ran}

    def clock_state(self) -> dict:
        """Now, the next timer, and how the clock moves: `scale` simulated seconds per real second (None for a
        virtual clock, which moves only when advanced and so is always `paused`)."""
        with self.lock:
            clock = self.clock
            return {"now": clock.now().isoformat(), "seconds": clock.seconds(), "next_due": self.next_due(),
                    "scale": clock.scale, "paused": clock.paused}

    def set_clock(self, changes: dict) -> dict:
        """Pause or resume the clock or change its scale ({"scale": 60, "paused": false}); time goes on from
        where it was. Nothing changes unless every change is valid."""
        unknown = sorted(set(changes) - {"scale", "paused"})
        if unknown:
            raise InvalidInput(f"Unknown clock field {unknown[0]!r}; known: scale, paused.", unknown[0])
        scale, paused = changes.get("scale"), changes.get("paused")
        if "scale" in changes and (isinstance(scale, bool) or not isinstance(scale, (int, float))
                                   or not 0 < scale < math.inf):
            raise InvalidInput("'scale' must be a number above 0 (simulated seconds per real second).", "scale")
        if "paused" in changes and not isinstance(paused, bool):
            raise InvalidInput("'paused' must be true or false.", "paused")
        with self.lock:
            self.run_due()  # what fell due at the old pace happens before the pace changes
            for key, change in (("scale", self.clock.set_scale), ("paused", self.clock.set_paused)):
                if key in changes:
                    try:
                        change(changes[key])
                    except ValueError as error:  # a virtual clock has no pace to change
                        raise InvalidInput(f"Cannot change '{key}': {error}.", key) from None
        return self.clock_state()

    def create_seller(self, marketplace_ids: object = None) -> Seller:
        """A new seller in `marketplace_ids` (IDs or country codes, a list or comma-separated; the first is the
        seller's home), or in Amazon.com alone when None."""
        ids = (marketplaces.US,) if marketplace_ids is None else marketplaces.parse_list(marketplace_ids)
        with self.lock, self.store.transaction():
            return self.auth.create_seller(ids)

    def update_settings(self, changes: dict) -> Settings:
        with self.lock:
            self.settings.update(changes)
            self.store.set_setting("settings", dataclasses.asdict(self.settings))
        return self.settings

    def seed(self, seller_id: str, skus: int = 20, orders: int = 10, seed: int = 0,
             marketplace_id: str | None = None) -> dict:
        """A catalog of `skus` products with inventory, and `orders` orders placed over the past day in
        `marketplace_id` (the seller's home marketplace unless named), by its buyers, in its currency.

        Deterministic per seed: the same arguments on a fresh mock give the same data.
        """
        seller = self.auth.seller(seller_id)
        if seller is None:
            raise NotFound(f"No seller found with ID {seller_id}.", seller_id)
        marketplace = self.orders.marketplace_of(seller, marketplace_id)
        for name, count in (("skus", skus), ("orders", orders)):
            if not 0 <= count <= MAX_SEEDED:
                raise InvalidInput(f"'{name}' must be between 0 and {MAX_SEEDED}.", name)
        if orders and not skus:
            raise InvalidInput("Orders need SKUs to order: give 'skus' too.", "skus")
        fake = seeded_faker(marketplace.faker_locale, seed)
        rng = random.Random(seed)
        with self.lock, self.store.transaction():
            catalog = self.listings.seed(seller_id, skus, fake, rng)
            now = self.clock.seconds()
            placed = []
            for _ in range(orders):
                product = rng.choice(catalog)
                placed.append(self.orders.place(
                    seller_id, [(product["sku"], rng.randint(1, 2))], channel=product["channel"],
                    at=now - rng.uniform(0, 86_400), fake=fake, rng=rng, marketplace_id=marketplace.id).id)
        self.run_due()
        return {"seller_id": seller_id, "skus": [p["sku"] for p in catalog],
                "fba_skus": [p["sku"] for p in catalog if p["channel"] == "AFN"], "orders": placed}

    def set_stock(self, seller_id: str, sku: str, channel: str, locations: dict) -> list[dict]:
        """The SKU's stock in one channel ("AFN": Amazon's fulfilment centres, "MFN": the merchant's listing
        quantity) becomes exactly `locations` ({location: {"sellable", "unsellable"}}); positions elsewhere in
        the channel are emptied. Units reserved for open orders stay reserved. Returns the positions."""
        if self.auth.seller(seller_id) is None:
            raise InvalidInput(f"No seller found with ID {seller_id}.", "seller_id")
        if self.listings.items.find(seller_id, sku) is None:
            raise InvalidInput(f"SKU {sku!r} is not in the seller's catalog.", "sku")
        if channel not in ("AFN", "MFN"):
            raise InvalidInput("'channel' must be AFN or MFN.", "channel")
        if not isinstance(locations, dict) or not locations:
            raise InvalidInput("'locations' must map location IDs to {sellable, unsellable}.", "locations")
        for location, quantities in locations.items():
            if not isinstance(quantities, dict) or set(quantities) - {"sellable", "unsellable"}:
                raise InvalidInput(f"locations.{location} takes sellable and unsellable.", f"locations.{location}")
            for condition, units in quantities.items():
                if not isinstance(units, int) or isinstance(units, bool) or units < 0:
                    raise InvalidInput(f"locations.{location}.{condition} must be an integer of at least 0.",
                                       f"locations.{location}.{condition}")
        with self.lock, self.store.transaction():
            ledger = self.ledger(seller_id)
            for position in ledger.positions_of(sku):
                if position.channel == channel and position.location not in locations:
                    ledger.set_quantity(sku, position.location, 0, channel=channel)
                    ledger.set_quantity(sku, position.location, 0, condition="unsellable", channel=channel)
            for location, quantities in locations.items():
                for condition in ("sellable", "unsellable"):
                    ledger.set_quantity(sku, location, quantities.get(condition, 0), condition=condition,
                                        channel=channel)
            return [p.to_dict() for p in ledger.positions_of(sku) if p.channel == channel]

    def counts(self, seller_id: str) -> dict[str, dict]:
        """The seller's orders, fulfillment orders, seller-flex shipments and returns counted in every state of
        their lifecycle tables (a state nothing is in counts 0; a new state in a table shows up here by itself)."""
        with self.lock:
            found = {kind: self.store.count_by_status(kind, seller_id) for kind in self.marketplace}
        counted = {}
        for kind, collection in self.marketplace.items():
            assert collection.lifecycle is not None  # every kind of `marketplace` has one
            table = collection.lifecycle.table
            states = {state: found[kind].get(state, 0) for state in table.states}
            counted[kind] = {"label": collection.label, "lifecycle": table.name, "states": states,
                             "final": list(table.final), "total": sum(found[kind].values())}
        return counted

    def record(self, kind: str, seller_id: str, entity_id: str, scan: int = 2000, limit: int = 100) -> dict:
        """One record of Amazon's as stored, its history of transitions, and the seller's calls that named it (in
        path, query or body) among the journal's newest `scan` entries."""
        if kind not in self.store.kinds:
            raise NotFound(f"No kind of record {kind!r}; known: {', '.join(sorted(self.store.kinds))}.", kind)
        if not 1 <= scan <= MAX_JOURNAL_SCAN:
            raise InvalidInput(f"'scan' must be between 1 and {MAX_JOURNAL_SCAN}.", "scan")
        with self.lock:
            doc = self.store.get(kind, seller_id, entity_id)
            if doc is None:
                raise NotFound(f"No {kind} record found with ID {entity_id}.", entity_id)
            calls = self.journal.touching(entity_id, seller_id, scan, limit)
        history = [{"time": time, "from": source, "to": dest, "trigger": trigger}
                   for time, source, dest, trigger in doc.get("history", [])]
        return {"kind": kind, "id": entity_id, "status": doc.get("status"), "record": doc, "history": history,
                "calls": calls["entries"], "calls_scanned_from_id": calls["scanned_from_id"]}

    def rate_limit_state(self, seller_id: str, since_id: int = 0) -> dict:
        """Each operation's bucket of the seller now, the 429s it got after journal entry `since_id`, and
        whether limits are lifted."""
        with self.lock:
            return {"buckets": self.limits.state(seller_id), "throttled": self.journal.throttles(seller_id, since_id),
                    "lifted": self.limits.lifted, "overrides": self.limits.overrides}

    def traffic(self, since_id: int = 0, limit: int = 1000, operation: str | None = None,
                status: str | int | None = None, seller_id: str | None = None) -> list[dict]:
        """The journal's entries after `since_id`, oldest first, without bodies (`journal.entry(id)` has them)."""
        return self.journal.entries(Filter(operation, status, seller_id, since_id, limit))
