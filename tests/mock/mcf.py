"""Building multi-channel fulfillment requests for the tests, by API body or by flat-file feed row."""
from model.workflows.fulfillment import flat_file as feed_content

ADDRESS = {"name": "Ada Lovelace", "addressLine1": "12 Analytical Way", "city": "Seattle", "stateOrRegion": "WA",
           "postalCode": "98101", "countryCode": "US", "phone": "206-555-0100"}


def afn_skus(amazon, minimum: int = 1) -> list[str]:
    seller = amazon.seller.seller_id
    ledger = amazon.ledger(seller)
    return [i.sku for i in amazon.listings.items.scan(seller)
            if i.channel == "AFN" and ledger.total(i.sku, channel="AFN") >= minimum]


def request(order_id: str, lines: list[tuple[str, int]], speed: str = "Standard", policy: str = "FillOrKill",
            action: str = "Ship", address: dict | None = None) -> dict:
    return {"sellerFulfillmentOrderId": order_id, "displayableOrderId": order_id,
            "displayableOrderDate": "2026-01-05T00:00:00Z", "displayableOrderComment": "Thank you",
            "shippingSpeedCategory": speed, "destinationAddress": address or ADDRESS,
            "fulfillmentAction": action, "fulfillmentPolicy": policy,
            "items": [{"sellerSku": sku, "sellerFulfillmentOrderItemId": f"{order_id}-{n}", "quantity": quantity}
                      for n, (sku, quantity) in enumerate(lines, 1)]}


def flat_file(requests: list[dict]) -> bytes:
    return feed_content(requests)
