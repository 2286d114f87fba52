"""Report documents: tab-separated text with Amazon's column names, generated from the state at the time the
report finishes. One generator of rows per report type: the rows are rendered as they come, never all held at once
(a month's listings report is ten thousand of them)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import mock_amazon.marketplaces as marketplaces
from mock_amazon.apis.shipments import shipments
from mock_amazon.entities import iso

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

MERCHANT_LISTINGS = ("item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date",
                     "image-url", "item-is-marketplace", "product-id-type", "zshop-shipping-fee", "item-note",
                     "item-condition", "zshop-category1", "zshop-browse-path", "zshop-storefront-feature", "asin1",
                     "asin2", "asin3", "will-ship-internationally", "expedited-shipping", "zshop-boldface",
                     "product-id", "bid-for-featured-placement", "add-delete", "pending-quantity",
                     "fulfillment-channel", "merchant-shipping-group", "status")
AFN_INVENTORY = ("seller-sku", "fulfillment-channel-sku", "asin", "condition-type", "Warehouse-Condition-code",
                 "Quantity Available")
FULFILLED_SHIPMENTS = ("amazon-order-id", "merchant-order-id", "shipment-id", "shipment-item-id",
                       "amazon-order-item-id", "merchant-order-item-id", "purchase-date", "payments-date",
                       "shipment-date", "reporting-date", "buyer-email", "buyer-name", "buyer-phone-number", "sku",
                       "product-name", "quantity-shipped", "currency", "item-price", "item-tax", "shipping-price",
                       "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "ship-service-level", "recipient-name",
                       "ship-address-1", "ship-address-2", "ship-address-3", "ship-city", "ship-state",
                       "ship-postal-code", "ship-country", "ship-phone-number", "bill-address-1", "bill-address-2",
                       "bill-address-3", "bill-city", "bill-state", "bill-postal-code", "bill-country",
                       "item-promotion-discount", "ship-promotion-discount", "carrier", "tracking-number",
                       "estimated-arrival-date", "fulfillment-center-id", "fulfillment-channel", "sales-channel")
ALL_ORDERS = ("amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
              "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name",
              "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price",
              "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount",
              "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country",
              "promotion-ids")


def merchant_listings(amazon: MockAmazon, seller_id: str, start: float | None, end: float | None) -> Iterator[dict]:
    merchant_positions = amazon.ledger(seller_id).by_sku("MFN")
    for item in amazon.listings.items.scan(seller_id):
        afn = item.channel == "AFN"
        merchant = sum(p.sellable for p in merchant_positions.get(item.sku, ()))
        yield {"item-name": item.title, "listing-id": item.listing_id, "seller-sku": item.sku,
               "price": f"{item.price:.2f}", "quantity": "" if afn else str(merchant),
               "open-date": iso(item.created).replace("T", " ").replace("Z", " UTC"),
               "item-is-marketplace": "y", "product-id-type": "1", "item-condition": "11", "asin1": item.asin,
               "will-ship-internationally": "1", "product-id": item.asin,
               "fulfillment-channel": "AMAZON_NA" if afn else "DEFAULT",
               "merchant-shipping-group": "Migrated Template",
               "status": "Active" if item.status == "ACTIVE" else "Inactive"}


def afn_inventory(amazon: MockAmazon, seller_id: str, start: float | None, end: float | None) -> Iterator[dict]:
    """A row per SKU, fulfilment centre and condition: one SKU may have several SELLABLE rows."""
    afn_positions = amazon.ledger(seller_id).by_sku("AFN")
    for item in amazon.listings.items.scan(seller_id):
        for position in afn_positions.get(item.sku, ()):
            for code, quantity in (("SELLABLE", position.sellable), ("UNSELLABLE", position.unsellable)):
                if quantity or code == "SELLABLE":
                    yield {"seller-sku": item.sku, "fulfillment-channel-sku": item.fnsku, "asin": item.asin,
                           "condition-type": "NewItem", "Warehouse-Condition-code": code,
                           "Quantity Available": str(quantity)}


def fulfilled_shipments(amazon: MockAmazon, seller_id: str, start: float | None, end: float | None
                        ) -> Iterator[dict]:
    """A row per shipped item; an order shipped in parts has a row per part."""
    for shipment in shipments(amazon).scan(seller_id, since=start, until=end):
        to = shipment.ship_to
        for item in shipment.items:
            yield {
                "amazon-order-id": shipment.amazon_order_id, "merchant-order-id": shipment.merchant_order_id or "",
                "shipment-id": shipment.id, "shipment-item-id": item["item_id"],
                "amazon-order-item-id": item["order_item_id"], "purchase-date": iso(shipment.purchase_date),
                "payments-date": iso(shipment.purchase_date), "shipment-date": iso(shipment.created),
                "reporting-date": iso(shipment.created), "buyer-email": shipment.buyer.get("email", ""),
                "buyer-name": shipment.buyer.get("name", ""), "sku": item["sku"], "product-name": item["title"],
                "quantity-shipped": str(item["quantity"]), "currency": shipment.currency,
                "item-price": marketplaces.amount(item["price"] * item["quantity"], shipment.currency),
                "item-tax": "0.00",
                "shipping-price": "0.00", "shipping-tax": "0.00", "ship-service-level": shipment.ship_service_level,
                "recipient-name": to.get("name", ""), "ship-address-1": to.get("line1", ""),
                "ship-city": to.get("city", ""), "ship-state": to.get("state", ""),
                "ship-postal-code": to.get("postal_code", ""), "ship-country": to.get("country", ""),
                "ship-phone-number": to.get("phone", ""), "carrier": shipment.carrier,
                "tracking-number": shipment.tracking_number,
                "estimated-arrival-date": iso(shipment.created + 3 * 86_400),
                "fulfillment-center-id": shipment.fulfillment_center_id, "fulfillment-channel": "AFN",
                "sales-channel": shipment.sales_channel}
    yield from seller_flex_shipments(amazon, seller_id, start, end)


def seller_flex_shipments(amazon: MockAmazon, seller_id: str, start: float | None, end: float | None
                          ) -> Iterator[dict]:
    """Seller-flex (SmartConnect) orders once handed over: seed 003 finds them in this report by their warehouse
    ID, the seller-flex site's location code in fulfillment-center-id. Only shipped orders appear."""
    flex = amazon.external_fulfillment
    # A shipment shipped within the report's span was last changed no earlier than that: the index on `updated`
    # narrows a month of shipments to the span's, and the rows keep the order of creation.
    handed_over = flex.shipments.scan(seller_id, order_by="updated", since=start)
    for shipment in sorted(handed_over, key=lambda shipment: (shipment.created, shipment.id)):
        shipped = next((step.time.timestamp() for step in shipment.history if step.dest == "SHIPPED"), None)
        if shipped is None or start is not None and shipped < start or end is not None and shipped >= end:
            continue
        labels = [flex.packages.load(seller_id, f"{shipment.id}/{p}").label or {} for p in shipment.package_ids]
        to = shipment.ship_to
        marketplace = marketplaces.known(shipment.marketplace_id)
        for item in shipment.line_items:
            listing = amazon.listings.items.find(seller_id, item["sku"])
            yield {
                "amazon-order-id": shipment.buyer_order_id, "shipment-id": shipment.id,
                "shipment-item-id": f"{shipment.id}-{item['id']}", "amazon-order-item-id": item["id"],
                "purchase-date": iso(shipment.created), "payments-date": iso(shipment.created),
                "shipment-date": iso(shipped), "reporting-date": iso(shipped), "sku": item["sku"],
                "product-name": listing.title if listing else item["sku"], "quantity-shipped": str(item["units"]),
                "currency": marketplace.currency,
                "item-price": marketplaces.amount(item["price"] * item["units"], marketplace.currency),
                "item-tax": "0.00",
                "shipping-price": "0.00", "shipping-tax": "0.00", "ship-service-level": "Standard",
                "recipient-name": to.get("name", ""), "ship-address-1": to.get("addressLine1", ""),
                "ship-city": to.get("city", ""), "ship-state": to.get("state", ""),
                "ship-postal-code": to.get("postalCode", ""), "ship-country": to.get("countryCode", ""),
                "ship-phone-number": to.get("phoneNumber", ""),
                "carrier": labels[0].get("carrier", "") if labels else "",
                "tracking-number": labels[0].get("tracking", "") if labels else "",
                "estimated-arrival-date": iso(shipped + 3 * 86_400), "fulfillment-center-id": shipment.location_id,
                "fulfillment-channel": "AFN", "sales-channel": marketplace.name}


def all_orders_by_last_update(amazon: MockAmazon, seller_id: str, start: float | None, end: float | None
                              ) -> Iterator[dict]:
    for order in amazon.orders.orders.scan(seller_id, order_by="updated", since=start, until=end):
        to = order.ship_to
        for item in order.items:
            yield {
                "amazon-order-id": order.id, "merchant-order-id": order.seller_order_id or "",
                "purchase-date": iso(order.purchase_date), "last-updated-date": iso(order.updated),
                "order-status": order.status, "fulfillment-channel": "Amazon" if order.fulfillment_channel == "AFN"
                else "Merchant", "sales-channel": order.sales_channel, "ship-service-level": order.shipment_category,
                "product-name": item["title"], "sku": item["sku"], "asin": item["asin"],
                "item-status": "Shipped" if item["quantity_shipped"] == item["quantity_ordered"] else "Unshipped",
                "quantity": str(item["quantity_ordered"]), "currency": order.currency,
                "item-price": marketplaces.amount(item["price"] * item["quantity_ordered"], order.currency),
                "ship-city": to.get("city", ""),
                "ship-state": to.get("state", ""), "ship-postal-code": to.get("postal_code", ""),
                "ship-country": to.get("country", "")}


Rows = Callable[["MockAmazon", str, "float | None", "float | None"], Iterator[dict]]
GENERATORS: dict[str, tuple[tuple[str, ...], Rows]] = {  # report type -> (its columns, its rows)
    "GET_MERCHANT_LISTINGS_ALL_DATA": (MERCHANT_LISTINGS, merchant_listings),
    "GET_AFN_INVENTORY_DATA": (AFN_INVENTORY, afn_inventory),
    "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL": (FULFILLED_SHIPMENTS, fulfilled_shipments),
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL": (ALL_ORDERS, all_orders_by_last_update),
}


def _one_field(value: str) -> str:
    return value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")


def render(columns: tuple, rows: Iterable[dict]) -> bytes:
    lines = ["\t".join(columns)]
    tabs = len(columns) - 1
    blank = dict.fromkeys(columns, "")  # merging a row into it puts the values in column order
    for row in rows:
        merged = {**blank, **row}
        if len(merged) != len(blank):
            raise ValueError(f"a report row names columns the report lacks: {sorted(set(row) - set(columns))}")
        values = merged.values()
        line = "\t".join(map(str, values))
        if line.count("\t") != tabs or "\n" in line or "\r" in line:  # a tab would shift the columns, a line
            line = "\t".join(_one_field(str(v)) for v in values)  # break would split the row: both become spaces
        lines.append(line)
    return ("\n".join(lines) + "\n").encode("utf-8")
