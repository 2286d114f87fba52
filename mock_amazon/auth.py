"""Login with Amazon: sellers, their app credentials, and access tokens that expire on the shared clock.

Each access token belongs to one seller; every call made with it sees only that seller's data.
"""
from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mock_amazon.marketplaces as marketplaces
from mock_amazon.errors import NotFound, Unauthorized
from mock_amazon.store import Remembered, Store
from model.clock import Clock

TOKEN_SECONDS = 3600
CODE_SECONDS = 300  # an authorization code must be exchanged within five minutes, once
DEFAULT_MARKETPLACE = marketplaces.US  # amazon.com
GRANTS = {"refresh_token": ("client_id", "client_secret", "refresh_token"),
          "authorization_code": ("client_id", "client_secret", "code"),
          "client_credentials": ("client_id", "client_secret", "scope")}
GRANTLESS_SCOPES = ("sellingpartnerapi::notifications", "sellingpartnerapi::client_credential:rotation")


@dataclass(frozen=True)
class Seller:
    """A seller and their application's credentials. `marketplace_ids` are the marketplaces the seller takes part
    in, the first their home (`marketplace_id`: where an order, a listing or a location is unless one is named)."""
    seller_id: str
    marketplace_ids: tuple[str, ...]
    client_id: str
    client_secret: str
    refresh_token: str

    @property
    def marketplace_id(self) -> str:
        return self.marketplace_ids[0]

    def credentials(self) -> dict:
        return {"seller_id": self.seller_id, "marketplace_id": self.marketplace_id,
                "marketplace_ids": list(self.marketplace_ids), "client_id": self.client_id,
                "client_secret": self.client_secret, "refresh_token": self.refresh_token}

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> Seller:
        """The seller whose `credentials()` these are (as /_testbed/sellers answers them)."""
        ids = credentials.get("marketplace_ids") or [credentials["marketplace_id"]]
        return cls(str(credentials["seller_id"]), tuple(str(i) for i in ids),
                   str(credentials["client_id"]), str(credentials["client_secret"]),
                   str(credentials["refresh_token"]))

    @classmethod
    def from_row(cls, row: tuple) -> Seller:
        """A row of the sellers table, whose marketplace_id column holds the IDs joined by commas."""
        return cls(row[0], tuple(row[1].split(",")), *row[2:5])


class LwaError(Exception):
    """An OAuth error as Login with Amazon answers it: 400 with `error` and `error_description`."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error, self.description = error, description

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


class Auth:
    def __init__(self, store: Store, clock: Clock, rng: random.Random):
        self.store, self.clock, self.rng = store, clock, rng
        # Sellers and access tokens as read from the store: every call authenticates, and these rows change only
        # by a grant, a revocation or a new seller
        self.remembered = Remembered(store)

    def _code(self, alphabet: str, length: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def create_seller(self, marketplace_ids: tuple[str, ...] = (DEFAULT_MARKETPLACE,)) -> Seller:
        upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        hexa = "0123456789abcdef"
        seller = Seller(
            seller_id="A" + self._code(upper, 13),
            marketplace_ids=tuple(marketplace_ids),
            client_id="amzn1.application-oa2-client." + self._code(hexa, 32),
            client_secret="amzn1.oa2-cs.v1." + self._code(hexa, 64),
            refresh_token="Atzr|" + self._code(upper + "abcdefghijklmnopqrstuvwxyz", 80),
        )
        position = self.store.execute("SELECT COUNT(*) FROM sellers").fetchone()[0]
        self.store.execute("INSERT INTO sellers VALUES (?, ?, ?, ?, ?, ?)",
                           (seller.seller_id, ",".join(seller.marketplace_ids), seller.client_id,
                            seller.client_secret, seller.refresh_token, position))
        return seller

    def sellers(self) -> list[Seller]:
        rows = self.store.execute("SELECT seller_id, marketplace_id, client_id, client_secret, refresh_token "
                                  "FROM sellers ORDER BY position").fetchall()
        return [Seller.from_row(row) for row in rows]

    def seller(self, seller_id: str) -> Seller | None:
        memory = self.remembered.current()
        key = "seller:" + seller_id
        if key not in memory:
            row = self.store.execute("SELECT seller_id, marketplace_id, client_id, client_secret, refresh_token "
                                     "FROM sellers WHERE seller_id=?", (seller_id,)).fetchone()
            if row is None:
                return None  # not remembered: the seller may be created next
            memory[key] = Seller.from_row(row)
        seller: Seller = memory[key]
        return seller

    def known_seller(self, seller_id: str) -> Seller:
        """`seller(seller_id)` where the seller must exist: NotFound if it does not."""
        seller = self.seller(seller_id)
        if seller is None:
            raise NotFound(f"No seller found with ID {seller_id}.", seller_id)
        return seller

    def authorize(self, seller_id: str) -> str:
        """The seller consents in Seller Central: Amazon redirects to the application with an
        spapi_oauth_code, which the application exchanges (grant_type=authorization_code) for the refresh
        token. The code is good once, for CODE_SECONDS."""
        if self.seller(seller_id) is None:
            raise ValueError(f"no seller {seller_id!r}")
        code = "ANa" + self._code("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 17)
        self.store.execute("INSERT INTO authorization_codes VALUES (?, ?, ?)",
                           (code, seller_id, self.clock.seconds() + CODE_SECONDS))
        return code

    def exchange(self, form: Mapping[str, str]) -> dict:
        """POST /auth/o2/token: grant_type=refresh_token for a seller's data, authorization_code once when the
        seller authorizes the application, or client_credentials with a scope for the grantless operations
        (notification destinations). The mock gives each seller an application of their own, so a grantless
        token, too, belongs to that seller."""
        grant = form.get("grant_type")
        if grant not in GRANTS:
            raise LwaError("unsupported_grant_type", f"The grant type {grant!r} is not supported; use "
                                                     "refresh_token, authorization_code or client_credentials.")
        for name in GRANTS[grant]:
            if not form.get(name):
                raise LwaError("invalid_request", f"The request is missing the required parameter: {name}.")
        row = self.store.execute("SELECT seller_id, client_secret, refresh_token FROM sellers WHERE client_id=?",
                                 (form["client_id"],)).fetchone()
        if row is None or row[1] != form["client_secret"]:
            raise LwaError("invalid_client", "Client authentication failed.")
        if grant == "refresh_token" and row[2] != form["refresh_token"]:
            raise LwaError("invalid_grant", "The request has an invalid grant parameter : refresh_token.")
        if grant == "authorization_code":
            code = self.store.execute("SELECT seller_id, expires_at FROM authorization_codes WHERE code=?",
                                      (form["code"],)).fetchone()
            self.store.execute("DELETE FROM authorization_codes WHERE code=?", (form["code"],))
            if code is None or code[0] != row[0] or code[1] <= self.clock.seconds():
                raise LwaError("invalid_grant", "The request has an invalid grant parameter : code.")
        if grant == "client_credentials" and form["scope"] not in GRANTLESS_SCOPES:
            raise LwaError("invalid_scope", f"The scope {form['scope']!r} is not valid.")
        token = "Atza|" + self._code("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 120)
        self.store.execute("INSERT INTO tokens VALUES (?, ?, ?)", (token, row[0], self.clock.seconds() + TOKEN_SECONDS))
        answer = {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_SECONDS}
        if grant in ("refresh_token", "authorization_code"):
            answer["refresh_token"] = row[2]
        return answer

    def revoke(self, seller_id: str | None = None) -> int:
        """Every access token of the seller (of every seller: None) stops working at once (the refresh token stays
        good); how many."""
        self.remembered.current().clear()
        if seller_id is None:
            return self.store.execute("DELETE FROM tokens").rowcount
        return self.store.execute("DELETE FROM tokens WHERE seller_id=?", (seller_id,)).rowcount

    def seller_for(self, access_token: str | None) -> Seller:
        if not access_token:
            raise Unauthorized(details="The request has no x-amz-access-token header.")
        memory = self.remembered.current()
        key = "token:" + access_token
        row = memory.get(key)
        if row is None:
            row = self.store.execute("SELECT seller_id, expires_at FROM tokens WHERE access_token=?",
                                     (access_token,)).fetchone()
            if row is None:
                raise Unauthorized()
            memory[key] = row
        if row[1] <= self.clock.seconds():
            raise Unauthorized(details="The access token you provided has expired.")
        seller = self.seller(row[0])
        if seller is None:  # cannot happen while sellers and their tokens are only ever wiped together
            raise Unauthorized()
        return seller
