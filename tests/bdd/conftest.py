"""The fixtures every feature stands on, and the steps several features share.

Fixtures: `marketplace` (Amazon's mock as the scenario sees it: an in-process mock on a virtual clock, or with
`--mock-url URL` (or $SP_API_MOCK_URL) a running `python -m mock_amazon`, reset first), `amazon` (the in-process
mock itself, for steps that read its internals: they skip against a live mock; the seed 000, 001 and 004
features use none), `seller` (a new seller, made through the control API), `catalog` (its seeded listings,
`catalog_size` of them) and `session` (the integration's session for the seller). A feature's own state is
made by its steps (`target_fixture`) and taken by later steps as arguments.
"""
import re
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then, when

from mock_amazon import MockAmazon
from mock_amazon.client import live_target
from model.workflows import orders
from model.workflows.session import Session
from tests.bdd.marketplace import Catalog, Marketplace, Seller


def pytest_configure(config: pytest.Config) -> None:
    """Scenario tags (flow IDs, seeds) become pytest marks: declare them, so `pytest -m F002-3` works."""
    features = Path(__file__).resolve().parents[2] / "features"
    tags = {tag for path in features.glob("*.feature") for tag in re.findall(r"@([\w-]+)", path.read_text())}
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{tag}: a documented flow or seed (see ../shared/FLOWS.md)")


@pytest.fixture
def marketplace(request: pytest.FixtureRequest) -> Marketplace:
    return Marketplace(live_target(request.config.getoption("--mock-url")))


@pytest.fixture
def amazon(marketplace: Marketplace) -> MockAmazon:
    """The in-process mock itself, for steps that read its internals."""
    if marketplace.in_process is None:
        pytest.skip("this step reads the in-process mock's internals; it runs without --mock-url only")
    return marketplace.in_process


@pytest.fixture
def seller(marketplace: Marketplace) -> Seller:
    return marketplace.new_seller()


@pytest.fixture
def catalog_size() -> int:
    """How many listings `catalog` seeds (a feature may override it)."""
    return 12


@pytest.fixture
def catalog(marketplace: Marketplace, seller: Seller, catalog_size: int) -> Catalog:
    return marketplace.seed(seller, skus=catalog_size)


@pytest.fixture
def session(marketplace: Marketplace, seller: Seller) -> Session:
    """The integration's session: the seller's refresh token, access tokens as it needs them."""
    return marketplace.session_for(seller.client_id, seller.client_secret, seller.refresh_token)


@given("a seller connected with a refresh token")
def connected_seller(seller: Seller) -> None:
    """The `seller` fixture is made here, so the scenario starts with it."""


@given("the seller's catalog has FBA and merchant-fulfilled listings")
def seeded_catalog(catalog: Catalog) -> None:
    """The `catalog` fixture is seeded here."""


@when(parsers.parse("{seconds:d} seconds pass and the integration reads orders again"))
def time_passes_and_read(marketplace: Marketplace, session: Session, seconds: int) -> None:
    marketplace.advance(seconds)
    read_orders(marketplace, session)


@when("the integration reads orders")
def read_orders(marketplace: Marketplace, session: Session) -> None:
    marketplace.run(orders.ready_to_ship(marketplace.clock.now()), session)


@then(parsers.re(r"it has asked Login with Amazon for (?P<count>\d+) access tokens?"))
def token_count(session: Session, count: str) -> None:
    assert session.renewals == int(count)


@then(parsers.parse('Amazon holds the order as Shipped with tracking number "{tracking}"'))
def amazon_shipped(marketplace: Marketplace, session: Session, order_id: str, tracking: str) -> None:
    """Asked the way a client asks: the 2026-01-01 getOrder with its packages."""
    answer = marketplace.call("orders_2026-01-01.getOrder", session, path={"orderId": order_id},
                              query={"includedData": ["PACKAGES"]})
    order = answer.body["order"]
    assert order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert [p["trackingNumber"] for p in order["packages"]] == [tracking]
