"""A running mock as the judge sees it: over HTTP only, through `/_testbed/` (Amazon's records and journal) and
`/_world/` (the seller's side the world simulates). The judge never imports the mock."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests


class CannotJudge(Exception):
    """Nothing to judge: the mock is unreachable, or it runs no marketplace."""


@dataclass
class Marketplace:
    url: str
    token: str | None = None    # the control token, when the mock asks for one
    timeout: float = 30.0
    http: requests.Session = field(default_factory=requests.Session)

    def get(self, path: str, **params: Any) -> Any:
        headers = {"x-testbed-token": self.token} if self.token else {}
        try:
            answer = self.http.get(f"{self.url.rstrip('/')}{path}", params=params, headers=headers,
                                   timeout=self.timeout)
        except requests.RequestException as error:
            raise CannotJudge(f"the mock at {self.url} cannot be reached: {error}") from None
        if answer.status_code == 404 and path.startswith("/_world/"):
            return None  # no live world: the seller's side is not simulated
        if answer.status_code != 200:
            raise CannotJudge(f"{path} answered {answer.status_code}: {answer.text[:300]}")
        return answer.json()

    def put(self, path: str, body: dict[str, Any]) -> Any:
        headers = {"x-testbed-token": self.token} if self.token else {}
        try:
            answer = self.http.put(f"{self.url.rstrip('/')}{path}", json=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as error:
            raise CannotJudge(f"the mock at {self.url} cannot be reached: {error}") from None
        return answer.json() if answer.content else None

    @contextmanager
    def held_still(self) -> Iterator[None]:
        """The marketplace's clock paused while the judge reads, so records, journal and the seller's side are
        of one instant (a world at 600x moves ten minutes a second); running again afterwards if it ran."""
        clock = self.get("/_testbed/clock")
        running = clock.get("scale") is not None and not clock.get("paused", True)
        if running:
            self.put("/_testbed/clock", {"paused": True})
        try:
            yield
        finally:
            if running:
                self.put("/_testbed/clock", {"paused": False})

    def now(self) -> float:
        seconds: float = self.get("/_testbed/clock")["seconds"]
        return seconds

    def sellers(self) -> list[dict[str, Any]]:
        sellers: list[dict[str, Any]] = self.get("/_testbed/sellers")["sellers"]
        return sellers

    def records(self, kind: str, seller_id: str) -> list[dict[str, Any]]:
        """Every stored record of a kind for the seller, page after page."""
        found: list[dict[str, Any]] = []
        after = ""
        while True:
            page = self.get(f"/_testbed/records/{kind}", seller_id=seller_id, after=after, limit=1000)
            found += page["records"]
            if not page["next"]:
                return found
            after = page["next"]

    def inventory(self, seller_id: str) -> list[dict[str, Any]]:
        positions: list[dict[str, Any]] = self.get("/_testbed/inventory", seller_id=seller_id)["positions"]
        return positions

    def journal(self, **where: Any) -> list[dict[str, Any]]:
        """Journal entries without bodies, oldest first, page after page."""
        found: list[dict[str, Any]] = []
        since = 0
        while True:
            page = self.get("/_testbed/traffic", since_id=since, limit=100_000, **where)["traffic"]
            found += page
            if len(page) < 100_000:
                return found
            since = page[-1]["id"]

    def har_entries(self, operation: str) -> list[dict[str, Any]]:
        """One operation's journal entries with their bodies, as HAR entries (each with its journal `_id`)."""
        entries: list[dict[str, Any]] = self.get("/_testbed/traffic.har", operation=operation,
                                                 limit=100_000)["log"]["entries"]
        return entries

    def world(self) -> dict[str, Any] | None:
        """The seller's side of a live world: catalog, webstore orders, warehouse stock; None without one."""
        catalog = self.get("/_world/catalog")
        if catalog is None:
            return None
        orders: list[dict[str, Any]] = []
        since = None
        while True:
            page = self.get("/_world/webstore/orders", limit=1000, **({"since": since} if since else {}))["orders"]
            fresh = [o for o in page if o["id"] not in {seen["id"] for seen in orders}]
            orders += fresh
            if len(page) < 1000 or not fresh:
                break
            since = page[-1]["created"]
        return {"catalog": catalog, "webstore_orders": orders,
                "stock": self.get("/_world/warehouse/stock")["stock"], "clock": self.get("/_world/clock")}


def seconds_of(iso: str) -> float:
    """POSIX seconds of an ISO 8601 instant as the mock writes them."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
