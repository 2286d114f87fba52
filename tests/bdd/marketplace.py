"""What every Gherkin scenario stands on: Amazon's mock as the scenario sees it (`Marketplace`), a seller on it
(`Seller`) and the catalog seeded for that seller (`Catalog`). The fixtures that make them are in conftest.py.

By default each scenario gets an in-process mock on a virtual clock. Given the base URL of a running
`python -m mock_amazon` (`--mock-url`, or $SP_API_MOCK_URL), the same scenario goes over HTTP: set-up and clock
moves through the mock's control API, and the integration reads the mock's clock.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from mock_amazon import MockAmazon
from mock_amazon.auth import Seller
from mock_amazon.client import Control, InProcess, OverHttp, RemoteClock
from model.clock import Clock, VirtualClock
from model.workflows import driver
from model.workflows.protocol import Request, Response, Workflow
from model.workflows.session import Session, reliable

#: Seeding is deterministic per seed: every feature's catalog is the same for the same number of SKUs.
CATALOG_SEED = 11


@dataclass(frozen=True)
class Catalog:
    """The SKUs seeded for a seller: all of them, the FBA ones and the merchant-fulfilled ones, in Amazon's order."""
    skus: tuple[str, ...]
    fba_skus: tuple[str, ...]
    mfn_skus: tuple[str, ...]


class Marketplace:
    """Amazon's mock as a scenario sees it: its control API, the transport the integration's calls take, its
    clock, and whether it runs in-process or live. `run` drives a workflow to its end; `advance` moves time."""

    def __init__(self, base_url: str | None) -> None:
        self.live = base_url is not None
        self.send: Callable[[Request], Response]
        self.clock: Clock
        #: the in-process mock itself (None when live); steps that read its internals take the `amazon` fixture
        self.in_process: MockAmazon | None = None
        if base_url is not None:
            self.control = Control(base_url=base_url)
            self.send = OverHttp(base_url)
            self.clock = RemoteClock(self.control)
            # a live mock keeps faults, limits and settings between scenarios: start from clean
            assert self.control.post("/_testbed/reset").status_code == 200
        else:
            self.in_process = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", seed=3)
            self.control = Control(self.in_process)
            self.send = InProcess(self.in_process)
            self.clock = self.in_process.clock
        #: when the scenario began, on the mock's clock
        self.started: datetime = self.clock.now()

    def advance(self, seconds: float) -> None:
        """Time passes: through the control API, so Amazon does what it had scheduled (in both modes)."""
        RemoteClock(self.control).advance(seconds)

    def settings(self) -> dict[str, Any]:
        """Amazon's current settings (verification and shipping delays, chances of trouble)."""
        settings: dict[str, Any] = self.control.put("/_testbed/settings", json={}).json
        return settings

    def traffic(self) -> list[dict[str, Any]]:
        """The calls Amazon has answered so far, as its traffic log holds them."""
        traffic: list[dict[str, Any]] = self.control.get("/_testbed/traffic").json["traffic"]
        return traffic

    def run(self, workflow: Workflow, session: Session) -> Any:
        """Drives `workflow` to its end as the integration's `session`: tokens, retries and pacing included."""
        return driver.run(reliable(workflow, session), self.send, self.advance)

    def run_plain(self, workflow: Workflow) -> Any:
        """A workflow that needs no access token (connecting a store)."""
        return driver.run(workflow, self.send, self.advance)

    def call(self, operation: str, session: Session, **request: Any) -> Response:
        """One SP-API call as the integration's session: what Amazon holds, asked the way a client asks."""
        def one_call() -> Workflow:
            return (yield Request(operation, **request))
        answer: Response = self.run(one_call(), session)
        return answer

    def session_for(self, client_id: str, client_secret: str, refresh_token: str) -> Session:
        """The integration's session for one set of LWA credentials, on the mock's clock."""
        return Session(client_id, client_secret, refresh_token, self.clock, rng=random.Random(5))

    def new_seller(self) -> Seller:
        """A new seller on Amazon, made through the control API."""
        return Seller(**self.control.post("/_testbed/sellers").json)

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
