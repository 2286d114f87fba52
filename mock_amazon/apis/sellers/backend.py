"""Sellers: what Amazon knows of a seller's marketplaces. A seller takes part in the marketplaces it was made in
(auth.Seller.marketplace_ids); none of its listings is suspended in the mock.

Not modelled: getAccount (the seller's business details), store names per marketplace."""
from __future__ import annotations

import mock_amazon.marketplaces as marketplaces
from mock_amazon.auth import Seller


def participations(seller: Seller) -> list[dict]:
    """getMarketplaceParticipations' payload: a MarketplaceParticipation per marketplace of the seller, home first."""
    return [{"marketplace": marketplaces.known(marketplace_id).to_json(),
             "participation": {"isParticipating": True, "hasSuspendedListings": False},
             "storeName": f"Store {seller.seller_id}"}
            for marketplace_id in seller.marketplace_ids]
