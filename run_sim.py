"""Run a simulation scenario and write its report.

The simulator is not built yet (issue: "simulator and run_sim.py"); until it is, this command says so.
"""
import sys


def main(argv: list[str] | None = None) -> int:
    print("run_sim.py: the simulator is not built yet; see README.md for what runs today.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
