"""Judge a connector from Amazon's side.

    python -m judge --url URL [--json FILE] [--junit FILE]
    python -m judge run --scenario conformance --days D --clock-scale N --connector-cmd "CMD" [--json] [--junit]

The first judges what the connector did against a running mock; the second starts a live world and the
connector, lets D simulated days pass, stops the connector and judges. Both print a table and exit 1 when a
check failed, 2 when there is nothing to judge (no run, an unreachable mock), else 0.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from judge.checks import Evidence, Settings
from judge.marketplace import CannotJudge, Marketplace
from judge.run import Plan, judged_run
from judge.verdict import EXIT_CANNOT_JUDGE, Verdict


class Parser(argparse.ArgumentParser):
    """Bad arguments are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message}", file=sys.stderr)
        sys.exit(EXIT_CANNOT_JUDGE)


def outputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", type=Path, help="write the verdict as JSON here")
    parser.add_argument("--junit", type=Path, help="write the verdict as JUnit XML here (one testcase a check)")
    parser.add_argument("--flex-ack-minutes", type=float,
                        help="a seller-flex shipment must be confirmed within this (simulated minutes; default: the "
                             "scenario's, else 30)")


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["run"]:
        parser = Parser(prog="python -m judge run", description="Start a live world and a connector; judge.")
        parser.add_argument("--scenario", default="conformance")
        parser.add_argument("--days", type=float, default=2.0, help="simulated days to run")
        parser.add_argument("--clock-scale", type=float, default=600.0)
        parser.add_argument("--connector-cmd", required=True, help="the command that runs the connector")
        parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
        parser.add_argument("--har", type=Path, help="keep the run's journal here as HAR 1.2")
        outputs(parser)
        args = parser.parse_args(arguments[1:])
        if args.days <= 0 or args.clock_scale <= 0:
            parser.error("--days and --clock-scale must be positive")
    else:
        parser = Parser(prog="python -m judge", description=(__doc__ or "").split("\n")[0])
        parser.add_argument("--url", required=True, help="the running mock's base URL")
        parser.add_argument("--seller-id", help="the seller to judge (default: the first)")
        parser.add_argument("--token", help="the mock's control token, when it asks for one")
        outputs(parser)
        args = parser.parse_args(arguments)
    chosen = {} if args.flex_ack_minutes is None else {"flex_ack_minutes": args.flex_ack_minutes}
    settings = Settings(chosen=chosen)
    try:
        if arguments[:1] == ["run"]:
            verdict = judged_run(Plan(args.scenario, args.days, args.clock_scale, args.connector_cmd,
                                      tuple(args.set), args.har), settings)
        else:
            marketplace = Marketplace(args.url, args.token)
            verdict = Verdict.of(Evidence.load(marketplace, settings, args.seller_id), args.url)
    except CannotJudge as error:
        print(f"judge: cannot judge: {error}", file=sys.stderr)
        return EXIT_CANNOT_JUDGE
    print(verdict.table())
    verdict.write(args.json, args.junit)
    return verdict.exit_code()


if __name__ == "__main__":
    sys.exit(main())
