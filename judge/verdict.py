"""A verdict: every check's result, shown as a table, written as JSON and as JUnit XML (one testcase per check;
"not judged" is a skipped testcase), and the exit code a CI job reads."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judge.checks import CHECKS, FAILED, NOT_JUDGED, Evidence, Result

EXIT_PASSED, EXIT_FAILED, EXIT_CANNOT_JUDGE = 0, 1, 2


@dataclass
class Verdict:
    url: str
    seller_id: str
    judged_at: str
    results: list[Result]

    @classmethod
    def of(cls, evidence: Evidence, url: str) -> Verdict:
        clock = evidence.marketplace.get("/_testbed/clock")
        return cls(url, evidence.seller_id, clock["now"], [check(evidence) for check in CHECKS])

    @property
    def failed(self) -> bool:
        return any(result.outcome == FAILED for result in self.results)

    def exit_code(self) -> int:
        return EXIT_FAILED if self.failed else EXIT_PASSED

    def to_json(self) -> dict[str, Any]:
        counts = {outcome: sum(r.outcome == outcome for r in self.results) for outcome in ("passed", FAILED,
                                                                                          NOT_JUDGED)}
        return {"url": self.url, "seller_id": self.seller_id, "judged_at": self.judged_at, "counts": counts,
                "checks": [result.to_json() for result in self.results]}

    def table(self) -> str:
        width = max(len(result.id) for result in self.results)
        lines = [f"{'check':<{width}}  {'result':<10}  what was found", "-" * (width + 80)]
        for result in self.results:
            lines.append(f"{result.id:<{width}}  {result.outcome:<10}  {result.summary}")
            for kind, items in result.evidence.items():
                if items and result.outcome == FAILED:
                    lines.append(f"{'':<{width}}  {'':<10}    {kind}: {', '.join(map(str, items[:8]))}"
                                 + (" ..." if len(items) > 8 else ""))
        counts = self.to_json()["counts"]
        lines.append(f"{counts['passed']} passed, {counts[FAILED]} failed, {counts[NOT_JUDGED]} not judged")
        return "\n".join(lines)

    def junit(self) -> str:
        counts = {"tests": str(len(self.results)), "failures": str(sum(r.outcome == FAILED for r in self.results)),
                  "skipped": str(sum(r.outcome == NOT_JUDGED for r in self.results)), "errors": "0"}
        suites = ElementTree.Element("testsuites", {"name": "judge", **counts})
        suite = ElementTree.SubElement(suites, "testsuite", {"name": "judge", "timestamp": self.judged_at, **counts})
        for result in self.results:
            case = ElementTree.SubElement(suite, "testcase", classname="judge", name=result.id)
            if result.outcome == FAILED:
                failure = ElementTree.SubElement(case, "failure", message=result.summary, type="failed")
                failure.text = json.dumps({"figures": result.figures, "evidence": result.evidence}, indent=2)
            elif result.outcome == NOT_JUDGED:
                ElementTree.SubElement(case, "skipped", message=result.summary)
            output = ElementTree.SubElement(case, "system-out")
            output.text = json.dumps(result.figures)
        return ElementTree.tostring(suites, encoding="unicode")

    def write(self, json_path: Path | None, junit_path: Path | None) -> None:
        if json_path is not None:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        if junit_path is not None:
            junit_path.parent.mkdir(parents=True, exist_ok=True)
            junit_path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + self.junit() + "\n")
