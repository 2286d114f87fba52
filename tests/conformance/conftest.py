import pytest
from sp_api.auth import access_token_client

from tests.support import Server


@pytest.fixture(scope="module")
def server():
    """`python -m mock_amazon` on a free loopback port, empty; each test makes its own seller."""
    running = Server("--empty", "--sellers", "0")
    yield running
    running.stop()


@pytest.fixture
def seller(server):
    # python-amazon-sp-api caches access tokens per refresh token for 3200 real seconds; every module's server
    # makes the same seeded credentials, so a cached token may belong to another server.
    access_token_client.cache.clear()
    status, seller = server.control("POST", "/sellers")
    assert status == 201
    status, seeded = server.control("POST", "/seed", {"seller_id": seller["seller_id"], "skus": 30, "orders": 25,
                                                      "seed": 4})
    assert status == 200
    seller["seeded"] = seeded
    yield seller
    server.control("PUT", "/rate-limits", {})
