"""Load the standalone mock from a second process on loopback: requests per second and p50/p99 latency for
getOrders and getInventorySummaries, rate limits lifted.

Floor: the same number of requests to the server's cheapest route (the control API's clock), which measures
the WSGI server and HTTP stack alone.
Run: python benchmarks/mock_server.py [--requests N] [--concurrency C]
"""
import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from mock_amazon.launcher import Server


def load(url: str, count: int, concurrency: int, headers: dict, params: dict) -> tuple[float, list[float]]:
    sessions = [requests.Session() for _ in range(concurrency)]

    def one(index: int) -> float:
        started = time.perf_counter()
        response = sessions[index % concurrency].get(url, headers=headers, params=params, timeout=30)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
        return elapsed

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(one, range(count)))
    return time.perf_counter() - started, latencies


def report(name: str, wall: float, latencies: list[float]) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{name:<24} {len(latencies) / wall:8.0f} req/s   p50 {cuts[49] * 1000:6.1f} ms   "
          f"p99 {cuts[98] * 1000:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    server = Server("--sellers", "1", "--threads", str(args.concurrency))
    try:
        seller = server.info["sellers"][0]
        server.control("POST", "/seed", {"seller_id": seller["seller_id"], "skus": 200, "orders": 300, "seed": 1})
        server.control("PUT", "/rate-limits", {"lifted": True})
        token = requests.post(f"{server.base_url}/auth/o2/token", timeout=10, data={
            "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret",
                                                                      "refresh_token")}}).json()["access_token"]
        headers = {"x-amz-access-token": token}
        print(f"{args.requests} requests each, {args.concurrency} in flight, server and client on 127.0.0.1")
        wall, latencies = load(f"{server.base_url}/_testbed/clock", args.requests, args.concurrency, {}, {})
        report("floor (control clock)", wall, latencies)
        wall, latencies = load(f"{server.base_url}/orders/v0/orders", args.requests, args.concurrency, headers,
                               {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2020-01-01T00:00:00Z",
                                "MaxResultsPerPage": "20"})
        report("getOrders (20 a page)", wall, latencies)
        wall, latencies = load(f"{server.base_url}/fba/inventory/v1/summaries", args.requests, args.concurrency,
                               headers, {"granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER",
                                         "marketplaceIds": "ATVPDKIKX0DER", "details": "true"})
        report("getInventorySummaries", wall, latencies)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
