"""The live driver: a workflow driven over real HTTP against `python -m mock_amazon`, credentials from the
environment, time moved through the mock's control API."""
import pytest

from mock_amazon.client import live_driver
from model.workflows import driver, orders, reports
from model.workflows.session import reliable

pytestmark = pytest.mark.conformance


def test_a_report_workflow_runs_live_with_credentials_from_the_environment(server, seller, monkeypatch):
    monkeypatch.setenv("SP_API_MOCK_URL", server.base_url)
    monkeypatch.setenv("LWA_APP_ID", seller["client_id"])
    monkeypatch.setenv("LWA_CLIENT_SECRET", seller["client_secret"])
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", seller["refresh_token"])
    send, wait, session = live_driver()
    started = session.clock.seconds()
    raw, rows = driver.run(reliable(reports.fetch_report("GET_AFN_INVENTORY_DATA", poll_seconds=60), session),
                           send, wait)
    assert raw.startswith(b"seller-sku\t") and {row["seller-sku"] for row in rows} <= set(seller["seeded"]["skus"])
    assert session.clock.seconds() - started >= 120   # the report's processing time passed on the mock's clock
    found = driver.run(reliable(orders.list_orders(session.clock.now().replace(year=2020)), session), send, wait)
    assert sorted(o["AmazonOrderId"] for o in found) == sorted(seller["seeded"]["orders"])


def test_the_live_driver_says_what_is_missing(monkeypatch):
    monkeypatch.delenv("SP_API_MOCK_URL", raising=False)
    with pytest.raises(ValueError, match="SP_API_MOCK_URL"):
        live_driver()
    monkeypatch.setenv("LWA_APP_ID", "amzn1.application-oa2-client.x")
    monkeypatch.delenv("LWA_CLIENT_SECRET", raising=False)
    monkeypatch.delenv("SP_API_REFRESH_TOKEN", raising=False)
    with pytest.raises(ValueError, match="LWA_CLIENT_SECRET, SP_API_REFRESH_TOKEN"):
        live_driver("http://127.0.0.1:9")
