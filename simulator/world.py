"""Builds the simulated world from a scenario: one SimPy environment, the shared clock following it, Amazon's
mock in-process, the integration (its session, warehouse and store orders), and the actors that drive them."""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

import simpy
from faker import Faker

from mock_amazon import MockAmazon
from mock_amazon.client import InProcess
from mock_amazon.crowd import Crowd
from model.clock import VirtualClock
from model.lifecycles import Lifecycles
from model.workflows.pacing import Pacer
from model.workflows.seller_flex import SequenceBook
from model.workflows.session import Session, reliable
from simulator.metrics import Metrics
from simulator.scenario import ScenarioError
from simulator.transport import Latency, Transport

START = datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc)   # a Monday


@dataclass(eq=False)
class StoreOrder:
    """An order on the integration's side; its status belongs to the store_order machine."""
    id: str
    source: str                 # amazon, webstore, seller_flex
    external_id: str
    lines: list[tuple[str, int]]
    created: float
    promised: float             # when it must have shipped
    shipped_at: float | None = None
    tracking: list[str] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    address: dict | None = None   # webstore orders: where FBA ships them
    method: str = "Standard"      # webstore orders: the shipping method, mapped to Amazon's


def _webstore_address(fake: Faker) -> dict:
    return {"name": fake.name(), "addressLine1": fake.street_address(), "city": fake.city(),
            "stateOrRegion": fake.state_abbr(include_territories=False), "postalCode": fake.postcode(),
            "countryCode": "US", "phone": fake.numerify("###-###-####")}


@dataclass
class Warehouse:
    """The merchant's own stock (MFN and seller-flex SKUs): on hand, and promised to open orders."""
    on_hand: dict[str, int] = field(default_factory=dict)
    allocated: dict[str, int] = field(default_factory=dict)

    def free(self, sku: str) -> int:
        return self.on_hand.get(sku, 0) - self.allocated.get(sku, 0)

    def allocate(self, sku: str, units: int) -> bool:
        if self.free(sku) < units:
            return False
        self.allocated[sku] = self.allocated.get(sku, 0) + units
        return True

    def release(self, sku: str, units: int) -> None:
        self.allocated[sku] -= units

    def ship(self, sku: str, units: int) -> None:
        self.allocated[sku] -= units
        self.on_hand[sku] -= units


class World:
    def __init__(self, scenario: dict):
        self.scenario = scenario
        run = scenario["run"]
        self.seed = run["seed"]
        self.rng = random.Random(self.seed)
        self.env = simpy.Environment()
        self.clock = VirtualClock(START)
        self.clock.follow(self.env)
        try:
            self.amazon = MockAmazon(clock=self.clock, base_url="http://mock.sim", seed=self.seed,
                                     limits=scenario["limits"], faults=scenario["faults"],
                                     journal_bodies=False)  # a journal row per call, without bodies: fast
            self.amazon.update_settings(scenario["amazon"])
            self.amazon.notifications.configure_faults(scenario["notification_faults"])
        except ValueError as error:  # the mock checks its own settings, limits and faults
            raise ScenarioError(f"scenario: {error}") from None
        self.metrics = Metrics()
        self.fake = Faker("en_US")
        self.fake.seed_instance(self.seed)
        self.webstore_customers = Crowd(self.fake, _webstore_address)
        latency = scenario["latency"]
        self.transport = Transport(self.env, InProcess(self.amazon),
                                   Latency(latency["mean_ms"], latency["distribution"], latency["sigma"],
                                           random.Random(self.seed + 1)), self.metrics)
        seller = self.amazon.create_seller()
        self.seller = seller
        integration = scenario["integration"]
        self.session = Session(seller.client_id, seller.client_secret, seller.refresh_token, self.clock,
                               rng=random.Random(self.seed + 2), pacers={
                                   "batchInventory": Pacer(integration["flex_push_rate"], 1, self.clock.seconds()),
                                   "patchListingsItem": Pacer(4.5, 1, self.clock.seconds())})
        self.lifecycles = Lifecycles(self.clock)
        self.warehouse = Warehouse()
        self.book = SequenceBook()
        self.orders: list[StoreOrder] = []          # a list, so a duplicate import would show, not hide
        self.orders_by_status: Counter[str] = Counter()   # kept as orders move, so sampling needs no pass
        self.by_external: dict[tuple[str, str], StoreOrder] = {}
        self.by_id: dict[str, StoreOrder] = {}
        self.skus: dict[str, list[str]] = {"fba": [], "mfn": [], "seller_flex": []}
        self.dimensions: dict[str, dict] = {}
        self.flex_dirty: set[str] = set()
        self.mfn_dirty: set[str] = set()
        self.customer_orders: dict[str, int] = {}
        self.end_of_orders = scenario["run"]["days"] * 86_400
        self.push: dict = {}
        self.fba_pool: dict[str, int] = {}
        self.stock()
        self.webstore_inbox = simpy.Store(self.env)   # new webstore orders, for the integration to send to FBA

    def stock(self) -> None:
        """The catalog: FBA SKUs stocked at Amazon, merchant SKUs in the warehouse (and listed at Amazon with the
        same quantity), seller-flex SKUs mapped with their dimensions at the site (pushed by the integration)."""
        catalog, rng, amazon = self.scenario["catalog"], self.rng, self.amazon
        seller = self.seller.seller_id
        ledger = amazon.ledger(seller)
        shares = (catalog["fba_share"], catalog["mfn_share"], catalog["seller_flex_share"])
        with amazon.lock, amazon.store.transaction():
            if catalog["seller_flex_share"] > 0:
                amazon.external_fulfillment.add_location(seller, self.location, "Seller-flex site")
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
                    self.warehouse.on_hand[sku] = stock
                else:
                    size = {"length": round(rng.uniform(5, 50), 1), "width": round(rng.uniform(5, 40), 1),
                            "height": round(rng.uniform(2, 30), 1), "weight": round(rng.uniform(0.1, 5), 2)}
                    amazon.external_fulfillment.map_listing(seller, sku, f"EAN{index:010d}", dimensions=size,
                                                            title=title)
                    self.dimensions[sku] = size
                    self.warehouse.on_hand[sku] = stock
                    if not self.scenario["push"]["initial_full_push"]:
                        ledger.set_quantity(sku, self.location, stock, sequence=self.book.take(sku, self.location))
                self.skus[pool].append(sku)
        self.flex_set = set(self.skus["seller_flex"])

    @property
    def location(self) -> str:
        return self.scenario["catalog"]["location"]

    def now(self) -> datetime:
        return self.clock.now()

    # the integration's store orders: every status change through the store_order machine
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

    def perform(self, workflow):
        """Run a workflow through the reliable session on the simulated transport (a SimPy process body)."""
        return self.transport.run(reliable(workflow, self.session))
