"""Shared Gherkin steps: a seller on the mock (set up through the control API), the integration's session, and a
driver that runs workflows on the shared clock.

By default each scenario gets an in-process mock on a virtual clock. With `--mock-url URL` (or $SP_API_MOCK_URL)
the same scenarios run against a running `python -m mock_amazon`: workflows go over HTTP, set-up and clock moves
go through its control API, and the integration reads the mock's clock. Steps that reach into the in-process
mock's internals (`bdd.amazon`) skip in that mode; the seed 000 and 001 features use none.
"""
import random
import re
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then, when

from mock_amazon import MockAmazon
from mock_amazon.client import Control, InProcess, OverHttp, RemoteClock, live_target
from model.clock import VirtualClock
from model.workflows import driver, orders
from model.workflows.protocol import Request
from model.workflows.session import Session, reliable


def pytest_configure(config):
    """Scenario tags (flow IDs, seeds) become pytest marks: declare them, so `pytest -m F002-3` works."""
    features = Path(__file__).resolve().parents[2] / "features"
    tags = {tag for path in features.glob("*.feature") for tag in re.findall(r"@([\w-]+)", path.read_text())}
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{tag}: a documented flow or seed (see ../shared/FLOWS.md)")


class ScenarioContext:
    """What a scenario works with: Amazon's mock (its control API, its clock), the integration's session and
    a `run` that drives a workflow to its end."""

    def __init__(self, base_url: str | None):
        self.live = base_url is not None
        if self.live:
            self.control = Control(base_url=base_url)
            self.send = OverHttp(base_url)
            self.clock = RemoteClock(self.control)
        else:
            self._amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", seed=3)
            self.control = Control(self._amazon)
            self.send = InProcess(self._amazon)
            self.clock = self._amazon.clock
        self.results, self.error, self.session = {}, None, None

    @property
    def amazon(self) -> MockAmazon:
        """The in-process mock itself, for steps that read its internals."""
        if self.live:
            pytest.skip("this step reads the in-process mock's internals; it runs without --mock-url only")
        return self._amazon

    def advance(self, seconds: float) -> None:
        """Time passes: through the control API, so Amazon does what it had scheduled (in both modes)."""
        RemoteClock(self.control).advance(seconds)

    def settings(self) -> dict:
        return self.control.put("/_testbed/settings", json={}).json

    def run(self, workflow, session: Session | None = None):
        return driver.run(reliable(workflow, session or self.session), self.send, self.advance)

    def call(self, operation: str, session: Session | None = None, **request):
        """One SP-API call as the integration's session: what Amazon holds, asked the way a client asks."""
        def one_call():
            return (yield Request(operation, **request))
        return self.run(one_call(), session)

    def run_plain(self, workflow):
        """A workflow that needs no access token (connecting a store)."""
        return driver.run(workflow, self.send, self.advance)

    def session_for(self, credentials: dict, rng_seed: int = 5) -> Session:
        return Session(credentials["client_id"], credentials["client_secret"], credentials["refresh_token"],
                       self.clock, rng=random.Random(rng_seed))


@pytest.fixture
def bdd(request):
    context = ScenarioContext(live_target(request.config.getoption("--mock-url")))
    if context.live:  # a live mock keeps faults, limits and settings between scenarios: start from clean
        assert context.control.post("/_testbed/reset").status_code == 200
    return context


@given("a seller connected with a refresh token")
def connected_seller(bdd):
    seller = bdd.control.post("/_testbed/sellers").json
    bdd.seller = type("Seller", (), seller)
    bdd.session = bdd.session_for(seller)


@given("the seller's catalog has FBA and merchant-fulfilled listings")
def catalog(bdd):
    seeded = bdd.control.post("/_testbed/seed", json={"seller_id": bdd.seller.seller_id, "skus": 12, "orders": 0,
                                                      "seed": 11}).json
    bdd.fba_skus = seeded["fba_skus"]
    bdd.mfn_skus = [sku for sku in seeded["skus"] if sku not in seeded["fba_skus"]]
    bdd.skus = seeded["skus"]


@when(parsers.parse("{seconds:d} seconds pass and the integration reads orders again"))
def time_passes_and_read(bdd, seconds):
    bdd.advance(seconds)
    read_orders(bdd)


@when("the integration reads orders")
def read_orders(bdd):
    bdd.run(orders.ready_to_ship(bdd.clock.now()))


@then(parsers.re(r"it has asked Login with Amazon for (?P<count>\d+) access tokens?"))
def token_count(bdd, count):
    assert bdd.session.renewals == int(count)


@then(parsers.parse('Amazon holds the order as Shipped with tracking number "{tracking}"'))
def amazon_shipped(bdd, tracking):
    """Asked the way a client asks: the 2026-01-01 getOrder with its packages."""
    answer = bdd.call("orders_2026-01-01.getOrder", path={"orderId": bdd.order_id},
                      query={"includedData": ["PACKAGES"]})
    order = answer.body["order"]
    assert order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert [p["trackingNumber"] for p in order["packages"]] == [tracking]
