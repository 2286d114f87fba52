"""The simulator: reproducible, meets the push floor, keeps every order through chaos, and explains bad input."""
import base64
import json
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape

import run_sim
from model.clock import to_datetime
from simulator import scenario as scenarios
from simulator.report import summary_rows
from simulator.run import simulate

SMALL = ["run.days=0.25", "run.drain_hours=3", "catalog.skus=300", "customers.orders_per_day=1600"]


def small(name: str = "default", *extra: str) -> dict:
    return scenarios.apply_overrides(scenarios.load(name), SMALL + list(extra))


def test_the_same_seed_gives_the_same_report():
    _, first = simulate(small())
    _, second = simulate(small())
    for report in (first, second):
        report.pop("wall_seconds")
    assert first == second
    _, other = simulate(small("default", "run.seed=8"))
    assert other["orders"]["placed"] != first["orders"]["placed"]


@pytest.mark.parametrize("name", ["default", "chaos"])
def test_writing_entities_behind_is_an_optimisation_not_another_simulation(name):
    """The whole scenario, as run_sim runs it (about 4 s each way): every field of the report but the wall time is
    the same with the entities kept in memory and written behind as with every change stored in SQLite at once."""
    scenario = scenarios.load(name)
    reports = [simulate(scenario, write_behind=write_behind)[1] for write_behind in (True, False)]
    for report in reports:
        report.pop("wall_seconds")
    assert reports[0] == reports[1]


@pytest.mark.parametrize("latency_ms, bound", [(0, 1.02), (150, 1.05)])
def test_inventory_push_1000_stays_near_the_floor(latency_ms, bound):
    _, report = simulate(scenarios.apply_overrides(scenarios.load("inventory-push-1000"),
                                                   [f"latency.mean_ms={latency_ms}"]))
    push = report["push"]
    assert push["skus"] == push["accepted"] == 1000
    assert push["floor_seconds"] == pytest.approx(166.667, abs=0.01)
    assert push["seconds"] <= bound * push["floor_seconds"]
    assert report["throttled_calls"] == 0 and report["throttled_calls_seen_by_amazon"] == 0


def test_chaos_loses_and_duplicates_nothing():
    world, report = simulate(small("chaos", "integration.token_revoked_every_hours=2"))
    assert report["faulted_calls"] > 0 and report["session"]["tokens_revoked"] >= 2
    assert report["session"]["retries"] > 0
    assert report["orders"]["lost"] == 0 and report["orders"]["duplicated"] == 0
    assert report["fulfillment_requests"]["duplicated"] == 0
    placed = sum(report["orders"]["placed"].get(c, 0) for c in ("amazon_mfn", "seller_flex", "webstore"))
    assert sum(report["orders"]["by_state"].values()) == placed, "every merchant-side order reached the integration"


def test_every_store_order_moved_only_through_its_machine():
    world, _ = simulate(small())
    table = world.lifecycles.store_order.table
    for order in world.orders:
        assert order.history and order.history[0].source == "new"
        for step in order.history:
            assert any(step.trigger == row.trigger and step.source in row.sources and step.dest == row.dest
                       for row in table.transitions)
    counted = Counter(order.status for order in world.orders)
    assert +world.orders_by_status == counted, "the running tally the sampler reads matches a full count"


def test_run_sim_writes_the_report_and_plots(tmp_path, capsys):
    assert run_sim.main(["--no-progress", "--out", str(tmp_path)] + [f"--set={s}" for s in SMALL]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    for key in ("push", "orders", "fulfillment_requests", "throttled_calls", "wall_seconds", "simulated_seconds"):
        assert key in report
    for key in ("skus", "seconds", "floor_seconds"):
        assert key in report["push"]
    for key in ("lost", "duplicated"):
        assert key in report["orders"]
    assert "duplicated" in report["fulfillment_requests"]
    assert (tmp_path / "overview.png").read_bytes()[:4] == b"\x89PNG"
    assert "lost / duplicated" in capsys.readouterr().out
    page = (tmp_path / "report.html").read_text()
    # one file: the plot embedded, nothing fetched
    assert f"data:image/png;base64,{base64.b64encode((tmp_path / 'overview.png').read_bytes()).decode()}" in page
    assert "src=\"http" not in page and "<link" not in page
    # the summary table and the per-operation table carry report.json's figures
    shown = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", page))
    for label, value in summary_rows(report):  # report.json's keys are sorted, so compare the parts of a row
        assert sorted(shown[str(escape(label))].split(", ")) == sorted(str(escape(value)).split(", ")), label
    rows = re.findall(r"<td>([^<]+)</td><td class=\"number\">(\d+)</td><td class=\"number\">(\d+)</td>\s*"
                      r"<td class=\"number\">(\d+)</td>", page)
    assert {name: (int(calls), int(throttled), int(faults)) for name, calls, throttled, faults in rows} == {
        name: (row["calls"], row["throttled"], row["faults"]) for name, row in report["calls"].items()}
    assert len(rows) > 3


@pytest.mark.parametrize("arguments, message", [
    (["--set", "run.dayz=2"], "unknown key 'run.dayz'"),
    (["--set", "catalog.skus=many"], "'catalog.skus' must be a number"),
    (["--set", "latency.distribution=gaussian"], "'latency.distribution' must be one of"),
    (["--set", "nothing"], "write key=value"),
    (["no-such-scenario"], "no scenario 'no-such-scenario'"),
    (["--set", "amazon.verification_secs=3"], "unknown setting 'verification_secs'"),
    (["--set", "catalog.fba_share=0.9"], "must add up to 1"),
])
def test_bad_input_gets_a_clear_message(arguments, message, capsys, tmp_path):
    assert run_sim.main(["--no-progress", "--out", str(tmp_path), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_a_bad_scenario_file_names_the_key(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text('[integration]\nfulfillment_by = "carrier pigeon"\n')
    assert run_sim.main([str(path), "--no-progress", "--out", str(tmp_path)]) == 2
    assert "'integration.fulfillment_by' must be one of api, feed" in capsys.readouterr().err
    path.write_text("[run\n")
    assert run_sim.main([str(path), "--no-progress", "--out", str(tmp_path)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_live_demo_is_small_and_drains():
    """The scenario meant for watching live: few SKUs, every merchant-side order reaches the integration and ships
    or is handed to a person during the drain, none lost or duplicated."""
    scenario = scenarios.load("live-demo")
    assert scenario["catalog"]["skus"] <= 50 and scenario["customers"]["orders_per_day"] <= 500
    _, report = simulate(scenario)
    placed = sum(report["orders"]["placed"].get(c, 0) for c in ("amazon_mfn", "seller_flex", "webstore"))
    assert report["orders"]["lost"] == 0 and report["orders"]["duplicated"] == 0
    assert sum(report["orders"]["by_state"].values()) == placed
    assert set(report["orders"]["by_state"]) <= {"fully_shipped", "needs_manual_intervention", "cancelled"}


def test_the_push_floor_is_amazons_rate_and_drift_starts_after_the_first_sync() -> None:
    """Pushing at 12 calls a second cannot beat Amazon's 6: the floor is N / 6, and the report names both rates.
    The drift figures leave out the sample at t=0, taken before anything was synced."""
    world, report = simulate(small("default", "integration.flex_push_rate=12"))
    push = report["push"]
    assert push["amazon_rate"] == 6.0 and push["integration_rate"] == 12.0
    assert push["floor_seconds"] == pytest.approx(push["skus"] / 6.0, abs=0.001)
    assert push["ratio"] == pytest.approx(1.0, abs=0.1)
    samples = world.metrics.series["drift.seller_flex"]
    assert samples[0][0] == 0 and samples[0][1] > report["inventory"]["seller_flex"]["max_drift"]
    _, paced_right = simulate(small())
    assert "amazon_rate" not in paced_right["push"] and "integration_rate" not in paced_right["push"]


def test_seller_flex_runs_on_amazon_in_and_amazon_orders_on_the_scenarios_marketplace():
    """SmartConnect's seller-flex on Amazon.in (seed 003): INR, Indian addresses and pincodes; the seller takes part
    in both marketplaces; a scenario chooses each channel's marketplace."""
    world, _ = simulate(small())
    seller = world.seller
    assert seller.marketplace_ids == ("ATVPDKIKX0DER", "A21TJRUUN4KGV")
    flex = list(world.amazon.external_fulfillment.shipments.scan(seller.seller_id))
    assert flex and {s.marketplace_id for s in flex} == {"A21TJRUUN4KGV"}
    assert all(s.ship_to["countryCode"] == "IN" and len(s.ship_to["postalCode"]) == 6 for s in flex)
    orders = list(world.amazon.orders.orders.scan(seller.seller_id))
    assert {(o.marketplace_id, o.currency) for o in orders} == {("ATVPDKIKX0DER", "USD")}
    uk_world, report = simulate(small("default", 'marketplaces.amazon="UK"', "integration.flex_business_hours=true"))
    assert uk_world.seller.marketplace_ids == ("A1F83G8C2ARO7P", "A21TJRUUN4KGV")
    uk_orders = list(uk_world.amazon.orders.orders.scan(uk_world.seller.seller_id))
    assert {(o.marketplace_id, o.currency, o.ship_to["country"]) for o in uk_orders} == {
        ("A1F83G8C2ARO7P", "GBP", "GB")}
    assert report["orders"]["lost"] == 0 and report["orders"]["duplicated"] == 0

    def shipped_hours(of):  # the hour of the day, India's time, at which each seller-flex order shipped
        return [to_datetime(of.start.timestamp() + o.shipped_at).astimezone(ZoneInfo("Asia/Kolkata")).hour
                for o in of.orders if o.source == "seller_flex" and o.shipped_at is not None]
    # Picked from 9:00 IST at the earliest (at least two hours' work): never shipped before 11:00 in India, which
    # round the clock happens
    assert shipped_hours(uk_world) and min(shipped_hours(uk_world)) >= 11
    assert min(shipped_hours(world)) < 11
    with pytest.raises(scenarios.ScenarioError, match="marketplaces.seller_flex"):
        small("default", 'marketplaces.seller_flex="Atlantis"')
