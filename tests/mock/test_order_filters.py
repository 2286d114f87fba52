"""getOrders' filters, each alone and several at once, pick exactly the orders that meet them (the backend checks
only the filters that are set, with one function made per search)."""
from datetime import datetime, timezone

import pytest

from mock_amazon.apis.orders.backend import OrderFilter
from tests.support import seeded_amazon

SINCE = datetime(2020, 1, 1, tzinfo=timezone.utc)


def meets(wanted: OrderFilter, order) -> bool:
    """What each filter means, checked one after the other."""
    earliest, latest = order.delivery_window
    return all((
        not wanted.channels or order.fulfillment_channel in wanted.channels,
        not wanted.marketplaces or order.marketplace_id in wanted.marketplaces,
        not wanted.order_ids or order.id in wanted.order_ids,
        wanted.seller_order_id is None or order.seller_order_id == wanted.seller_order_id,
        wanted.buyer_email is None or order.buyer["email"].lower() == wanted.buyer_email.lower(),
        not wanted.payment_methods or order.payment_method in wanted.payment_methods,
        not wanted.easy_ship_statuses or order.shipment_status in wanted.easy_ship_statuses,
        wanted.is_ispu is None or order.is_ispu == wanted.is_ispu,
        wanted.store_chain_store_id is None and wanted.supply_source_id is None,
        not wanted.electronic_invoice_statuses or order.electronic_invoice_status in wanted.electronic_invoice_statuses,
        wanted.earliest_delivery_after is None or earliest >= wanted.earliest_delivery_after,
        wanted.earliest_delivery_before is None or earliest <= wanted.earliest_delivery_before,
        wanted.latest_delivery_after is None or latest >= wanted.latest_delivery_after,
        wanted.latest_delivery_before is None or latest <= wanted.latest_delivery_before,
    ))


@pytest.fixture(scope="module")
def shop():
    """Seeded orders, and more: Easy Ship, Expedited, one with the seller's own order number."""
    amazon = seeded_amazon()
    seller_id = amazon.seller.seller_id
    skus = [item for item in amazon.listings.items.scan(seller_id)]
    mfn = next(item.sku for item in skus if item.channel == "MFN")
    for category in ("Standard", "Expedited", "Priority"):
        amazon.orders.place(seller_id, [(mfn, 1)], channel="MFN", shipment_category=category, easy_ship=True)
    amazon.advance(amazon.settings.verification_seconds)
    first = next(order for order in amazon.orders.orders.scan(seller_id) if order.fulfillment_channel == "MFN")
    amazon.orders.acknowledge(seller_id, first.id, "SHOP-1", success=True)
    return amazon, list(amazon.orders.orders.scan(seller_id, since=0))


def _cases(orders):
    one, two = orders[0], orders[-1]
    windows = sorted(order.delivery_window for order in orders)
    middle = windows[len(windows) // 2]
    return {
        "channels": OrderFilter(channels=["MFN"]),
        "marketplaces": OrderFilter(marketplaces=["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"]),
        "another marketplace": OrderFilter(marketplaces=["A1F83G8C2ARO7P"]),
        "order IDs": OrderFilter(order_ids=[one.id, two.id]),
        "seller order ID": OrderFilter(seller_order_id="SHOP-1"),
        "buyer e-mail, any case": OrderFilter(buyer_email=two.buyer["email"].upper()),
        "payment methods": OrderFilter(payment_methods=["COD", "CVS"]),
        "Easy Ship statuses": OrderFilter(easy_ship_statuses=["PendingSchedule"]),
        "in-store pickup": OrderFilter(is_ispu=True),
        "not in-store pickup": OrderFilter(is_ispu=False),
        "store chain": OrderFilter(store_chain_store_id="STORE-1"),
        "supply source": OrderFilter(supply_source_id="SOURCE-1"),
        "electronic invoice statuses": OrderFilter(electronic_invoice_statuses=["NotRequired"]),
        "earliest delivery after": OrderFilter(earliest_delivery_after=middle[0]),
        "earliest delivery before": OrderFilter(earliest_delivery_before=middle[0]),
        "latest delivery after": OrderFilter(latest_delivery_after=middle[1]),
        "latest delivery before": OrderFilter(latest_delivery_before=middle[1]),
        "several at once": OrderFilter(channels=["MFN"], marketplaces=["ATVPDKIKX0DER"], is_ispu=False,
                                       easy_ship_statuses=["PendingSchedule"], latest_delivery_after=middle[1]),
        "none": OrderFilter(),
    }


def test_each_filter_picks_exactly_the_orders_that_meet_it(shop):
    amazon, orders = shop
    picked_some_not_all = 0
    for name, wanted in _cases(orders).items():
        found, _ = amazon.orders.search(amazon.seller.seller_id, created_after=SINCE, filters=wanted, page_size=100)
        expected = [order.id for order in orders if meets(wanted, order)]
        assert [order.id for order in found] == expected, name
        picked_some_not_all += 0 < len(expected) < len(orders)
    assert picked_some_not_all >= 10  # the cases tell orders apart, not only all or none


def test_filters_hold_across_pages_and_ride_in_the_token(shop):
    amazon, orders = shop
    wanted = OrderFilter(channels=["MFN"], is_ispu=False)
    pages, token = [], None
    while True:
        found, token = amazon.orders.search(amazon.seller.seller_id, created_after=SINCE, filters=wanted,
                                            page_size=2, token=token)
        pages.append([order.id for order in found])
        if token is None:
            break
    assert [order_id for page in pages for order_id in page] == [o.id for o in orders if meets(wanted, o)]
    assert len(pages) > 2
