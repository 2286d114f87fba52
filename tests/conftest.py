import logging
import os

import pytest

from mock_amazon import MockAmazon, create_app
from mock_amazon.core import CHECK_ANSWERS_ENV
from mock_amazon.pipeline import ANSWER_BREAKS_MODEL
from tests.support import Caller, flask_sender, seeded_amazon


def pytest_configure(config):
    """Every mock the suite makes, in this process or as a server it starts, checks every answer it gives against
    Amazon's model (MockAmazon.check_answers): an answer that breaks it is logged and becomes a 500."""
    os.environ[CHECK_ANSWERS_ENV] = "1"


@pytest.fixture(autouse=True)
def every_answer_meets_its_model(caplog):
    """No test passes if an in-process mock gave an answer its model does not allow, even one the test ignored
    (servers in other processes: tests.support.Server.stop checks their log)."""
    caplog.set_level(logging.ERROR, logger="mock_amazon")
    yield
    broken = [record.getMessage() for record in caplog.records
              if record.name == "mock_amazon" and ANSWER_BREAKS_MODEL in record.getMessage()]
    assert not broken, broken


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
