"""Where an order goes (F003-1), how a self-ship order is split across locations (F003-6), and manifests
(F003-8). Pure functions: no calls to Amazon."""
from __future__ import annotations

PROGRAMS = ("FBA", "SELLER_FLEX", "SELF_SHIP", "EASY_SHIP")


def program_of(order: dict) -> str:
    """The fulfilment program of an order as Amazon reports it: an Orders API order (FulfillmentChannel,
    EasyShipShipmentStatus) or an External Fulfillment shipment (locationId)."""
    if "locationId" in order:
        return "SELLER_FLEX"
    if order.get("FulfillmentChannel") == "AFN":
        return "FBA"
    if order.get("EasyShipShipmentStatus"):
        return "EASY_SHIP"
    return "SELF_SHIP"


ROUTES = {
    "FBA": "nothing to do: Amazon picks, packs and ships",
    "SELLER_FLEX": "seller-flex flow: confirm, pack with dimensions, invoice, label, hand over",
    "SELF_SHIP": "warehouse flow: route and split across locations, ship, post tracking",
    "EASY_SHIP": "warehouse packs; Amazon collects and delivers",
}


def split_across_locations(lines: list[tuple[str, int]], stock: dict[str, dict[str, int]],
                           program: str) -> dict[str, list[tuple[str, int]]]:
    """Assign each line's units to locations, fullest first, splitting a line when one location cannot fill
    it. Only self-ship orders may be split (Amazon does not support multi-warehousing for the others)."""
    if program != "SELF_SHIP":
        raise ValueError(f"{program} orders are not routed or split across locations; only SELF_SHIP orders are")
    left = {location: dict(skus) for location, skus in stock.items()}
    plan: dict[str, list[tuple[str, int]]] = {}
    for sku, units in lines:
        for location in sorted(left, key=lambda loc: (-left[loc].get(sku, 0), loc)):
            if units == 0:
                break
            take = min(units, left[location].get(sku, 0))
            if take:
                plan.setdefault(location, []).append((sku, take))
                left[location][sku] -= take
                units -= take
        if units:
            raise ValueError(f"not enough {sku!r} in any location: {units} units short")
    return plan


def manifests(shipment_ids: list[str], limit: int = 100) -> list[list[str]]:
    """Manifests made locally, at most `limit` orders each (seed 003: no Amazon call, limit 100)."""
    if limit < 1:
        raise ValueError("a manifest holds at least one order")
    return [shipment_ids[start:start + limit] for start in range(0, len(shipment_ids), limit)]
