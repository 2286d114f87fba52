"""`python -m mock_amazon`: the standalone mock on a real WSGI server (waitress).

With `--scenario NAME` the scenario's world runs live in the same process: customers order, Amazon ships,
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
from typing import NoReturn

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

import mock_amazon.marketplaces as marketplaces
from judge.server import verdict_route
from mock_amazon.app import create_app
from mock_amazon.auth import Seller
from mock_amazon.client import CONTROL_TOKEN_ENV, connector_environment
from mock_amazon.core import MockAmazon
from mock_amazon.errors import InvalidInput
from mock_amazon.launcher import stop_process
from mock_amazon.store import Store
from model.clock import WallClock
from simulator import scenario as scenarios
from simulator.live import LiveWorld

Server = BaseWSGIServer | MultiSocketServer
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
                        help="worker threads; requests run one at a time under the mock's lock, so 1 serves the most "
                             "requests per second, and more let others go on while one waits out an injected latency")
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
                        help="connections served at once; more wait in the listen backlog")
    parser.add_argument("--idle-timeout", type=float, default=30.0,
                        help="seconds a connection may stay idle (keep-alive) before it is closed")
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
        store = Store(args.db)
    except sqlite3.Error as error:
        parser.error(f"--db {args.db}: {error}")
    clock = WallClock(scale=args.clock_scale)
    seed = args.seed or 0
    amazon = MockAmazon(store=store, clock=clock, base_url=base_url, seed=seed,
                        wait=lambda seconds: time.sleep(seconds / clock.scale),  # the scale now, not at start
                        wire_clock=WallClock() if args.clock_scale != 1 else None,  # the wire keeps real time
                        journal_limit=args.journal_limit or None, control_token=args.control_token)
    # Bound before sellers are made or anything is printed: a port in use changes nothing and says so.
    server = bind(create_app(amazon), args)
    if server is None:
        return 2
    sellers = amazon.auth.sellers()
    for index in range(len(sellers), args.sellers):
        seller = amazon.create_seller(seller_marketplaces)
        if not args.empty:
            amazon.seed(seller.seller_id, skus=20, orders=10, seed=seed + index)
        sellers.append(seller)
    logging.basicConfig(level=logging.WARNING)
    print(json.dumps({"base_url": base_url, "sellers": [s.credentials() for s in sellers]}), flush=True)
    serve(server)
    return 0


# Every request holds the mock's lock, so requests run one at a time whatever the thread count. At the interpreter's
# default 5 ms switch interval, the thread holding the lock waits up to that long for the GIL whenever the server's
# I/O thread has it, and the others queue behind it: a shorter interval took getOrders at 32 connections from about
# 420 to about 600 requests per second with 4 threads, and from 550 to about 820 with one (benchmarks/mock_server.py).
GIL_SWITCH_SECONDS = 0.001


def serve(server: Server) -> None:
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    # Requests waiting for a thread are the normal state here (they wait for the lock anyway): not worth a warning
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def bind(app: Flask, args: argparse.Namespace) -> Server | None:
    """The server, its socket bound; None (and one line on stderr) when the address cannot be had. The judge's
    verdict is served too (`/_testbed/verdict`), as a client of the mock's own routes."""
    app.register_blueprint(verdict_route(f"http://{args.host}:{args.port}", args.control_token))
    try:
        server: Server = create_server(
            app, host=args.host, port=args.port, threads=args.threads, ident="mock_amazon",
            connection_limit=args.connection_limit, channel_timeout=args.idle_timeout,
            cleanup_interval=max(1.0, min(args.idle_timeout / 2, 30.0)),  # how often idle ones are looked for
            asyncore_use_poll=True)  # select() stops at 1,024 descriptors; poll() takes the whole limit
        return server
    except OSError as error:
        print(f"python -m mock_amazon: cannot listen on {args.host}:{args.port}: {error.strerror or error}",
              file=sys.stderr)
        return None


def live_world(parser: argparse.ArgumentParser, args: argparse.Namespace, base_url: str) -> int:
    """The scenario's world in this process, served as it runs; the first line names the scenario's seller."""
    if args.db != ":memory:":
        parser.error("the live world keeps its state in memory: --db does not go with --scenario")
    overrides = list(args.set) + ([f"run.seed={args.seed}"] if args.seed is not None else [])
    try:
        scenario = scenarios.apply_overrides(scenarios.load(args.scenario), overrides)
        live = LiveWorld(scenario, base_url, args.clock_scale, journal_limit=args.journal_limit or None)
    except scenarios.ScenarioError as error:
        parser.error(str(error))
    live.amazon.control_token = args.control_token
    app = create_app(live.amazon)
    live.attach(app)
    server = bind(app, args)
    if server is None:
        return 2
    logging.basicConfig(level=logging.WARNING)
    seller = live.world.seller
    print(json.dumps({"base_url": base_url, "sellers": [seller.credentials()], "scenario": scenario["name"],
                      "clock_scale": args.clock_scale}), flush=True)
    live.start()
    connector = start_reference_connector(base_url, seller, args) if args.reference_integration else None
    try:
        serve(server)
    finally:
        live.stop()
        if connector is not None:
            stop_process(connector)
    return 0


def start_reference_connector(base_url: str, seller: Seller, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """The reference integration as any connector runs: its own process, credentials in its environment."""
    command = [sys.executable, "-m", "simulator.connector", "--scenario", args.scenario,
               *(f"--set={override}" for override in args.set)]
    return subprocess.Popen(command, env={**os.environ, **connector_environment(base_url, seller)})


if __name__ == "__main__":
    sys.exit(main())
