"""What every Gherkin scenario stands on: Amazon's mock as the scenario sees it (`Marketplace`), a seller on it
(`Seller`), the catalog seeded for that seller (`Catalog`) and the orders buyers placed (`AmazonOrder`). The
fixtures that make them are in conftest.py; the steps that use them are in steps/amazon.py.

By default each scenario gets an in-process mock on a virtual clock. Given the base URL of a running
`python -m mock_amazon` (`--mock-url`, or $SP_API_MOCK_URL), the same scenario goes over HTTP: set-up and clock
moves through the mock's control API, and the integration reads the mock's clock, which is paused so that time
moves only when the scenario moves it, as in-process. Either way a step learns what Amazon holds only the ways a
client or a QA engineer can: SP-API calls, the control API, the traffic journal and the notifications.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from mock_amazon import MockAmazon
from mock_amazon.auth import Seller
from mock_amazon.client import Control, InProcess, OverHttp, RemoteClock
from model.clock import Clock, VirtualClock, to_seconds
from model.workflows import driver
from model.workflows.protocol import Request, Response, Workflow
from model.workflows.session import Session, reliable

#: Seeding is deterministic per seed: every feature's catalog is the same for the same number of SKUs.
CATALOG_SEED = 11
MARKETPLACE_ID = "ATVPDKIKX0DER"


@dataclass(frozen=True)
class Catalog:
    """The SKUs seeded for a seller: all of them, the FBA ones and the merchant-fulfilled ones, in Amazon's order."""
    skus: tuple[str, ...]
    fba_skus: tuple[str, ...]
    mfn_skus: tuple[str, ...]


@dataclass(frozen=True)
class AmazonOrder:
    """An order a buyer placed on Amazon in the scenario: its ID, what was bought, and how it is fulfilled."""
    id: str
    sku: str
    units: int
    channel: str          # AFN or MFN
    method: str = "Standard"


class Marketplace:
    """Amazon's mock as a scenario sees it: its control API, the transport the integration's calls take, its
    clock, and whether it runs in-process or live. `run` drives a workflow to its end; `advance` moves time;
    `call` asks Amazon what it holds, the way a client asks, on the testbed's own transport."""

    def __init__(self, base_url: str | None) -> None:
        self.live = base_url is not None
        self.base_url = base_url
        self.clock: Clock
        if base_url is not None:
            self.control = Control(base_url=base_url)
            self.reads: Callable[[Request], Response] = OverHttp(base_url)
            self.clock = RemoteClock(self.control)
            # a live mock keeps faults, limits and settings between scenarios: start from clean, and let time
            # move only when the scenario moves it
            assert self.control.post("/_testbed/reset").status_code == 200
            assert self.control.put("/_testbed/clock", json={"paused": True}).status_code == 200
        else:
            amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", seed=3)
            self.control = Control(amazon)
            self.reads = InProcess(amazon)
            self.clock = amazon.clock
        #: how the integration's own calls reach Amazon (a real client library's, for some live scenarios)
        self.send: Callable[[Request], Response] = self.reads
        #: when the scenario began, on the mock's clock
        self.started: datetime = self.clock.now()
        self._readers: dict[str, Session] = {}   # the testbed's own session per seller, for `call`

    # time
    def advance(self, seconds: float) -> None:
        """Time passes: through the control API, so Amazon does what it had scheduled (in both modes)."""
        RemoteClock(self.control).advance(seconds)

    def advance_to(self, moment: datetime) -> None:
        """Time passes until `moment` (never backwards)."""
        self.advance(max(0.0, to_seconds(moment) - self.clock.seconds()))

    # Amazon's settings, faults and limits
    def settings(self, **changes: Any) -> dict[str, Any]:
        """Amazon's settings (verification and shipping delays, chances of trouble), after `changes`."""
        answer = self.control.put("/_testbed/settings", json=changes)
        assert answer.status_code == 200, answer.json
        settings: dict[str, Any] = answer.json
        return settings

    # what Amazon holds, the ways a client or a QA engineer reads it
    def traffic(self, operation: str | None = None, status: int | str | None = None,
                seller: Seller | None = None) -> list[dict[str, Any]]:
        """The calls Amazon has answered so far, as its traffic journal holds them (both times, no bodies)."""
        query = {"limit": "100000", **({"operation": operation} if operation else {}),
                 **({"status": str(status)} if status is not None else {}),
                 **({"seller_id": seller.seller_id} if seller else {})}
        answer = self.control.get("/_testbed/traffic", query=query)
        assert answer.status_code == 200, answer.json
        traffic: list[dict[str, Any]] = answer.json["traffic"]
        return traffic

    def traffic_entry(self, entry_id: int) -> dict[str, Any]:
        """One journal entry with both sides' headers and bodies."""
        entry: dict[str, Any] = self.control.get(f"/_testbed/traffic/{entry_id}").json
        return entry

    def notifications(self, seller: Seller, queue_arn: str | None = None) -> list[dict[str, Any]]:
        """The notifications waiting for the seller, oldest first, each {"type", "body"}, read once (deleted
        after reading). Live, given the queue's ARN, they are read the way a connector reads them: from the mock's
        SQS queue with boto3; otherwise through the control API, which reads the same queues."""
        if self.live and queue_arn is not None:
            return self._from_sqs(queue_arn)
        answer = self.control.get("/_testbed/notifications", query={
            "seller_id": seller.seller_id, "consume": "true", "limit": "1000"})
        messages: list[dict[str, Any]] = answer.json["notifications"]
        return messages

    def _from_sqs(self, queue_arn: str) -> list[dict[str, Any]]:
        import boto3  # the dev extra's; only live scenarios read a queue this way

        _, _, _, region, _, name = queue_arn.split(":")
        queue = boto3.client("sqs", endpoint_url=self.base_url, region_name=region, aws_access_key_id="testbed",
                             aws_secret_access_key="testbed")
        url = queue.get_queue_url(QueueName=name)["QueueUrl"]
        messages = []
        while batch := queue.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in batch:
                body = json.loads(message["Body"])
                messages.append({"type": body.get("notificationType") or body.get("NotificationType"), "body": body})
                queue.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return messages

    def call(self, operation: str, session: Session, **request: Any) -> Response:
        """One SP-API call for the seller of `session`: what Amazon holds, asked as a client asks (see `read`)."""
        def one_call() -> Workflow[Response]:
            return (yield Request(operation, **request))
        answer: Response = self.read(one_call(), session)
        return answer

    def read(self, workflow: Workflow, session: Session) -> Any:
        """A workflow of the testbed's own (reading a report, say) for the seller of `session`, on the testbed's
        transport with the testbed's own tokens: the integration's session, its tokens and renewals, and the
        client it uses stay untouched."""
        reader = self._readers.get(session.refresh_token)
        if reader is None:
            reader = self._readers[session.refresh_token] = self.session_for(
                session.client_id, session.client_secret, session.refresh_token)
        return driver.run(reliable(workflow, reader), self.reads, self.advance)

    # the integration's calls
    def run(self, workflow: Workflow, session: Session) -> Any:
        """Drives `workflow` to its end as the integration's `session`: tokens, retries and pacing included."""
        return driver.run(reliable(workflow, session), self.send, self.advance)

    def run_plain(self, workflow: Workflow) -> Any:
        """A workflow that needs no access token (connecting a store)."""
        return driver.run(workflow, self.send, self.advance)

    def session_for(self, client_id: str, client_secret: str, refresh_token: str) -> Session:
        """The integration's session for one set of LWA credentials, on the mock's clock."""
        return Session(client_id, client_secret, refresh_token, self.clock, rng=random.Random(5))

    # set-up through the control API
    def new_seller(self) -> Seller:
        """A new seller on Amazon, made through the control API."""
        return Seller.from_credentials(self.control.post("/_testbed/sellers").json)

    def seed(self, seller: Seller, skus: int) -> Catalog:
        """`skus` listings for `seller`, some FBA (with stock at Amazon) and some merchant-fulfilled; no orders."""
        seeded = self.control.post("/_testbed/seed", json={"seller_id": seller.seller_id, "skus": skus,
                                                           "orders": 0, "seed": CATALOG_SEED}).json
        return Catalog(skus=tuple(seeded["skus"]), fba_skus=tuple(seeded["fba_skus"]),
                       mfn_skus=tuple(sku for sku in seeded["skus"] if sku not in seeded["fba_skus"]))

    def place_order(self, seller: Seller, channel: str, sku: str, units: int, **order: Any) -> str:
        """A buyer orders `units` of `sku` from `seller` on Amazon (`channel` AFN or MFN); the order's ID."""
        placed = self.control.post("/_testbed/orders", json={"seller_id": seller.seller_id, "channel": channel,
                                                             **order, "lines": [{"sku": sku, "quantity": units}]})
        assert placed.status_code == 201, placed.json
        order_id: str = placed.json["order_id"]
        return order_id

    def set_stock(self, seller: Seller, sku: str, channel: str, locations: dict[str, dict[str, int]]) -> None:
        """The SKU's stock in one channel becomes exactly `locations` ({location: {sellable, unsellable}})."""
        answer = self.control.put("/_testbed/inventory", json={"seller_id": seller.seller_id, "sku": sku,
                                                               "channel": channel, "locations": locations})
        assert answer.status_code == 200, answer.json
