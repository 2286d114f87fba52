"""The judged features (features/judge_conformance.feature): the marketplace's words over the judge's checks.
One judged run serves every scenario of a pytest session. Without options the reference connector is judged in
a fresh conformance world (real time: about 75 seconds); `--connector-cmd "CMD"` judges yours the same way;
`--mock-url URL` judges whatever connector already talks to that running mock. `--cucumberjson=out/judge.json`
writes the results for a CI dashboard."""
from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import given, scenarios, then, when

from judge.checks import FAILED, Evidence, Settings
from judge.marketplace import Marketplace
from judge.run import Plan
from judge.verdict import Verdict
from tests.judge.conftest import DAYS, REFERENCE_CMD, SCALE, judged

pytestmark = pytest.mark.live

scenarios("judge_conformance.feature")


@given("the marketplace runs the conformance scenario", target_fixture="plan")
def marketplace_runs(request: pytest.FixtureRequest) -> Plan:
    command = request.config.getoption("--connector-cmd") or REFERENCE_CMD
    return Plan("conformance", DAYS, SCALE, command)


@when("the connector under test runs", target_fixture="verdict")
def connector_runs(plan: Plan, judged_runs: dict[str, Any], request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The checks by id, from the session's one judged run of this connector (or of the mock at --mock-url)."""
    url = request.config.getoption("--mock-url")
    if url:
        if url not in judged_runs:
            judged_runs[url] = (0, {r.id: r.to_json() for r in Verdict.of(Evidence.load(Marketplace(url), Settings()),
                                                                             url).results}, [])
        return judged_runs[url][1]
    return judged(plan.connector_cmd, judged_runs, tmp_path_factory.mktemp("judged"))[1]


def holds(verdict: dict[str, Any], check: str) -> None:
    result = verdict[check]
    assert result["result"] != FAILED, f"{check}: {result['summary']}; evidence: {result['evidence']}"


@then("no order was shipped after its latest ship date")
def shipped_on_time(verdict: dict[str, Any]) -> None:
    holds(verdict, "orders.shipped_on_time")


@then("no order item was confirmed twice under different tracking numbers")
def shipped_once(verdict: dict[str, Any]) -> None:
    holds(verdict, "orders.no_double_shipment")


@then("every seller-flex shipment was confirmed in time and handed over before its expected ship date")
def flex_in_time(verdict: dict[str, Any]) -> None:
    holds(verdict, "seller_flex.sla")


@then("every webstore order became exactly one fulfillment order, and cancellations reached Amazon")
def mcf_once(verdict: dict[str, Any]) -> None:
    holds(verdict, "mcf.exactly_once")


@then("sequence numbers only grew and Amazon's stock matches the warehouse")
def sequence(verdict: dict[str, Any]) -> None:
    holds(verdict, "inventory.sequence")


@then("after every throttled call the connector waited for the bucket to refill")
def backoff(verdict: dict[str, Any]) -> None:
    holds(verdict, "rate_limits.backoff")


@then("access tokens were reused until close to expiry")
def tokens(verdict: dict[str, Any]) -> None:
    holds(verdict, "auth.token_reuse")


@then("no request was refused as malformed")
def well_formed(verdict: dict[str, Any]) -> None:
    holds(verdict, "requests.valid")
