"""The fuzz's per-operation counts, printed when the fuzz has run."""
from tests.fuzz.test_fuzz import COUNTS, render_counts


def pytest_terminal_summary(terminalreporter):
    if COUNTS:
        terminalreporter.write_sep("=", "fuzz: requests per operation")
        terminalreporter.write_line(render_counts())
