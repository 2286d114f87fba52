"""The dashboard's routes with 100,000 orders in the store: p50 and p95 latency of every route the page calls
(the page and its script, and each control route it polls or opens), against the 200 ms target.

A real `python -m mock_amazon` on loopback over a store file made beforehand through the backend (the fast path:
one seller, 200 SKUs stocked deep enough, 100,000 orders placed over the past 30 days and verified and shipped as
their timers fall due), a journal of a few thousand calls with bodies (so the tail and a record's "calls that
named it" have work), then each route requested N times one after another, as one open page does.
Run: python benchmarks/dashboard.py [--orders N] [--requests N] [--calls N]
"""
import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict

import requests

from mock_amazon.core import MockAmazon
from mock_amazon.launcher import Server
from mock_amazon.store import Store
from model.clock import WallClock

TARGET_MS = 200.0
MARKETPLACE = "ATVPDKIKX0DER"


def timed(session: requests.Session, url: str, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url, timeout=60)
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return latencies


def build_store(path: str, orders: int) -> None:
    """One seller, 200 SKUs with a million units each, `orders` orders over the past 30 days, their timers run."""
    amazon = MockAmazon(store=Store(path), clock=WallClock(), seed=1)
    seller = amazon.create_seller().seller_id
    amazon.seed(seller, skus=200, orders=0, seed=1)
    locations: dict[tuple[str, str], set[str]] = defaultdict(set)
    for position in amazon.ledger(seller):
        locations[(position.sku, position.channel)].add(position.location)
    catalog = []
    for (sku, channel), places in sorted(locations.items()):
        amazon.set_stock(seller, sku, channel, {place: {"sellable": 1_000_000} for place in sorted(places)})
        catalog.append((sku, channel))
    rng = random.Random(1)
    now = amazon.clock.seconds()
    for start in range(0, orders, 5000):
        with amazon.lock, amazon.store.transaction():
            for _ in range(min(5000, orders - start)):
                sku, channel = rng.choice(catalog)
                amazon.orders.place(seller, [(sku, rng.randint(1, 2))], channel=channel,
                                    at=now - rng.uniform(0, 30 * 86_400), rng=rng)
    amazon.run_due()
    amazon.store.db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per route")
    parser.add_argument("--calls", type=int, default=3000, help="API calls journalled before timing")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="dashboard-bench-")
    path = os.path.join(folder, "store.sqlite3")
    started = time.perf_counter()
    build_store(path, args.orders)
    print(f"placed {args.orders} orders in {time.perf_counter() - started:.0f} s")
    server = Server("--db", path)
    try:
        seller = server.info["sellers"][0]
        seller_id = seller["seller_id"]
        status, listed = server.control("GET", f"/records/order?seller_id={seller_id}&limit=1000")
        assert status == 200, listed
        server.control("PUT", "/rate-limits", {"lifted": True})
        session = requests.Session()
        token = session.post(f"{server.base_url}/auth/o2/token", timeout=10, data={
            "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret",
                                                                      "refresh_token")}}).json()["access_token"]
        orders = [record["id"] for record in listed["records"]]
        watched = orders[len(orders) // 2]
        for index in range(args.calls):
            order_id = watched if index % 100 == 0 else orders[(index * 7919) % len(orders)]
            if index % 10 == 0:
                session.get(f"{server.base_url}/orders/v0/orders", headers={"x-amz-access-token": token}, timeout=30,
                            params={"MarketplaceIds": MARKETPLACE, "CreatedAfter": "2020-01-01T00:00:00Z"})
            else:
                session.get(f"{server.base_url}/orders/v0/orders/{order_id}",
                            headers={"x-amz-access-token": token}, timeout=30)
        counts = session.get(f"{server.base_url}/_testbed/counts?seller_id={seller_id}", timeout=60).json()
        busiest = max(counts["counts"]["order"]["states"].items(), key=lambda item: item[1])
        last = session.get(f"{server.base_url}/_testbed/traffic?newest=true&limit=1", timeout=60).json()["traffic"]
        tail_from = last[-1]["id"] if last else 0
        routes = {
            "page /_testbed/ui": "/_testbed/ui",
            "script dashboard.js": "/_testbed/ui/static/dashboard.js",
            "clock": "/_testbed/clock",
            "sellers": "/_testbed/sellers",
            "counts": f"/_testbed/counts?seller_id={seller_id}",
            "list, first page": f"/_testbed/records/order?seller_id={seller_id}&limit=25",
            "list, middle page": f"/_testbed/records/order?seller_id={seller_id}&limit=25&after={watched}",
            f"list, {busiest[0]} ({busiest[1]})":
                f"/_testbed/records/order?seller_id={seller_id}&limit=25&status={busiest[0]}",
            "list, Canceled": f"/_testbed/records/order?seller_id={seller_id}&limit=25&status=Canceled",
            "record + its calls": f"/_testbed/records/order/{watched}?seller_id={seller_id}",
            "rate limits": f"/_testbed/rate-limits?seller_id={seller_id}",
            "recent 429s": f"/_testbed/traffic?seller_id={seller_id}&status=429&newest=true&limit=10",
            "faults": "/_testbed/faults",
            "operations": "/_testbed/operations",
            "snapshots": "/_testbed/snapshots",
            "tail, first 200": f"/_testbed/traffic?seller_id={seller_id}&newest=true&limit=200",
            "tail, poll": f"/_testbed/traffic?seller_id={seller_id}&newest=true&limit=200&since_id={tail_from}",
            "journal entry": f"/_testbed/traffic/{tail_from}",
        }
        print(f"{args.orders} orders, {args.calls} journalled calls; {args.requests} requests per route, one at a "
              f"time, on 127.0.0.1; target p95 < {TARGET_MS:.0f} ms")
        worst = 0.0
        for name, path in routes.items():
            latencies = timed(session, server.base_url + path, args.requests)
            cuts = statistics.quantiles(latencies, n=100)
            worst = max(worst, cuts[94])
            print(f"{name:<28} p50 {cuts[49]:7.1f} ms   p95 {cuts[94]:7.1f} ms")
        print(f"slowest p95 {worst:.1f} ms: {'within' if worst < TARGET_MS else 'OVER'} the {TARGET_MS:.0f} ms target")
        return 0 if worst < TARGET_MS else 1
    finally:
        server.stop()
        shutil.rmtree(folder)


if __name__ == "__main__":
    sys.exit(main())
