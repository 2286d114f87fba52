"""The highest clock scale at which a live world keeps up while the reference connector works in it: for
`live-demo` and `default`, `python -m mock_amazon --scenario NAME --clock-scale S --reference-integration` runs
for a while of real time at each scale, and a scale keeps up when the world's lag behind its pace stays under one
simulated minute at p99 and no merchant-fulfilled order is left past its ship-by date.

Amazon's real quotas are lifted for the run: at high scales the connector polls on the world's clock, many times
faster in real seconds than the quotas allow, and what is measured here is the world's own pace.

Run: python benchmarks/live_world.py [--seconds 20] [--scales 60,300,600,1200,2400,4800]
"""
from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta

import requests

from mock_amazon.launcher import Server

LAG_LIMIT_SECONDS = 60.0


def late_orders(server: Server) -> int:
    """Merchant-fulfilled orders whose LatestShipDate has passed unshipped, read through Amazon's API."""
    seller = server.info["sellers"][0]
    token = requests.post(f"{server.base_url}/auth/o2/token", timeout=30, data={
        "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret", "refresh_token")}})
    headers = {"x-amz-access-token": token.json()["access_token"]}
    now = datetime.fromisoformat(requests.get(f"{server.base_url}/_world/clock", timeout=30).json()["now"])
    late, next_token = 0, None
    while True:
        params = {"MarketplaceIds": seller["marketplace_id"], "FulfillmentChannels": "MFN",
                  "CreatedAfter": (now - timedelta(days=60)).isoformat(), "OrderStatuses": "Unshipped",
                  **({"NextToken": next_token} if next_token else {})}
        payload = requests.get(f"{server.base_url}/orders/v0/orders", params=params, headers=headers,
                               timeout=30).json()["payload"]
        late += sum(datetime.fromisoformat(o["LatestShipDate"].replace("Z", "+00:00")) < now
                    for o in payload["Orders"])
        next_token = payload.get("NextToken")
        if not next_token:
            return late


def measure(scenario: str, scale: int, seconds: float) -> dict:
    server = Server("--scenario", scenario, "--clock-scale", str(scale), "--reference-integration")
    try:
        server.control("PUT", "/rate-limits", {"lifted": True})
        time.sleep(seconds)  # the world runs in real time: this is the measurement
        state = server.control("GET", "/world")[1]
        return {"lag": state["lag_seconds"], "late": late_orders(server), "placed": state["orders_placed"]}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="real seconds at each scale")
    parser.add_argument("--scales", default="60,300,600,1200,2400,4800")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    for scenario in ("live-demo", "default"):
        highest = None
        for scale in scales:
            result = measure(scenario, scale, args.seconds)
            keeps_up = result["lag"]["p99"] < LAG_LIMIT_SECONDS and result["late"] == 0
            lag = result["lag"]
            print(f"{scenario:>9} at {scale:>5}x: lag p99 {lag['p99']:8.1f} s, max {lag['max']:8.1f}"
                  f" s over {lag['steps']} steps; late orders {result['late']}; "
                  f"orders placed {sum(result['placed'].values())}; {'keeps up' if keeps_up else 'falls behind'}",
                  flush=True)
            if not keeps_up:
                break
            highest = scale
        print(f"{scenario}: highest scale that keeps up: {highest}x "
              f"(limit: p99 lag under {LAG_LIMIT_SECONDS:.0f} simulated seconds, no order late)", flush=True)


if __name__ == "__main__":
    main()
