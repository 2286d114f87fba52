"""The integration's calls through a real SP-API client library instead of the testbed's own HTTP transport.

A scenario tagged `@client-python-amazon-sp-api` runs, against a live mock, with its workflows' requests made by
python-amazon-sp-api (`sp_api`, unmodified): its typed API classes build each request, its access-token client
talks to Login with Amazon (and keeps its own token cache), its transport sends, and its response parser and
exceptions answer. `PythonAmazonSpApi` is a `send(Request) -> Response` like `mock_amazon.client.OverHttp`, so
the same reference workflows run through it. Only the operations in `TYPED` are mapped, each to the library's
method for it; any other operation fails loudly, naming itself. Report and feed documents are plain URLs, fetched
with the library's own HTTP transport.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sp_api.api import ExternalFulfillmentInventory, Inventories, ListingsItems, Orders, Reports, Tokens
from sp_api.auth import AccessTokenClient, access_token_client
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import ApiResponse, Client, Marketplaces, SellingApiException
from sp_api.base.credential_provider import CredentialProvider

from model.workflows.protocol import Request, Response

#: the testbed's name for an operation -> (the library's API class, its method, the path parameters it takes in
#: order, how the rest is passed: "query" as keyword arguments, "body" as keyword arguments, or "query+body" with
#: the body as `body=`)
TYPED: dict[str, tuple[Callable[..., Client], str, tuple[str, ...], str]] = {
    "fbaInventory.getInventorySummaries": (Inventories, "get_inventory_summary_marketplace", (), "query"),
    "ordersV0.getOrders": (Orders, "get_orders", (), "query"),
    "ordersV0.getOrderItems": (Orders, "get_order_items", ("orderId",), "query"),
    "ordersV0.getOrderBuyerInfo": (Orders, "get_order_buyer_info", ("orderId",), "query"),
    "tokens_2021-03-01.createRestrictedDataToken": (Tokens, "create_restricted_data_token", (), "body"),
    "reports_2021-06-30.createReport": (Reports, "create_report", (), "body"),
    "reports_2021-06-30.getReport": (Reports, "get_report", ("reportId",), "query"),
    "reports_2021-06-30.getReportDocument": (Reports, "get_report_document", ("reportDocumentId",), "query"),
    "listingsItems_2021-08-01.getListingsItem": (ListingsItems, "get_listings_item", ("sellerId", "sku"), "query"),
    "listingsItems_2021-08-01.patchListingsItem": (ListingsItems, "patch_listings_item", ("sellerId", "sku"),
                                                   "query+body"),
    "externalFulfillmentInventory_2024-09-11.batchInventory": (
        lambda **options: ExternalFulfillmentInventory(version="2024-09-11", **options), "batch_inventory", (),
        "body"),
}
LIBRARY = "python-amazon-sp-api"


def _body_of(answer: ApiResponse) -> dict[str, Any]:
    """The JSON the library parsed, put back together from its ApiResponse (payload, pagination, next token)."""
    fields = vars(answer)
    body: dict[str, Any] = {"payload": answer.payload, **fields["kwargs"]} if "kwargs" in fields \
        else dict(answer.payload or {})
    if answer.pagination is not None:
        body["pagination"] = answer.pagination
    return body


class PythonAmazonSpApi:
    """`send` for the reference workflows through python-amazon-sp-api, against the mock at `base_url`. It learns
    each seller's credentials from the session's token request, and which seller a call is for from the access
    token the session put on it."""

    def __init__(self, base_url: str):
        host = base_url.removeprefix("http://").rstrip("/")

        class MockTokenClient(AccessTokenClient):  # CLIENTS.md: the token URL is the client's class attributes
            scheme, path = "http://", "/auth/o2/token"
        MockTokenClient.host = host
        self.base_url = base_url.rstrip("/")
        self.token_client = MockTokenClient
        self.credentials: dict[str, dict[str, str]] = {}   # access token -> the LWA credentials that bought it
        self.restricted: set[str] = set()   # restricted data tokens the library asked for (the library sends them)
        self.apis: dict[tuple[Callable[..., Client], str], Client] = {}
        self.calls: list[str] = []   # the operations the library performed, in order
        self.status = 0              # the HTTP status of the library's last answer (its ApiResponse keeps none)

    def _api(self, factory: Callable[..., Client], credentials: dict[str, str], rdt: str | None = None) -> Client:
        key = (factory, credentials["refresh_token"] + (rdt or ""))
        if key not in self.apis:
            api = factory(credentials=credentials, marketplace=Marketplaces.US,
                          auth_token_client_class=self.token_client, restricted_data_token=rdt)
            api.endpoint = self.base_url  # CLIENTS.md: the API URL is the client's `endpoint`
            api._transport._client.event_hooks["response"].append(self._heard)
            self.apis[key] = api
        return self.apis[key]

    def _heard(self, answer: Any) -> None:
        self.status = answer.status_code

    def __call__(self, request: Request) -> Response:
        self.calls.append(request.operation)
        if request.operation == "lwa.token":
            return self._token(request)
        if request.operation in ("document.get", "document.put"):
            return self._document(request)
        if request.operation not in TYPED:
            raise NotImplementedError(f"{request.operation} is not mapped to a {LIBRARY} method (tests/bdd/clients.py)")
        factory, method, path_names, style = TYPED[request.operation]
        arguments: dict[str, Any] = {"query": dict(request.query), "body": dict(request.body or {}),
                                     "query+body": {**request.query, "body": request.body}}[style]
        token = request.headers["x-amz-access-token"]
        rdt = token if token in self.restricted else None   # the library's restricted_data_token option sends it
        credentials = self.credentials[token]
        try:
            answer = getattr(self._api(factory, credentials, rdt), method)(*(request.path[name] for name in path_names),
                                                                           **arguments)
        except SellingApiException as refused:
            if refused.code == 403:  # the mock's clock passed the token's hour: the library's cache does not know
                access_token_client.cache.clear()
            return Response(refused.code, {"errors": refused.error}, dict(refused.headers or {}))
        body = _body_of(answer)
        if isinstance(body.get("restrictedDataToken"), str):
            self.restricted.add(body["restrictedDataToken"])
            self.credentials[body["restrictedDataToken"]] = credentials
        return Response(self.status, body, dict(answer.headers or {}))

    def _token(self, request: Request) -> Response:
        """Login with Amazon through the library's own token client: a refresh-token grant (always a new token,
        as the session asks only when it needs one), or an authorization code exchanged once."""
        form = request.body
        credentials = {"lwa_app_id": form["client_id"], "lwa_client_secret": form["client_secret"],
                       "refresh_token": form.get("refresh_token", "")}
        client = self.token_client(refresh_token=credentials["refresh_token"] or None,
                                   credentials=CredentialProvider("default", credentials).credentials)
        try:
            if form["grant_type"] == "authorization_code":
                token = client.authorize_auth_code(form["code"])
                credentials["refresh_token"] = token["refresh_token"]
            else:
                access_token_client.cache.clear()
                token = vars(client.get_auth())
        except AuthorizationError as refused:
            return Response(refused.status_code, {"error": refused.error_code, "error_description": refused.message})
        self.credentials[token["access_token"]] = credentials
        return Response(200, {"access_token": token["access_token"], "expires_in": int(token["expires_in"]),
                              "token_type": "bearer", **({"refresh_token": token["refresh_token"]}
                                                         if token.get("refresh_token") else {})})

    def _document(self, request: Request) -> Response:
        if request.url is None:
            raise ValueError(f"{request.operation} needs the document's url")
        transport = self._api(Reports, next(iter(self.credentials.values())))._transport
        if request.operation == "document.get":
            answer = transport.request("GET", request.url)
            return Response(answer.status_code, answer.content, dict(answer.headers))
        answer = transport.request("PUT", request.url, content=request.body,
                                   headers={"content-type": request.content_type or "application/octet-stream"})
        return Response(answer.status_code, None, dict(answer.headers))
