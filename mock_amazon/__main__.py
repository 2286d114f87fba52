"""`python -m mock_amazon`: the standalone mock on a real HTTP server (granian, see serving.py).

The state lives in one worker process, which builds the mock and serves it; this process binds the socket, prints
the first line and supervises, and the worker dies with it (even by SIGKILL). With `--scenario NAME` the scenario's
world runs live in the worker, beside the state: customers order, Amazon ships,
the seller's warehouse moves, on the clock scaled by `--clock-scale`; `--reference-integration` also starts the
project's reference connector as a separate process (see simulator/live.py and docs/bring-your-own-integration.md).

The first line on stdout is one JSON object with the base URL and every seller's credentials, printed only once
the socket is bound, so a script can start the server and use it as soon as it reads that line. Bad arguments and
a port already in use are one line on stderr and exit code 2, with nothing on stdout.

`--control-token TOKEN` (or $MOCK_AMAZON_CONTROL_TOKEN) guards /_testbed/: every route there needs the token in an
`x-testbed-token` header. Listening beyond loopback (`--host` other than 127.x, ::1 or localhost) needs one: the
control API resets, seeds and reads everything. Connections are bounded (`--connection-limit`) and one idle for
`--idle-timeout` seconds is closed, so idle clients cannot keep new ones out.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
from typing import Callable, NoReturn

from flask import Flask

import mock_amazon.marketplaces as marketplaces
from judge.server import verdict_route
from mock_amazon.app import create_app
from mock_amazon.auth import Seller
from mock_amazon.client import CONTROL_TOKEN_ENV, connector_environment
from mock_amazon.core import MockAmazon
from mock_amazon.errors import InvalidInput
from mock_amazon.launcher import stop_process
from mock_amazon.serving import Built, Options, listen, serve
from mock_amazon.store import Store
from model.clock import WallClock
from simulator import scenario as scenarios
from simulator.live import LiveWorld
from simulator.world import amazon_for

MAX_CONNECTIONS = 10_000


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host`: localhost, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that may resolve to anything


class Parser(argparse.ArgumentParser):
    """Bad arguments are one line on stderr and exit code 2 (argparse would add a usage block)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message}", file=sys.stderr)
        sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m mock_amazon", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--db", default=":memory:", help="SQLite file that keeps state across restarts")
    parser.add_argument("--sellers", type=int, default=1, help="sellers to create when the store has none")
    parser.add_argument("--empty", action="store_true", help="do not seed new sellers with catalog and orders")
    parser.add_argument("--marketplaces", metavar="ID,ID",
                        help="the marketplaces of the sellers it creates (IDs or codes: UK,DE or A1F83G8C2ARO7P); "
                             "the first is their home, where they are seeded (default: Amazon.com)")
    parser.add_argument("--clock-scale", type=float, default=1.0, help="simulated seconds per real second")
    parser.add_argument("--seed", type=int, help="random seed (default 0; with --scenario, the scenario's own)")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads that run requests (granian's blocking threads); requests run one at a time "
                             "under the mock's lock, so 1 serves the most requests per second, and more let others "
                             "go on while one waits out an injected latency")
    parser.add_argument("--scenario", help="run this scenario's world live (a name of run_sim.py's or a .toml file)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a scenario key, as run_sim.py does (with --scenario)")
    parser.add_argument("--reference-integration", action="store_true",
                        help="with --scenario: start the reference connector as a separate process")
    parser.add_argument("--journal-limit", type=int, default=100_000,
                        help="journal entries kept, oldest dropped first (0: keep all)")
    parser.add_argument("--control-token", default=os.environ.get(CONTROL_TOKEN_ENV) or None,
                        help=f"every /_testbed/ route needs it in an x-testbed-token header (default: "
                             f"${CONTROL_TOKEN_ENV}); required beyond loopback")
    parser.add_argument("--connection-limit", type=int, default=1000,
                        help="connections served at once (granian's backpressure); more wait in the listen backlog")
    parser.add_argument("--idle-timeout", type=float, default=30.0,
                        help="seconds a connection may wait without sending a whole request's headers (granian's "
                             "header read timeout, to the millisecond): one idle after a keep-alive answer, or that "
                             "never spoke, is closed")
    args = parser.parse_args(argv)
    if args.clock_scale <= 0:
        parser.error("--clock-scale must be positive")
    if args.sellers < 0:
        parser.error("--sellers must not be negative")
    if not 0 < args.port < 65536:
        parser.error("--port must be between 1 and 65535")
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    if args.journal_limit < 0:
        parser.error("--journal-limit must not be negative")
    if not 1 <= args.connection_limit <= MAX_CONNECTIONS:
        parser.error(f"--connection-limit must be between 1 and {MAX_CONNECTIONS}")
    if not 0 < args.idle_timeout <= 3600:
        parser.error("--idle-timeout must be above 0 and at most 3600 seconds")
    if args.control_token is not None and not args.control_token.strip():
        parser.error("--control-token must not be empty")
    if args.control_token is None and not is_loopback(args.host):
        parser.error(f"--host {args.host} is beyond loopback: give --control-token TOKEN (or set "
                     f"{CONTROL_TOKEN_ENV}), or the control API is open to the network")

    try:
        seller_marketplaces = marketplaces.parse_list(args.marketplaces or marketplaces.US, "--marketplaces")
    except InvalidInput as error:
        parser.error(f"--marketplaces: {error.message}")
    base_url = f"http://{args.host}:{args.port}"
    if args.scenario is not None:
        if args.marketplaces is not None:
            parser.error("--marketplaces goes without --scenario: a scenario's [marketplaces] table (or --set "
                         "marketplaces.amazon=UK) chooses its seller's marketplaces")
        return live_world(parser, args, base_url)
    if args.set or args.reference_integration:
        parser.error("--set and --reference-integration go with --scenario")
    try:
        Store(args.db).db.close()  # a database that cannot be had is refused here; the worker opens its own
    except sqlite3.Error as error:
        parser.error(f"--db {args.db}: {error}")

    def build() -> Built:
        """The mock, in the worker process: its store, the sellers it was asked for, the first line."""
        clock = WallClock(scale=args.clock_scale)
        seed = args.seed or 0
        amazon = MockAmazon(store=Store(args.db), clock=clock, base_url=base_url, seed=seed,
                            wait=lambda seconds: time.sleep(seconds / clock.scale),  # the scale now, not at start
                            wire_clock=WallClock() if args.clock_scale != 1 else None,  # the wire keeps real time
                            journal_limit=args.journal_limit or None, control_token=args.control_token)
        app = create_app(amazon)
        sellers = amazon.auth.sellers()
        for index in range(len(sellers), args.sellers):
            seller = amazon.create_seller(seller_marketplaces)
            if not args.empty:
                amazon.seed(seller.seller_id, skus=20, orders=10, seed=seed + index)
            sellers.append(seller)
        return Built(served(app, args), {"base_url": base_url, "sellers": [s.credentials() for s in sellers]})

    return run(parser, args, build, lambda line: None)


def served(app: Flask, args: argparse.Namespace) -> Flask:
    """The app as the worker serves it: the judge's verdict too (`/_testbed/verdict`, a client of the mock's own
    routes), and the mock's log on stderr."""
    app.register_blueprint(verdict_route(f"http://{args.host}:{args.port}", args.control_token))
    logging.basicConfig(level=logging.WARNING)
    return app


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, build: Callable[[], Built],
        started: Callable[[dict], None]) -> int:
    """Bind, then serve what `build` makes in one worker process; the first line is printed when the worker sends
    it, and `started` is called with it. A port that cannot be had is one line on stderr and exit code 2."""
    try:
        listener = listen(args.host, args.port)
    except OSError as error:
        print(f"{parser.prog}: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 2

    def first_line(line: dict) -> None:
        print(json.dumps(line), flush=True)
        started(line)

    options = Options(threads=args.threads, connection_limit=args.connection_limit, idle_timeout=args.idle_timeout)
    serve(listener, build, options, first_line)
    return 0


def live_world(parser: argparse.ArgumentParser, args: argparse.Namespace, base_url: str) -> int:
    """The scenario's world in the worker process, served as it runs; the first line names the scenario's seller.
    With `--reference-integration` the connector starts once that line is out, and stops with the server."""
    if args.db != ":memory:":
        parser.error("the live world keeps its state in memory: --db does not go with --scenario")
    overrides = list(args.set) + ([f"run.seed={args.seed}"] if args.seed is not None else [])
    try:
        scenario = scenarios.apply_overrides(scenarios.load(args.scenario), overrides)
        amazon_for(scenario)  # its settings, limits and faults checked here; the worker builds the world
    except scenarios.ScenarioError as error:
        parser.error(str(error))

    def build() -> Built:
        live = LiveWorld(scenario, base_url, args.clock_scale, journal_limit=args.journal_limit or None)
        live.amazon.control_token = args.control_token
        app = create_app(live.amazon)
        live.attach(app)
        line = {"base_url": base_url, "sellers": [live.world.seller.credentials()], "scenario": scenario["name"],
                "clock_scale": args.clock_scale}
        return Built(served(app, args), line, start=live.start)

    connectors: list[subprocess.Popen[bytes]] = []

    def start_connector(line: dict) -> None:
        if args.reference_integration:
            connectors.append(start_reference_connector(base_url, Seller.from_credentials(line["sellers"][0]), args))

    try:
        return run(parser, args, build, start_connector)
    finally:
        for connector in connectors:
            stop_process(connector)


def start_reference_connector(base_url: str, seller: Seller, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """The reference integration as any connector runs: its own process, credentials in its environment."""
    command = [sys.executable, "-m", "simulator.connector", "--scenario", args.scenario,
               *(f"--set={override}" for override in args.set)]
    return subprocess.Popen(command, env={**os.environ, **connector_environment(base_url, seller)})


if __name__ == "__main__":
    sys.exit(main())
