"""The Gherkin scenarios in pytest-html's report: a Feature and a Scenario column on every row, and under each
scenario its steps, each marked passed, failed or not reached, with its duration. pytest-bdd records what ran
(its scenario report); these hooks, registered by conftest.py, put that record in the HTML. The Cucumber JSON
report is pytest-bdd's own (`--cucumberjson=PATH`)."""
from __future__ import annotations

from collections.abc import Generator
from html import escape
from typing import Any

import pytest
from pytest_bdd.reporting import test_report_context_registry


def _scenario(report: pytest.TestReport) -> dict[str, Any] | None:
    context = test_report_context_registry.get(report)
    return None if context is None else dict(context.scenario)


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_header(cells: list[str]) -> None:
    cells.insert(1, '<th class="sortable" data-column-type="feature">Feature</th>')
    cells.insert(2, '<th class="sortable" data-column-type="scenario">Scenario</th>')


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    scenario = _scenario(report)
    feature = scenario["feature"]["name"] if scenario else ""
    name = scenario["name"] if scenario else ""
    tags = " ".join(f"@{tag}" for tag in scenario["tags"]) if scenario else ""
    cells.insert(1, f"<td>{escape(feature)}</td>")
    cells.insert(2, f"<td>{escape(name)}<br><small>{escape(tags)}</small></td>")


def steps_html(scenario: dict[str, Any], outcome: str) -> str:
    """The scenario's steps as an HTML list: each passed, failed or not reached (when the scenario was skipped
    or failed earlier), with its duration."""
    rows, failed = [], False
    for step in scenario["steps"]:
        if failed or outcome == "skipped":  # pytest-bdd marks every step after the failing one failed too
            status = "not reached"
        else:
            status = "failed" if step["failed"] else "passed"
            failed = step["failed"]
        colour = {"passed": "#2e7d32", "failed": "#c62828", "not reached": "#757575"}[status]
        rows.append(f'<li style="color:{colour}"><b>{escape(step["keyword"])}</b> {escape(step["name"])} '
                    f'<small>({status}, {step["duration"]:.3f} s)</small></li>')
    feature = scenario["feature"]
    return (f'<div class="scenario"><p><b>Feature:</b> {escape(feature["name"])} '
            f'<small>({escape(feature["rel_filename"])}, line {scenario["line_number"]})</small><br>'
            f'<b>Scenario:</b> {escape(scenario["name"])}</p><ol>{"".join(rows)}</ol></div>')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """After pytest-bdd has recorded the scenario: its steps, as an HTML extra of the call's report."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    scenario = _scenario(report)
    if scenario is None or report.when != "call" and not (report.when == "setup" and report.skipped):
        return
    try:
        from pytest_html import extras
    except ImportError:  # pytest-html is not installed: nothing to add
        return
    report.extras = [*getattr(report, "extras", []), extras.html(steps_html(scenario, report.outcome))]
