"""The control token: with one set, every /_testbed/ route needs it (a header, or the session cookie it buys);
Amazon's API, Login with Amazon and document URLs never do."""
import pytest

from mock_amazon import create_app
from mock_amazon.client import Control
from tests.support import seeded_amazon

TOKEN = "t0k3n-for-the-testbed"
ROUTES = [("GET", "/_testbed/clock"), ("GET", "/_testbed/sellers"), ("POST", "/_testbed/reset"),
          ("GET", "/_testbed/traffic"), ("PUT", "/_testbed/faults"), ("GET", "/_testbed/no-such-route")]


@pytest.fixture
def guarded():
    amazon = seeded_amazon(control_token=TOKEN)
    return amazon, create_app(amazon).test_client()


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_testbed_route_needs_the_token(guarded, method, path):
    _, http = guarded
    for headers in ({}, {"x-testbed-token": "wrong"}, {"x-testbed-token": TOKEN + "x"}):
        response = http.open(path, method=method, headers=headers, json={})
        assert response.status_code == 401 and response.json["errors"][0]["code"] == "Unauthorized"
    response = http.open(path, method=method, headers={"x-testbed-token": TOKEN}, json={})
    assert response.status_code != 401


def test_a_browser_exchanges_the_token_once_for_an_http_only_cookie(guarded):
    _, http = guarded
    assert http.post("/_testbed/session").status_code == 401
    opened = http.post("/_testbed/session", headers={"x-testbed-token": TOKEN})
    assert opened.status_code == 200
    cookie = opened.headers["Set-Cookie"]
    assert "testbed_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert TOKEN not in cookie
    assert http.get("/_testbed/clock").status_code == 200, "the cookie stands for the token"
    http.delete_cookie("testbed_session", path="/_testbed")
    assert http.get("/_testbed/clock").status_code == 401


def test_amazons_doors_need_no_control_token(guarded):
    amazon, http = guarded
    seller = amazon.seller
    token = http.post("/auth/o2/token", data={"grant_type": "refresh_token", "client_id": seller.client_id,
                                              "client_secret": seller.client_secret,
                                              "refresh_token": seller.refresh_token}).json["access_token"]
    orders = http.get("/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2025-12-01T00:00:00Z",
                      headers={"x-amz-access-token": token})
    assert orders.status_code == 200
    assert http.get("/_documents/nothing").status_code == 404


def test_the_control_client_sends_the_token(guarded, monkeypatch):
    amazon, _ = guarded
    assert Control(amazon=amazon).get("/_testbed/clock").status_code == 401
    assert Control(amazon=amazon, token=TOKEN).get("/_testbed/clock").status_code == 200
    monkeypatch.setenv("MOCK_AMAZON_CONTROL_TOKEN", TOKEN)
    assert Control(amazon=amazon).get("/_testbed/clock").status_code == 200, "from the environment by default"


def test_without_a_token_the_control_api_is_open(http):
    assert http.get("/_testbed/clock").status_code == 200
    assert http.post("/_testbed/session").json == {"session": False}
