"""`python -m mock_amazon`: the standalone mock on a real WSGI server (waitress).

The first line on stdout is one JSON object with the base URL and every seller's credentials, so a script can
start the server and read what it needs.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time

import waitress

from mock_amazon.app import create_app
from mock_amazon.core import MockAmazon
from mock_amazon.store import Store
from model.clock import WallClock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mock_amazon", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--db", default=":memory:", help="SQLite file that keeps state across restarts")
    parser.add_argument("--sellers", type=int, default=1, help="sellers to create when the store has none")
    parser.add_argument("--empty", action="store_true", help="do not seed new sellers with catalog and orders")
    parser.add_argument("--clock-scale", type=float, default=1.0, help="simulated seconds per real second")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--journal-limit", type=int, default=100_000,
                        help="journal entries kept, oldest dropped first (0: keep all)")
    args = parser.parse_args(argv)
    if args.clock_scale <= 0:
        parser.error("--clock-scale must be positive")
    if args.sellers < 0:
        parser.error("--sellers must not be negative")
    if not 0 < args.port < 65536:
        parser.error("--port must be between 1 and 65535")
    if args.journal_limit < 0:
        parser.error("--journal-limit must not be negative")

    base_url = f"http://{args.host}:{args.port}"
    amazon = MockAmazon(store=Store(args.db), clock=WallClock(scale=args.clock_scale), base_url=base_url,
                        seed=args.seed, wait=lambda seconds: time.sleep(seconds / args.clock_scale),
                        journal_limit=args.journal_limit or None)
    sellers = amazon.auth.sellers()
    for index in range(len(sellers), args.sellers):
        seller = amazon.create_seller()
        if not args.empty:
            amazon.seed(seller.seller_id, skus=20, orders=10, seed=args.seed + index)
        sellers.append(seller)
    print(json.dumps({"base_url": base_url, "sellers": [s.credentials() for s in sellers]}), flush=True)
    logging.basicConfig(level=logging.WARNING)
    waitress.serve(create_app(amazon), host=args.host, port=args.port, threads=args.threads, ident="mock_amazon")
    return 0


if __name__ == "__main__":
    sys.exit(main())
