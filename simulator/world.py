"""Builds the simulated world from a scenario: one SimPy environment, the shared clock following it, Amazon's
mock in-process, the integration (its session, warehouse and store orders), and the actors that drive them."""
from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta, timezone

import simpy
from faker import Faker

import mock_amazon.marketplaces as marketplaces
from mock_amazon import MockAmazon
from mock_amazon.client import InProcess
from mock_amazon.crowd import Crowd, seeded_faker
from mock_amazon.store import Store
from model.clock import Clock, VirtualClock, to_datetime
from model.lifecycles import Lifecycles
from model.seller import StoreOrder, Warehouse
from model.workflows.pacing import Pacer
from model.workflows.protocol import R, Workflow
from model.workflows.seller_flex import SequenceBook
from model.workflows.session import Session, reliable
from simulator.metrics import Metrics
from simulator.scenario import ScenarioError
from simulator.transport import Latency, Steps, Transport

START = datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc)   # a Monday


def _webstore_address(fake: Faker) -> dict:
    return {"name": fake.name(), "addressLine1": fake.street_address(), "city": fake.city(),
            "stateOrRegion": fake.state_abbr(include_territories=False), "postalCode": fake.postcode(),
            "countryCode": "US", "phone": fake.numerify("###-###-####")}


def amazon_for(scenario: dict, clock: Clock | None = None, base_url: str = "http://mock.sim",
               wire_clock: Clock | None = None, journal_bodies: bool = False,
               journal_limit: int | None = None, write_behind: bool = False) -> MockAmazon:
    """Amazon's mock with the scenario's settings, limits and faults. The mock checks those free-form keys itself,
    so this is also how they are validated without running anything. The simulator journals each call without
    its bodies (a row per call, fast); the live world keeps them for whoever reads its journal. `write_behind`
    keeps the entities in memory (Store's), as run_sim does."""
    try:
        amazon = MockAmazon(store=Store(write_behind=write_behind), clock=clock, base_url=base_url,
                            seed=scenario["run"]["seed"], wire_clock=wire_clock, limits=scenario["limits"],
                            faults=scenario["faults"], journal_bodies=journal_bodies, journal_limit=journal_limit)
        amazon.update_settings(scenario["amazon"])
        amazon.notifications.configure_faults(scenario["notification_faults"])
    except ValueError as error:  # the mock checks its own settings, limits and faults
        raise ScenarioError(f"scenario: {error}") from None
    return amazon


def reference_session(client_id: str, client_secret: str, refresh_token: str, scenario: dict, clock: Clock,
                      rng: random.Random) -> Session:
    """The reference integration's session: tokens renewed on `clock` (the wire's), paced to the scenario's push
    rate and to the listings API's."""
    integration = scenario["integration"]
    return Session(client_id, client_secret, refresh_token, clock, rng=rng, pacers={
        "batchInventory": Pacer(integration["flex_push_rate"], 1, clock.seconds()),
        "patchListingsItem": Pacer(4.5, 1, clock.seconds())})


class IntegrationState:
    """What the reference integration keeps, wherever it runs (in the simulator's world, or as a live connector):
    its store orders, each moved only by the store_order machine, the SKUs to push, and its session's transport.
    `perform` runs a workflow through the reliable session on that transport (a SimPy process body)."""
    session: Session
    transport: Transport
    scenario: dict

    def __init__(self, env: simpy.Environment, clock: Clock, scenario: dict):
        self.env, self.clock, self.scenario = env, clock, scenario
        self.metrics = Metrics()
        self.lifecycles = Lifecycles(clock)
        self.book = SequenceBook()
        self.orders: list[StoreOrder] = []          # a list, so a duplicate import would show, not hide
        self.orders_by_status: Counter[str] = Counter()   # kept as orders move, so sampling needs no pass
        self.by_external: dict[tuple[str, str], StoreOrder] = {}
        self.by_id: dict[str, StoreOrder] = {}
        self.flex_dirty: set[str] = set()
        self.mfn_dirty: set[str] = set()
        self.push: dict = {}
        self.fba_pool: dict[str, int] = {}
        self.webstore_inbox = simpy.Store(env)   # new webstore orders, for the integration to send to FBA
        self.cancellations: list[StoreOrder] = []   # orders whose customer asked the shop to cancel, not yet settled
        self.order_lookback = timedelta(hours=1)   # how far before its start the first order poll looks
        chosen = scenario["marketplaces"]
        self.marketplace = marketplaces.known(chosen["amazon"])               # orders on Amazon, MCF
        self.flex_marketplace = marketplaces.known(chosen["seller_flex"])     # the seller-flex site's orders

    @property
    def location(self) -> str:
        return self.scenario["catalog"]["location"]

    def now(self) -> datetime:
        return self.clock.now()

    # the store orders: every status change through the store_order machine
    def add_order(self, source: str, external_id: str, lines: list[tuple[str, int]], promised: float) -> StoreOrder:
        order = StoreOrder(id=f"{source[:2].upper()}-{len(self.orders) + 1:07d}", source=source,
                           external_id=external_id, lines=lines, created=self.env.now, promised=promised)
        self.lifecycles.store_order.restore(order)
        self.orders_by_status[order.status] += 1
        self.orders.append(order)
        self.by_external[(source, external_id)] = order
        self.by_id[order.id] = order
        return order

    def fire(self, order: StoreOrder, trigger: str) -> None:
        before = order.status
        self.lifecycles.store_order.fire(order, trigger)
        self.orders_by_status[before] -= 1
        self.orders_by_status[order.status] += 1

    def can_fire(self, order: StoreOrder, trigger: str) -> bool:
        return self.lifecycles.store_order.can_fire(order, trigger)

    def request_cancellation(self, order: StoreOrder) -> None:
        """The customer asks the shop to cancel `order`; the integration passes it on (webstore_cancellations)."""
        order.cancel_requested = self.env.now
        self.cancellations.append(order)

    def perform(self, workflow: Workflow[R]) -> Steps[R]:
        """Run a workflow through the reliable session on the transport (a SimPy process body)."""
        return self.transport.run(reliable(workflow, self.session))


class World(IntegrationState):
    """Everything a scenario runs on one SimPy environment: Amazon's mock, the seller's own systems (store orders,
    warehouse), and the reference integration's state.

    `run_sim.py` builds it on a virtual clock that follows the environment from `START`. The live world
    (simulator/live.py) passes its own environment and marketplace clock, the server's base URL, and a wire clock
    on real time."""

    def __init__(self, scenario: dict, env: simpy.Environment | None = None, clock: Clock | None = None,
                 base_url: str = "http://mock.sim", wire_clock: Clock | None = None, journal_bodies: bool = False,
                 journal_limit: int | None = None, write_behind: bool = False):
        self.scenario = scenario
        run = scenario["run"]
        self.seed = run["seed"]
        self.rng = random.Random(self.seed)
        self.env = env or simpy.Environment()
        if clock is None:
            clock = VirtualClock(START)
            clock.follow(self.env)
        self.clock = clock
        self.start = to_datetime(clock.seconds() - self.env.now)   # the instant env.now counts from
        self.amazon = amazon_for(scenario, self.clock, base_url, wire_clock, journal_bodies, journal_limit,
                                 write_behind)
        super().__init__(self.env, self.clock, scenario)
        self.fake = seeded_faker("en_US", self.seed)
        self.webstore_customers = Crowd(self.fake, _webstore_address)
        latency = scenario["latency"]
        self.transport = Transport(self.env, InProcess(self.amazon),
                                   Latency(latency["mean_ms"], latency["distribution"], latency["sigma"],
                                           random.Random(self.seed + 1)), self.metrics)
        taking_part = [self.marketplace.id] + ([self.flex_marketplace.id]
                                               if scenario["catalog"]["seller_flex_share"] > 0 else [])
        seller = self.amazon.create_seller(taking_part)
        self.seller = seller
        self.session = reference_session(seller.client_id, seller.client_secret, seller.refresh_token, scenario,
                                         self.clock, random.Random(self.seed + 2))
        self.warehouse = Warehouse(self.clock)
        self.skus: dict[str, list[str]] = {"fba": [], "mfn": [], "seller_flex": []}
        self.dimensions: dict[str, dict] = {}
        self.customer_orders: dict[str, int] = {}
        self.end_of_orders = scenario["run"]["days"] * 86_400
        self.stock()

    def stock(self) -> None:
        """The catalog: FBA SKUs stocked at Amazon, merchant SKUs in the warehouse (and listed at Amazon with the
        same quantity), seller-flex SKUs mapped with their dimensions at the site (pushed by the integration)."""
        catalog, rng, amazon = self.scenario["catalog"], self.rng, self.amazon
        seller = self.seller.seller_id
        ledger = amazon.ledger(seller)
        shares = (catalog["fba_share"], catalog["mfn_share"], catalog["seller_flex_share"])
        with amazon.lock, amazon.store.transaction():
            if catalog["seller_flex_share"] > 0:
                amazon.external_fulfillment.add_location(seller, self.location, "Seller-flex site",
                                                         self.flex_marketplace.id)
            for index in range(catalog["skus"]):
                pool = rng.choices(("fba", "mfn", "seller_flex"), shares)[0]
                sku = f"{pool[:3].upper()}-{index + 1:05d}"
                stock = rng.randint(catalog["stock_min"], catalog["stock_max"])
                title = f"Product {index + 1}"
                if pool == "fba":
                    amazon.listings.add(seller, sku, title, "AFN", round(rng.uniform(5, 80), 2))
                    ledger.set_quantity(sku, rng.choice(("PHX7", "ONT8", "BFI4")), stock, channel="AFN")
                elif pool == "mfn":
                    amazon.listings.add(seller, sku, title, "MFN", round(rng.uniform(5, 80), 2))
                    ledger.set_quantity(sku, "DEFAULT", stock)
                    self.warehouse.stock[sku] = stock
                else:
                    size = {"length": round(rng.uniform(5, 50), 1), "width": round(rng.uniform(5, 40), 1),
                            "height": round(rng.uniform(2, 30), 1), "weight": round(rng.uniform(0.1, 5), 2)}
                    amazon.external_fulfillment.map_listing(seller, sku, f"EAN{index:010d}", dimensions=size,
                                                            title=title)
                    self.dimensions[sku] = size
                    self.warehouse.stock[sku] = stock
                    if not self.scenario["push"]["initial_full_push"]:
                        ledger.set_quantity(sku, self.location, stock, sequence=self.book.take(sku, self.location))
                self.skus[pool].append(sku)
        self.flex_set = set(self.skus["seller_flex"])
