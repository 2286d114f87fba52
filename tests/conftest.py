import pytest

from mock_amazon import MockAmazon, create_app
from tests.support import Caller, flask_sender, seeded_amazon


@pytest.fixture
def amazon() -> MockAmazon:
    """An in-process mock on a virtual clock, with one seeded seller."""
    return seeded_amazon()


@pytest.fixture
def app(amazon):
    return create_app(amazon)


@pytest.fixture
def http(app):
    return app.test_client()


def login(http, seller) -> str:
    response = http.post("/auth/o2/token", data={"grant_type": "refresh_token", "client_id": seller.client_id,
                                                 "client_secret": seller.client_secret,
                                                 "refresh_token": seller.refresh_token})
    assert response.status_code == 200, response.json
    return response.json["access_token"]


@pytest.fixture
def sp(http, amazon):
    """Calls SP-API operations as the seeded seller; every answer is checked against Amazon's model."""
    return Caller(flask_sender(http), login(http, amazon.seller), renew=lambda: login(http, amazon.seller))


def pytest_addoption(parser):
    parser.addoption("--mock-url", default=None,
                     help="run the Gherkin scenarios against a running `python -m mock_amazon` at this base URL "
                          "(default: $SP_API_MOCK_URL; unset: an in-process mock per scenario)")
    parser.addoption("--connector-cmd", default=None,
                     help="the connector under test, for the judged features (features/judge_*.feature): a live "
                          "conformance world is started and this command runs in it (default: the reference "
                          "connector; with --mock-url, the connector already talking to that mock is judged)")
