"""The reference integration as a connector of its own: the same schedules and workflows that `run_sim.py` runs
in-process, run here in a separate process against a live mock over HTTP, exactly as an outside connector would.

    python -m simulator.connector [--scenario NAME] [--set key=value ...]

It reads where Amazon is and the seller's credentials from its environment (SP_API_MOCK_URL, LWA_APP_ID,
LWA_CLIENT_SECRET, SP_API_REFRESH_TOKEN, SP_API_SELLER_ID, SP_API_MARKETPLACE_ID), calls only SP-API and the
seller's own systems at `/_world/` (never `/_testbed/`), and schedules itself on the world's clock: a SimPy
real-time environment at the world's scale. Its session paces and backs off in real seconds (`Wait.on_wire`).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
from collections.abc import Generator
from datetime import timedelta
from types import FrameType
from typing import Any, NoReturn

import boto3
import requests
import simpy
import simpy.rt
from botocore.exceptions import BotoCoreError, ClientError

from mock_amazon.client import CREDENTIAL_VARIABLES, OverHttp
from model.clock import Clock, VirtualClock, WallClock, to_datetime
from model.seller import StoreOrder
from model.workflows.protocol import Request, Response, Wait, Workflow, perform
from simulator import scenario as scenarios
from simulator.actors import integration
from simulator.metrics import Metrics
from simulator.world import IntegrationState, reference_session

WATCH_SECONDS = 60.0   # simulated seconds between two looks at the shop's new orders and the warehouse's moves
ORDER_QUEUE = "arn:aws:sqs:us-east-1:000000000000:reference-connector-orders"   # where its ORDER_CHANGE arrive


class HttpTransport:
    """Calls over HTTP as they come; the marketplace's waits pass on the world's clock, the wire's in real time."""

    def __init__(self, env: simpy.Environment, send: OverHttp, metrics: Metrics, scale: float):
        self.env, self.send, self.metrics, self.scale = env, send, metrics, scale

    def run(self, workflow: Workflow) -> Generator[Any, Any, Any]:
        return (yield from perform(workflow, self.wait, self.call))

    def wait(self, effect: Wait) -> Generator[Any, Any, None]:
        yield self.env.timeout(effect.seconds * self.scale if effect.on_wire else effect.seconds)

    def call(self, request: Request) -> Generator[Any, Any, Response]:
        started = self.env.now
        response = self.send(request)
        self.metrics.call(request.operation, response.status, self.env.now - started, response.timed_out)
        yield from ()
        return response


class RemoteWarehouse:
    """The seller's warehouse through `/_world/warehouse`: the same calls a WMS integration makes."""

    def __init__(self, http: requests.Session, base_url: str):
        self.http, self.base_url = http, base_url

    def free(self, sku: str) -> int:
        answer = self.http.get(f"{self.base_url}/_world/warehouse/stock", params={"sku": sku}, timeout=30)
        return next((entry["free"] for entry in answer.json()["stock"]), 0)

    def allocate(self, sku: str, units: int) -> bool:
        return self._move("allocate", sku, units).status_code == 200

    def release(self, sku: str, units: int) -> None:
        self._move("release", sku, units)

    def ship(self, sku: str, units: int) -> None:
        self._move("ship", sku, units)

    def _move(self, kind: str, sku: str, units: int) -> requests.Response:
        return self.http.post(f"{self.base_url}/_world/warehouse/movements",
                              json={"kind": kind, "sku": sku, "units": units}, timeout=30)


class Seller:
    def __init__(self, seller_id: str, marketplace_id: str):
        self.seller_id, self.marketplace_id = seller_id, marketplace_id


class Connector(IntegrationState):
    """The reference integration's state in its own process: what `simulator.actors.integration` needs of a
    world, with the warehouse, the webstore and the catalog read from `/_world/`."""

    def __init__(self, scenario: dict, base_url: str, credentials: dict[str, str]):
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        world_clock = self.http.get(f"{self.base_url}/_world/clock", timeout=30).json()
        catalog = self.http.get(f"{self.base_url}/_world/catalog", timeout=30).json()
        scale = float(world_clock["scale"] or 1.0)
        env = simpy.rt.RealtimeEnvironment(factor=1.0 / scale, strict=False)
        clock = VirtualClock(world_clock["seconds"])
        clock.follow(env)
        super().__init__(env, clock, scenario)
        self.start = to_datetime(world_clock["seconds"])
        self.seed = scenario["run"]["seed"]
        self.rng = random.Random(self.seed)
        self.seller = Seller(credentials["seller_id"], credentials["marketplace_id"])
        self.skus: dict[str, list[str]] = catalog["skus"]
        self.dimensions: dict[str, dict] = catalog["dimensions"]
        self.flex_set = set(self.skus["seller_flex"])
        self.site: str = catalog["location"]
        self.order_lookback = timedelta(days=2)   # a connector started in a running world catches up first
        self.warehouse = RemoteWarehouse(self.http, self.base_url)
        self.wire: Clock = WallClock()
        self.session = reference_session(credentials["client_id"], credentials["client_secret"],
                                         credentials["refresh_token"], scenario, self.wire,
                                         random.Random(self.seed + 2))
        self.transport = HttpTransport(env, OverHttp(self.base_url), self.metrics, scale)  # type: ignore[assignment]

    @property
    def location(self) -> str:
        return self.site


    def fire(self, order: StoreOrder, trigger: str) -> None:
        super().fire(order, trigger)
        if trigger == "ship_fully" and order.source == "webstore":  # the shop learns its order shipped
            self.http.post(f"{self.base_url}/_world/webstore/orders/{order.external_id}/shipment",
                           json={"tracking": order.tracking or ["unknown"]}, timeout=30)

    def start_schedules(self) -> None:
        integration.start(self)  # type: ignore[arg-type]  # a Connector offers what the schedules use of a World
        self.env.process(self.shop_watcher())
        self.env.process(self.stock_watcher())
        self.env.process(self.order_notifications())

    def order_notifications(self) -> Generator[Any, Any, None]:
        """ORDER_CHANGE through the mock's SQS, read with boto3 as a production connector reads its queue: an
        order that became Unshipped is taken at once instead of at the next poll (which stays, for what a lost
        notification would miss). A message is deleted only once handled, so a crash means redelivery."""
        subscribed = yield from self.perform(subscribe(ORDER_QUEUE, "ORDER_CHANGE"))
        if not subscribed:
            return
        queue = boto3.client("sqs", endpoint_url=self.base_url, region_name="us-east-1",
                             aws_access_key_id="connector", aws_secret_access_key="connector")
        queue_url = queue.get_queue_url(QueueName=ORDER_QUEUE.rsplit(":", 1)[-1])["QueueUrl"]
        while True:
            try:
                messages = queue.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            except (BotoCoreError, ClientError) as error:  # the queue is down for now: the poll covers, try again
                print(f"reference connector: reading the queue failed: {error}", file=sys.stderr)
                messages = []
            for message in messages:
                change = json.loads(message["Body"])["Payload"]["OrderChangeNotification"]
                summary = {"AmazonOrderId": change["AmazonOrderId"], **change.get("Summary", {})}
                if summary.get("OrderStatus") == "Unshipped" and summary.get("FulfillmentType") == "MFN":
                    yield from integration.take_amazon_order(self, summary)  # type: ignore[arg-type]
                try:
                    queue.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                except (BotoCoreError, ClientError):
                    pass  # it comes back after its visibility timeout, and is handled once more (no harm: once)
            yield self.env.timeout(WATCH_SECONDS / 2)

    def shop_watcher(self) -> Generator[Any, Any, None]:
        """New webstore orders become the integration's store orders, to send to FBA."""
        since = None
        settings = self.scenario["integration"]
        while True:
            query = {"limit": 1000, **({"since": since} if since else {})}
            for entry in self.http.get(f"{self.base_url}/_world/webstore/orders", params=query,
                                       timeout=30).json()["orders"]:
                since = entry["created"]
                if ("webstore", entry["id"]) in self.by_external:
                    continue
                order = self.add_order("webstore", entry["id"],
                                       [(line["sku"], line["quantity"]) for line in entry["lines"]],
                                       self.env.now + settings["handling_days"] * 86_400 + 5 * 86_400)
                order.address, order.method = entry["ship_to"], entry["shipping_speed"]
                self.fire(order, "import_order")
                self.webstore_inbox.put(order)
            for entry in self.http.get(f"{self.base_url}/_world/webstore/orders", timeout=30,
                                       params={"cancellation_requested": "true", "limit": "1000"}).json()["orders"]:
                mine = self.by_external.get(("webstore", entry["id"]))
                if mine is not None and mine.cancel_requested is None:
                    self.request_cancellation(mine)   # webstore_cancellations passes it on to Amazon
            yield self.env.timeout(WATCH_SECONDS)

    def stock_watcher(self) -> Generator[Any, Any, None]:
        """SKUs that moved in the warehouse are pushed again (to Amazon's listings or the seller-flex site)."""
        since = self.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        while True:
            yield self.env.timeout(WATCH_SECONDS)
            looked = to_datetime(self.clock.seconds() - WATCH_SECONDS).strftime("%Y-%m-%dT%H:%M:%SZ")  # overlap
            moved = self.http.get(f"{self.base_url}/_world/warehouse/stock", params={"changed_since": since},
                                  timeout=30).json()["stock"]
            for entry in moved:
                (self.flex_dirty if entry["sku"] in self.flex_set else self.mfn_dirty).add(entry["sku"])
            since = looked


def subscribe(queue_arn: str, notification_type: str) -> Workflow[bool]:
    """A destination for the queue, and the notification type subscribed to it (an existing subscription is kept)."""
    destination = yield Request("notifications.createDestination", body={
        "name": notification_type.lower(), "resourceSpecification": {"sqs": {"arn": queue_arn}}})
    if not destination.ok:
        return False
    subscription = yield Request("notifications.createSubscription", path={"notificationType": notification_type},
                                 body={"payloadVersion": "1.0",
                                       "destinationId": destination.body["payload"]["destinationId"]})
    return subscription.ok or subscription.status == 409


def credentials_from_environment() -> dict[str, str]:
    names = {"client_id": CREDENTIAL_VARIABLES["client_id"],
             "client_secret": CREDENTIAL_VARIABLES["client_secret"],
             "refresh_token": CREDENTIAL_VARIABLES["refresh_token"],
             "seller_id": "SP_API_SELLER_ID", "marketplace_id": "SP_API_MARKETPLACE_ID"}
    missing = [variable for variable in (*names.values(), "SP_API_MOCK_URL") if not os.environ.get(variable)]
    if missing:
        raise ValueError(f"missing in the environment: {', '.join(missing)}")
    return {key: os.environ[variable] for key, variable in names.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.connector", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scenario", default="default", help="whose integration settings to use")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    try:
        scenario = scenarios.apply_overrides(scenarios.load(args.scenario), args.set)
        credentials = credentials_from_environment()
        connector = Connector(scenario, os.environ["SP_API_MOCK_URL"], credentials)
    except (scenarios.ScenarioError, ValueError) as error:
        print(f"reference connector: {error}", file=sys.stderr)
        return 2
    except requests.RequestException as error:
        print(f"reference connector: cannot reach the mock at {os.environ['SP_API_MOCK_URL']}: {error}",
              file=sys.stderr)
        return 2

    def stop(_signal: int, _frame: FrameType | None) -> NoReturn:
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    connector.start_schedules()
    try:
        connector.env.run()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
