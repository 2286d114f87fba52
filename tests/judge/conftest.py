"""One judged run of the reference connector in a live conformance world serves every test that needs one: the
conformance tests and the judged features (real time: under a minute)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "connectors"
REFERENCE_CMD = f"{sys.executable} {EXAMPLES / 'reference.py'} --scenario conformance"
DAYS, SCALE = 0.75, 1200   # past the LatestShipDates of the first orders (8 hours), in about 55 real seconds


@pytest.fixture(scope="session")
def judged_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict[str, Any], list[dict]]]:
    """connector command -> (exit code, checks by id, the run's journal as HAR entries), each run once."""
    return {}


def judged(connector: str, runs: dict[str, tuple[int, dict[str, Any], list[dict]]],
           out: Path) -> tuple[int, dict[str, Any], list[dict]]:
    """`python -m judge run` of `connector` in a conformance world, as CI runs it."""
    if connector not in runs:
        done = subprocess.run([sys.executable, "-m", "judge", "run", "--scenario", "conformance", "--days",
                               str(DAYS), "--clock-scale", str(SCALE), "--connector-cmd", connector, "--json",
                               str(out / "verdict.json"), "--junit", str(out / "verdict.xml"), "--har",
                               str(out / "run.har")], capture_output=True, text=True, timeout=400)
        assert done.returncode in (0, 1), done.stdout + done.stderr
        checks = {c["id"]: c for c in json.loads((out / "verdict.json").read_text())["checks"]}
        runs[connector] = (done.returncode, checks, json.loads((out / "run.har").read_text())["log"]["entries"])
    return runs[connector]
