import pytest

from tests.support import Server


@pytest.fixture(scope="module")
def server():
    """`python -m mock_amazon` on a free loopback port, empty; each test makes its own seller."""
    running = Server("--empty", "--sellers", "0")
    yield running
    running.stop()


@pytest.fixture
def seller(server):
    status, seller = server.control("POST", "/sellers")
    assert status == 201
    status, seeded = server.control("POST", "/seed", {"seller_id": seller["seller_id"], "skus": 30, "orders": 25,
                                                      "seed": 4})
    assert status == 200
    seller["seeded"] = seeded
    yield seller
    server.control("PUT", "/rate-limits", {})
