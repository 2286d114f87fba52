"""The project's reference integration as a connector: the same schedules and workflows as `run_sim.py`, run
against a live mock over HTTP in its own process (what `python -m mock_amazon --reference-integration` starts).

    python examples/connectors/reference.py [--scenario NAME] [--set key=value ...]

It needs the environment the live world gives every connector (see docs/bring-your-own-integration.md).
"""
import sys

from simulator.connector import main

if __name__ == "__main__":
    sys.exit(main())
