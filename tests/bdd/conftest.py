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
from tests.bdd.html_report import (  # noqa: F401  (pytest-html's hooks: features, scenarios and steps in the report)
    pytest_html_results_table_header,
    pytest_html_results_table_row,
    pytest_runtest_makereport,
)
from tests.bdd.marketplace import AmazonOrder, Catalog, Marketplace, Seller
from tests.bdd.steps.amazon import *  # noqa: F403  (the shared steps, registered for every feature)

CLIENT_TAG = f"client-{LIBRARY}"
#: Against a live mock a scenario may be skipped only for a stated reason, and no more than this many.
MAX_LIVE_SKIPS = 3
_live_skips: list[tuple[str, str]] = []


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


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "/bdd/test_" in report.nodeid.replace("\\", "/"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _live_skips.append((report.nodeid, reason))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Live, more than MAX_LIVE_SKIPS skipped scenarios fail the run, each named with its reason."""
    if live_target(session.config.getoption("--mock-url")) is not None and len(_live_skips) > MAX_LIVE_SKIPS:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"{len(_live_skips)} scenarios skipped against the live mock; at most "
                                f"{MAX_LIVE_SKIPS} may be:", red=True)
            for nodeid, reason in _live_skips:
                reporter.write_line(f"  {nodeid}: {reason}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
