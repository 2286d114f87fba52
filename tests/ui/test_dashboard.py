"""The dashboard in a real browser: Playwright drives Debian's Chromium (Playwright's own browser download is not
used) against a real `python -m mock_amazon` with a control token, and clicks through what a tester does: open the
page with the token, place an order and see the count move, jump a day and see it ship, switch a fault on and see
a 5xx in the traffic tail, restore a snapshot; and, in a live world, order on the webstore for MCF. Screenshots go
to out/ui/.

Real processes in real time (about 15 seconds), so marked `live`. Chromium is found at $CHROMIUM or
/usr/bin/chromium (`.ci/run` installs it with apt-get); when it is missing these tests fail and say so, unless
SKIP_BROWSER_TESTS=1 asks to leave them out.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import Server

if os.environ.get("SKIP_BROWSER_TESTS") == "1":
    pytest.skip("SKIP_BROWSER_TESTS=1: the dashboard's browser tests are left out", allow_module_level=True)
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.live, pytest.mark.browser]
TOKEN = "dashboard-test-token"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "out" / "ui"
MARKETPLACE = "ATVPDKIKX0DER"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does), "
                    f"set CHROMIUM to its path, or set SKIP_BROWSER_TESTS=1 to leave these tests out")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    server = Server("--sellers", "1", control_token=TOKEN)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def page(browser: Browser, server: Server) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(server.base_url + "/_testbed/ui")
    yield page
    page.close()
    assert not problems, problems


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def seller_id(server: Server) -> str:
    seller: str = server.info["sellers"][0]["seller_id"]
    return seller


def sku_of(server: Server, channel: str) -> str:
    status, body = server.control("GET", f"/records/listing?seller_id={seller_id(server)}")
    assert status == 200
    return next(listing["id"] for listing in body["records"] if listing["channel"] == channel)


def count(page: Page, kind: str, state: str) -> int:
    return int(page.locator(f'.count-box[data-kind="{kind}"] tr[data-status="{state}"] td.number').inner_text())


def count_cell(page: Page, kind: str, state: str) -> Locator:
    return page.locator(f'.count-box[data-kind="{kind}"] tr[data-status="{state}"] td.number')


def test_the_page_asks_for_the_control_token(page: Page) -> None:
    expect(page.locator("#token-form")).to_be_visible()
    page.fill("#token", "not-the-token")
    page.click("#token-form button")
    expect(page.locator("#token-error")).to_contain_text("control token")
    page.fill("#token", TOKEN)
    page.click("#token-form button")
    expect(page.locator("#token-form")).to_be_hidden()
    expect(page.locator('.count-box[data-kind="order"]')).to_be_visible()
    expect(page.locator("#clock-now")).not_to_have_text("…")


def test_place_an_order_and_see_the_count_move(page: Page, server: Server) -> None:
    pending = count(page, "order", "Pending")
    form = page.locator("#place-order")
    form.locator("[name=sku]").fill(sku_of(server, "AFN"))
    form.locator("[name=channel]").select_option("AFN")
    form.locator("button").click()
    expect(form.locator(".result")).to_contain_text("Pending")
    expect(count_cell(page, "order", "Pending")).to_have_text(str(pending + 1))
    shot(page, "order-placed")


def test_bad_input_gets_the_apis_own_error(page: Page, server: Server) -> None:
    body = {"seller_id": seller_id(server), "channel": "MFN", "lines": [{"sku": "NO-SUCH-SKU", "quantity": 1}]}
    status, answer = server.control("POST", "/orders", body)
    assert status == 400
    form = page.locator("#place-order")
    form.locator("[name=sku]").fill("NO-SUCH-SKU")
    form.locator("[name=channel]").select_option("MFN")
    form.locator("button").click()
    expect(form.locator(".result.error")).to_have_text(
        f"{answer['errors'][0]['code']}: {answer['errors'][0]['message']}")


def test_jump_a_day_and_see_it_ship(page: Page) -> None:
    shipped = count(page, "order", "Shipped")
    pending = count(page, "order", "Pending")
    page.locator("#jump-form [name=amount]").fill("1")
    page.locator("#jump-form [name=unit]").select_option("86400")
    page.click("#jump")
    expect(page.locator("#clock-result")).to_contain_text("timers ran")
    expect(count_cell(page, "order", "Pending")).to_have_text("0")
    expect(count_cell(page, "order", "Shipped")).not_to_have_text(str(shipped))
    assert count(page, "order", "Shipped") >= shipped + pending - count(page, "order", "PartiallyShipped")
    # the order's own page: its transitions, from the list of shipped orders
    page.locator('.count-box[data-kind="order"] tr[data-status="Shipped"] a').click()
    expect(page.locator("#list tbody tr").first).to_be_visible()
    page.locator("#list tbody tr a").first.click()
    history = page.locator("#entity-history tbody")
    expect(history).to_contain_text("verify_payment")
    expect(history.locator("tr").last).to_contain_text("Shipped")
    shot(page, "shipped")


def test_a_fault_shows_a_5xx_in_the_tail(page: Page, server: Server) -> None:
    form = page.locator("#fault-form")
    form.locator("[name=operation]").fill("getOrders")
    form.locator("[name=status]").select_option("503")
    form.locator("button").click()
    expect(page.locator('#faults tr[data-operation="getOrders"]')).to_be_visible()
    credentials = server.info["sellers"][0]
    token = requests.post(f"{server.base_url}/auth/o2/token", timeout=10, data={
        "grant_type": "refresh_token", **{k: credentials[k] for k in ("client_id", "client_secret", "refresh_token")}
    }).json()["access_token"]
    answer = requests.get(f"{server.base_url}/orders/v0/orders", timeout=10, headers={"x-amz-access-token": token},
                          params={"MarketplaceIds": MARKETPLACE, "CreatedAfter": "2020-01-01T00:00:00Z"})
    assert answer.status_code == 503
    failed = page.locator('#journal tbody tr[data-status="503"]')
    expect(failed.first).to_be_visible()
    failed.first.locator("a").click()
    expect(page.locator("#exchange-response")).to_contain_text("errors")
    shot(page, "dashboard")  # the README's picture (docs/dashboard.png is a copy)
    page.locator('#faults button[data-operation="getOrders"]').click()
    expect(page.locator('#faults tr[data-operation="getOrders"]')).to_have_count(0)
    status, rules = server.control("GET", "/faults")
    assert status == 200 and rules["faults"] == []


def test_restore_a_snapshot(page: Page, server: Server) -> None:
    total = page.locator('.count-box[data-kind="order"] h3')
    before = total.inner_text()
    form = page.locator("#snapshot-form")
    form.locator("[name=name]").fill("before-order")
    form.locator("button").click()
    expect(page.locator('#snapshots tr[data-name="before-order"]')).to_be_visible()
    place = page.locator("#place-order")
    place.locator("[name=sku]").fill(sku_of(server, "MFN"))
    place.locator("[name=channel]").select_option("MFN")
    place.locator("button").click()
    expect(total).not_to_have_text(before)
    page.locator('#snapshots button[data-name="before-order"]').click()
    expect(form.locator(".result")).to_have_text("restored before-order")
    expect(total).to_have_text(before)
    shot(page, "snapshot-restored")


@pytest.fixture(scope="module")
def live_world() -> Iterator[Server]:
    server = Server("--scenario", "live-demo", "--clock-scale", "60")
    try:
        yield server
    finally:
        server.stop()


def test_a_webstore_order_for_mcf_in_the_live_world(browser: Browser, live_world: Server) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(live_world.base_url + "/_testbed/ui")
    expect(page.locator("#world-line")).to_contain_text("scenario live-demo")
    catalog = requests.get(f"{live_world.base_url}/_world/catalog", timeout=10).json()
    form = page.locator("#webstore-order")
    form.locator("[name=sku]").fill(catalog["skus"]["fba"][0])
    form.locator("button").click()
    expect(form.locator(".result")).to_contain_text("webstore order")
    form.locator("[name=sku]").fill(catalog["skus"]["mfn"][0])
    form.locator("button").click()
    expect(form.locator(".result.error")).to_contain_text("FBA SKUs")
    shot(page, "live-world")
    page.close()
