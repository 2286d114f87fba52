"""Sellers API v1."""
from __future__ import annotations

from mock_amazon.apis.sellers import backend
from mock_amazon.pipeline import Answer, Api, Call

api = Api("sellers", "sellers")


@api.operation("getMarketplaceParticipations")
def get_marketplace_participations(call: Call) -> Answer:
    return 200, {"payload": backend.participations(call.seller)}
