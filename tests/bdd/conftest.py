"""Shared Gherkin steps: a seller on the mock (set up through the control API), the integration's session, and a
driver that runs workflows in-process on the shared virtual clock."""
import random
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from pytest_bdd import given, parsers, then, when

from mock_amazon import MockAmazon, create_app
from mock_amazon.client import InProcess
from model.clock import VirtualClock
from model.workflows import driver
from model.workflows.session import Session, reliable


def pytest_configure(config):
    """Scenario tags (flow IDs, seeds) become pytest marks: declare them, so `pytest -m F002-3` works."""
    features = Path(__file__).resolve().parents[2] / "features"
    tags = {tag for path in features.glob("*.feature") for tag in re.findall(r"@([\w-]+)", path.read_text())}
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{tag}: a documented flow or seed (see ../shared/FLOWS.md)")


@pytest.fixture
def bdd():
    """What a scenario works with: Amazon's mock, its control API, and the integration's session."""
    amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", seed=3)
    control = create_app(amazon).test_client()
    context = SimpleNamespace(amazon=amazon, control=control, results={}, error=None)

    def run(workflow):
        return driver.run(reliable(workflow, context.session), InProcess(amazon), amazon.advance)

    context.run = run
    return context


@given("a seller connected with a refresh token")
def connected_seller(bdd):
    seller = bdd.control.post("/_testbed/sellers").json
    bdd.seller = SimpleNamespace(**seller)
    bdd.session = Session(seller["client_id"], seller["client_secret"], seller["refresh_token"], bdd.amazon.clock,
                          rng=random.Random(5))


@given("the seller's catalog has FBA and merchant-fulfilled listings")
def catalog(bdd):
    seeded = bdd.control.post("/_testbed/seed", json={"seller_id": bdd.seller.seller_id, "skus": 12, "orders": 0,
                                                      "seed": 11}).json
    bdd.fba_skus = seeded["fba_skus"]
    bdd.mfn_skus = [sku for sku in seeded["skus"] if sku not in seeded["fba_skus"]]
    bdd.skus = seeded["skus"]


@when(parsers.parse("{seconds:d} seconds pass and the integration reads orders again"))
def time_passes_and_read(bdd, seconds):
    bdd.control.post("/_testbed/clock/advance", json={"seconds": seconds})
    read_orders(bdd)


@when("the integration reads orders")
def read_orders(bdd):
    from model.workflows import orders
    bdd.run(orders.ready_to_ship(bdd.amazon.clock.now()))


@then(parsers.re(r"it has asked Login with Amazon for (?P<count>\d+) access tokens?"))
def token_count(bdd, count):
    assert bdd.session.renewals == int(count)
