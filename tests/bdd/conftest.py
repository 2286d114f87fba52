"""The fixtures every feature stands on, and the shared step library (tests/bdd/steps/amazon.py) registered for
all of them.

Fixtures: `marketplace` (Amazon's mock as the scenario sees it: an in-process mock on a virtual clock, or with
`--mock-url URL` (or $SP_API_MOCK_URL) a running `python -m mock_amazon`, reset and its clock paused first),
`seller` (a new seller, made through the control API), `catalog` (its seeded listings, `catalog_size` of them),
`session` (the integration's session for the seller) and `amazon_orders` (the orders buyers placed). A feature's
own state is made by its steps (`target_fixture`) and taken by later steps as arguments.

A scenario tagged `@client-python-amazon-sp-api` sends the integration's calls through python-amazon-sp-api when it
runs against a live mock (tests/bdd/clients.py); in-process there is no HTTP for a client library to speak.
"""
import re
from pathlib import Path

import pytest

from mock_amazon.client import live_target
from model.workflows.session import Session
from tests.bdd.clients import LIBRARY, PythonAmazonSpApi
from tests.bdd.marketplace import AmazonOrder, Catalog, Marketplace, Seller
from tests.bdd.steps.amazon import *  # noqa: F403  (the shared steps, registered for every feature)

CLIENT_TAG = f"client-{LIBRARY}"


def pytest_configure(config: pytest.Config) -> None:
    """Scenario tags (flow IDs, seeds) become pytest marks: declare them, so `pytest -m F002-3` works."""
    features = Path(__file__).resolve().parents[2] / "features"
    tags = {tag for path in features.glob("*.feature") for tag in re.findall(r"@([\w-]+)", path.read_text())}
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{tag}: a documented flow or seed (see ../shared/FLOWS.md)")


@pytest.fixture
def marketplace(request: pytest.FixtureRequest) -> Marketplace:
    market = Marketplace(live_target(request.config.getoption("--mock-url")))
    if market.live and request.node.get_closest_marker(CLIENT_TAG) is not None:
        assert market.base_url is not None
        market.send = PythonAmazonSpApi(market.base_url)
    return market


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


@pytest.fixture
def amazon_orders() -> list[AmazonOrder]:
    """The orders buyers placed on Amazon in the scenario, in order."""
    return []


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: object, scenario: object) -> None:
    """A scenario meant to run through a client library must have made its calls through it."""
    if "marketplace" not in request.fixturenames:
        return
    send = request.getfixturevalue("marketplace").send
    if isinstance(send, PythonAmazonSpApi):
        api_calls = [c for c in send.calls if not c.startswith(("lwa.", "document."))]
        assert api_calls, f"the scenario made no SP-API call through {LIBRARY}"
