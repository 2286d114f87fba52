"""Tokens API 2021-03-01."""
from __future__ import annotations

from mock_amazon.pipeline import Answer, Api, Call

api = Api("tokens", "tokens_2021-03-01")


@api.operation("createRestrictedDataToken")
def create_restricted_data_token(call: Call) -> Answer:
    return 200, call.amazon.tokens.create(call.seller, call.params["body"])
