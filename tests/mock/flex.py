"""Seller-flex set-up for the tests: a site, mapped listings with dimensions, stock pushed with sequence numbers."""
SHIP = "externalFulfillmentShipments_2024-09-11"
INV = "externalFulfillmentInventory_2024-09-11"
RET = "externalFulfillmentReturns_2024-09-11"
LOCATION = "BLR1"
DIMENSIONS = {"length": 20.0, "width": 15.0, "height": 10.0, "weight": 0.8}


def set_up(amazon, skus: int = 3, stock: int = 10) -> list[str]:
    seller = amazon.seller.seller_id
    flex = amazon.external_fulfillment
    flex.add_location(seller, LOCATION, "Bengaluru 1")
    names = [f"SF-{n:03d}" for n in range(skus)]
    for name in names:
        flex.map_listing(seller, name, f"EAN{n:010d}" if (n := names.index(name)) >= 0 else "", dimensions=DIMENSIONS)
        amazon.ledger(seller).set_quantity(name, LOCATION, stock, sequence=1)
    return names


def update(sku: str, quantity: int, sequence: int, location: str = LOCATION) -> dict:
    return {"uri": f"/inventory/update?locationId={location}&skuId={sku}", "method": "POST",
            "body": {"quantity": quantity, "clientSequenceNumber": sequence,
                     "marketplaceAttributes": {"marketplaceId": "ATVPDKIKX0DER", "channelName": "MFN"}}}


def fetch(sku: str, location: str = LOCATION) -> dict:
    return {"uri": f"/inventory/fetch?locationId={location}&skuId={sku}", "method": "POST", "body": {}}


def package(package_id: str, line_items: list[tuple[str, int]], dimensions: dict = DIMENSIONS) -> dict:
    body = {"id": package_id, "packageLineItems": [{"packageLineItemId": i, "quantity": q} for i, q in line_items],
            "dimensions": {k: {"value": f"{dimensions[k]:g}", "dimensionUnit": "CM"}
                           for k in ("length", "width", "height") if k in dimensions},
            "weight": {"value": f"{dimensions.get('weight', 0):g}", "weightUnit": "KG"}}
    if "weight" not in dimensions:
        del body["weight"]
    return body
