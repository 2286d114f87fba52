"""The judged features (features/judge_conformance.feature): the marketplace's words over the judge's checks.
One judged run serves every scenario of a pytest session. Without options the reference connector is judged in
a fresh conformance world (real time: about 75 seconds); `--connector-cmd "CMD"` judges yours the same way;
`--mock-url URL` judges whatever connector already talks to that running mock. `--cucumberjson=out/judge.json`
writes the results for a CI dashboard."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from judge.checks import FAILED, Evidence, Settings
from judge.marketplace import Marketplace
from judge.run import Plan, judged_run
from judge.verdict import Verdict

pytestmark = pytest.mark.live
REFERENCE = Path(__file__).resolve().parents[2] / "examples" / "connectors" / "reference.py"

scenarios("judge_conformance.feature")


@pytest.fixture(scope="session")
def runs() -> dict[tuple[float, float], Verdict]:
    """Judged runs by (days, scale), so the scenarios of a session share one."""
    return {}


@given(parsers.parse("the marketplace runs the conformance scenario for {days:g} simulated day at {scale:g} "
                     "times real time"), target_fixture="plan")
def marketplace_runs(days: float, scale: float, request: pytest.FixtureRequest) -> Plan:
    command = request.config.getoption("--connector-cmd") or f"{sys.executable} {REFERENCE} --scenario conformance"
    return Plan("conformance", days, scale, command)


@when("the connector under test runs", target_fixture="verdict")
def connector_runs(plan: Plan, runs: dict[tuple[float, float], Verdict], request: pytest.FixtureRequest) -> Verdict:
    url = request.config.getoption("--mock-url")
    key = (plan.days, plan.clock_scale)
    if key not in runs:
        runs[key] = (Verdict.of(Evidence.load(Marketplace(url), Settings()), url) if url
                     else judged_run(plan, Settings(), progress=False))
    return runs[key]


def holds(verdict: Verdict, check: str) -> None:
    result = next(r for r in verdict.results if r.id == check)
    assert result.outcome != FAILED, f"{check}: {result.summary}; evidence: {result.evidence}"


@then("no order was shipped after its latest ship date")
def shipped_on_time(verdict: Verdict) -> None:
    holds(verdict, "orders.shipped_on_time")


@then("no order item was confirmed twice under different tracking numbers")
def shipped_once(verdict: Verdict) -> None:
    holds(verdict, "orders.no_double_shipment")


@then("every seller-flex shipment was confirmed in time and handed over before its expected ship date")
def flex_in_time(verdict: Verdict) -> None:
    holds(verdict, "seller_flex.sla")


@then("every webstore order became exactly one fulfillment order, and cancellations reached Amazon")
def mcf_once(verdict: Verdict) -> None:
    holds(verdict, "mcf.exactly_once")


@then("sequence numbers only grew and Amazon's stock matches the warehouse")
def sequence(verdict: Verdict) -> None:
    holds(verdict, "inventory.sequence")


@then("after every throttled call the connector waited for the bucket to refill")
def backoff(verdict: Verdict) -> None:
    holds(verdict, "rate_limits.backoff")


@then("access tokens were reused until close to expiry")
def tokens(verdict: Verdict) -> None:
    holds(verdict, "auth.token_reuse")


@then("no request was refused as malformed")
def well_formed(verdict: Verdict) -> None:
    holds(verdict, "requests.valid")
