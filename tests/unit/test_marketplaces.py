"""Amazon's marketplaces: the data file against python-amazon-sp-api's list, currency and locale from Babel, buyers
from Faker, and sellers in one or more of them."""
import re
from zoneinfo import ZoneInfo

import pytest
from sp_api.base import Marketplaces

import mock_amazon.marketplaces as marketplaces
from mock_amazon import MockAmazon
from mock_amazon.errors import InvalidInput, Unauthorized

REGIONS = {"us-east-1": "NA", "eu-west-1": "EU", "us-west-2": "FE"}


def test_every_published_marketplace_with_its_region_as_the_clients_know_them():
    ours = {m.id: m for m in marketplaces.all_marketplaces()}
    theirs = {m.marketplace_id: m for m in Marketplaces}
    assert set(ours) == set(theirs) and len(ours) == 23
    for marketplace_id, known in theirs.items():
        assert ours[marketplace_id].region == REGIONS[known.region]
        assert ours[marketplace_id].endpoint == known.endpoint


@pytest.mark.parametrize("code, currency, precision, locale, faker_locale, zone", [
    ("US", "USD", 2, "en_US", "en_US", "America/New_York"), ("UK", "GBP", 2, "en_GB", "en_GB", "Europe/London"),
    ("DE", "EUR", 2, "de_DE", "de_DE", "Europe/Berlin"), ("IN", "INR", 2, "en_IN", "en_IN", "Asia/Kolkata"),
    ("JP", "JPY", 0, "ja_JP", "ja_JP", "Asia/Tokyo"), ("SG", "SGD", 2, "en_SG", "en_US", "Asia/Singapore"),
    ("ZA", "ZAR", 2, "en_ZA", "en_US", "Africa/Johannesburg"), ("BR", "BRL", 2, "pt_BR", "pt_BR", "America/Sao_Paulo"),
])
def test_currency_locale_and_fallback(code, currency, precision, locale, faker_locale, zone):
    marketplace = marketplaces.known(code)
    assert (marketplace.currency, marketplace.precision, marketplace.locale, marketplace.faker_locale,
            marketplace.time_zone) == (currency, precision, locale, faker_locale, zone)


def test_every_zone_is_one_the_system_knows():
    for marketplace in marketplaces.all_marketplaces():
        assert ZoneInfo(marketplace.time_zone).key == marketplace.time_zone


def test_amounts_keep_the_currencys_minor_units():
    assert marketplaces.amount(1480.4, "JPY") == "1480"
    assert marketplaces.amount(12.5, "GBP") == "12.50"
    assert marketplaces.amount(3.14159, "KWD") == "3.142"


def test_lists_codes_and_unknown_marketplaces():
    assert marketplaces.parse_list("UK, A21TJRUUN4KGV,uk") == ("A1F83G8C2ARO7P", "A21TJRUUN4KGV")
    assert marketplaces.get("GB") is marketplaces.get("UK")
    for bad in ("", "XX", [], ["US", 3]):
        with pytest.raises(InvalidInput):
            marketplaces.parse_list(bad)
    with pytest.raises(Unauthorized):
        marketplaces.participating(("ATVPDKIKX0DER",), ["ATVPDKIKX0DER", "A1F83G8C2ARO7P"], "MarketplaceIds")
    marketplaces.participating(("ATVPDKIKX0DER",), None, "MarketplaceIds")


@pytest.mark.parametrize("code", ["UK", "IN", "JP", "SG", "ZA", "DE", "BR"])
def test_orders_in_a_marketplace_look_like_it(code):
    amazon = MockAmazon(seed=1)
    marketplace = marketplaces.known(code)
    seller = amazon.create_seller(["US", code])
    assert seller.marketplace_ids == ("ATVPDKIKX0DER", marketplace.id)
    seeded = amazon.seed(seller.seller_id, skus=6, orders=5, marketplace_id=code)
    home = amazon.seed(seller.seller_id, skus=0, orders=0)
    assert home["orders"] == []
    for order_id in seeded["orders"]:
        order = amazon.orders.get(seller.seller_id, order_id)
        assert (order.marketplace_id, order.currency, order.sales_channel, order.ship_to["country"]) == \
            (marketplace.id, marketplace.currency, marketplace.name, marketplace.country)
        assert order.ship_to["line1"] and order.ship_to["city"] and order.ship_to["postal_code"]
        if marketplace.postcode:
            assert re.fullmatch(r"\d+", order.ship_to["postal_code"])
            assert len(order.ship_to["postal_code"]) == len(marketplace.postcode)
        if code == "IN":
            assert re.fullmatch(r"\d{6}", order.ship_to["postal_code"])  # a pincode
    crowd = amazon.orders.place(seller.seller_id, [(seeded["skus"][0], 1)], "MFN", marketplace_id=marketplace.id)
    assert crowd.ship_to["country"] == marketplace.country


def test_an_order_only_in_the_sellers_marketplaces():
    amazon = MockAmazon(seed=1)
    seller = amazon.create_seller(["UK"])
    sku = amazon.seed(seller.seller_id, skus=3, orders=0)["skus"][0]
    assert amazon.orders.place(seller.seller_id, [(sku, 1)], "MFN").marketplace_id == "A1F83G8C2ARO7P"
    with pytest.raises(InvalidInput, match="does not sell in Amazon.com"):
        amazon.orders.place(seller.seller_id, [(sku, 1)], "MFN", marketplace_id="US")
    with pytest.raises(InvalidInput):
        amazon.create_seller(["Atlantis"])
