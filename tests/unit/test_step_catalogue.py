"""docs/steps.md is the Gherkin step catalogue as the code defines it, and every step defined is one a feature
uses."""
import subprocess
import sys

from tests.bdd.catalog import ROOT


def generated() -> str:
    """`python -m tests.bdd.catalog`, in a process of its own (it collects tests/bdd with pytest)."""
    return subprocess.run([sys.executable, "-m", "tests.bdd.catalog"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def test_the_step_catalogue_is_current_and_every_step_is_used() -> None:
    catalogue = generated()
    assert "No feature uses it yet." not in catalogue, "a step is defined that no feature uses (see the catalogue)"
    assert (ROOT / "docs" / "steps.md").read_text() == catalogue, \
        "docs/steps.md is stale: python -m tests.bdd.catalog > docs/steps.md"
