"""Restricted data tokens (RDTs): what Amazon asks for before it answers a buyer's personal data.

Amazon's restricted operations (the Tokens API use case guide), as far as the mock serves them: Orders v0's
getOrders, getOrder and getOrderItems answer buyer information and shipping addresses only to an RDT whose
resource names their path and those `dataElements` (with a plain access token they answer without them), and
getOrderAddress and getOrderBuyerInfo answer nothing without an RDT. A resource's path is the operation's path with
its parameters filled in (one order) or left as they are (`/orders/v0/orders/{orderId}/address`: any order). An RDT
belongs to the seller who asked for it, lives an hour on the wire's clock, and opens only the restricted operations
it names. Orders 2026-01-01 needs none: Amazon grants its personal data by role.

Not modelled: delegation to a `targetApplication`, restricted report types, and the restricted operations of APIs
the mock does not serve (Merchant Fulfillment, Direct Fulfillment, Shipping).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mock_amazon.auth import Seller
from mock_amazon.errors import InvalidInput, Unauthorized
from mock_amazon.spec import Operation, operation

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

RDT_SECONDS = 3600
PREFIX = "Atz.sprdt|"
PERSONAL_DATA = ("buyerInfo", "shippingAddress", "buyerTaxInformation")
# model.operationId -> the data elements an RDT may name for it; () where the RDT itself is what it asks for
RESTRICTED: dict[str, tuple[str, ...]] = {
    "ordersV0.getOrders": PERSONAL_DATA, "ordersV0.getOrder": PERSONAL_DATA,
    "ordersV0.getOrderItems": ("buyerInfo",), "ordersV0.getOrderAddress": (), "ordersV0.getOrderBuyerInfo": (),
}
DENIED = "Access to requested resource is denied."
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class InvalidRequest(InvalidInput):
    """The Tokens API's word for a request it cannot read (its model's own 400 example)."""
    code = "InvalidRequest"


@dataclass(frozen=True)
class Grant:
    """Who calls, and which restricted data the call may see (empty with a plain access token)."""
    seller: Seller
    data_elements: frozenset[str] = frozenset()


def _restricted_operations() -> list[Operation]:
    return [operation(*key.split(".", 1)) for key in RESTRICTED]


def _path_pattern(template: str) -> re.Pattern[str]:
    """A restricted resource's path: the template itself (any value), or the template with its parameters filled."""
    return re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)))


def _restricted_for(method: str, path: str) -> Operation | None:
    for op in _restricted_operations():
        if op.method == method and (path == op.path or _path_pattern(op.path).fullmatch(path)):
            return op
    return None


class RestrictedDataTokens:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon

    def create(self, seller: Seller, request: dict) -> dict:
        """createRestrictedDataToken: an RDT for every resource asked for, or InvalidInput naming the first that
        is no restricted resource or asks for data elements its operation has not."""
        resources = request.get("restrictedResources") or []
        if not resources:
            raise InvalidRequest("Request is missing or has invalid parameters", "Resource not provided.")
        granted = []
        for index, resource in enumerate(resources):
            where = f"restrictedResources[{index}]"
            op = _restricted_for(resource["method"], resource["path"])
            if op is None:
                raise InvalidInput(f"{resource['method']} {resource['path']} is no restricted resource: it names no "
                                   "restricted operation's path (Tokens API use case guide).", f"{where}.path")
            allowed, asked = RESTRICTED[op.key], resource.get("dataElements")
            if allowed and not asked:
                raise InvalidInput(f"{op.operation_id} needs dataElements ({', '.join(allowed)}) in its restricted "
                                   "resource.", f"{where}.dataElements")
            unknown = [element for element in asked or [] if element not in allowed]
            if allowed and unknown:
                raise InvalidInput(f"{op.operation_id} has no data element {unknown[0]!r}; it has "
                                   f"{', '.join(allowed)}.", f"{where}.dataElements")
            granted.append({"method": resource["method"], "path": resource["path"],
                            "data_elements": list(asked or []) if allowed else []})
        token = PREFIX + "".join(self.amazon.rng.choice(TOKEN_ALPHABET) for _ in range(120))
        self.amazon.store.execute("INSERT INTO restricted_tokens VALUES (?, ?, ?, ?)",
                                  (token, seller.seller_id, self.amazon.wire_clock.seconds() + RDT_SECONDS,
                                   json.dumps(granted)))
        return {"restrictedDataToken": token, "expiresIn": RDT_SECONDS}

    def grant(self, token: str | None, op: Operation, path: str) -> Grant:
        """The pipeline's authentication: a plain access token for any operation but those that need an RDT; an
        RDT only for the restricted operations (and paths) it names, with the data elements it names."""
        if token is None or not token.startswith(PREFIX):
            seller = self.amazon.auth.seller_for(token)
            if RESTRICTED.get(op.key) == ():
                raise Unauthorized(DENIED, f"{op.operation_id} returns restricted data (PII): call it with a "
                                           f"restricted data token for {op.method} {op.path} "
                                           "(createRestrictedDataToken).")
            return Grant(seller)
        row = self.amazon.store.execute(
            "SELECT seller_id, expires_at, resources FROM restricted_tokens WHERE token=?", (token,)).fetchone()
        if row is None:
            raise Unauthorized()
        if row[1] <= self.amazon.wire_clock.seconds():
            raise Unauthorized(details="The restricted data token you provided has expired.")
        owner = self.amazon.auth.seller(row[0])
        if owner is None:  # sellers and their tokens are only ever wiped together
            raise Unauthorized()
        if op.key in RESTRICTED:
            for resource in json.loads(row[2]):
                if resource["method"] == op.method and resource["path"] in (path, op.path):
                    return Grant(owner, frozenset(resource["data_elements"]))
        raise Unauthorized(DENIED, f"This restricted data token names no resource for {op.method} {path}.")

