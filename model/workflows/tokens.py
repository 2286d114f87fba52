"""Restricted data tokens (Tokens API 2021-03-01), as an integration asks for them before it reads a buyer's
personal data: getOrderBuyerInfo and getOrderAddress answer only to one, and getOrders and getOrder include buyer
info and shipping addresses only for the data elements one names.

`restricted(path, data_elements)` asks for an RDT for one resource (a path with its parameters filled for one order,
or left as `{orderId}` for any); `using(token, request)` is the request carrying it instead of the session's access
token. An RDT lives an hour; the caller keeps it for that long, or asks again when a call answers 403.
"""
from __future__ import annotations

import dataclasses

from model.workflows.protocol import Request, Workflow, expect_ok

TOKENS = "tokens_2021-03-01"
BUYER_INFO = "/orders/v0/orders/{orderId}/buyerInfo"   # getOrderBuyerInfo, for any order
ADDRESS = "/orders/v0/orders/{orderId}/address"         # getOrderAddress, for any order


def restricted(request_path: str, data_elements: tuple[str, ...] = (), method: str = "GET") -> Workflow[str]:
    """An RDT for `method request_path` (and the data elements getOrders, getOrder and getOrderItems need)."""
    resource: dict = {"method": method, "path": request_path}
    if data_elements:
        resource["dataElements"] = list(data_elements)
    response = yield Request(f"{TOKENS}.createRestrictedDataToken", body={"restrictedResources": [resource]})
    return expect_ok(response, "createRestrictedDataToken").body["restrictedDataToken"]


def using(token: str, request: Request) -> Request:
    """`request` carrying the RDT in x-amz-access-token, where the session would put its access token."""
    return dataclasses.replace(request, headers={**request.headers, "x-amz-access-token": token})
