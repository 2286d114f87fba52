"""Every marketplace Amazon runs: its ID, country and region as Amazon publishes them (marketplaces.json, which
cites its source), with its currency, the currency's minor units and its locale from Babel (CLDR), and the
buyers and addresses of its country from Faker.

Faker has a locale of its own for most countries; where it has none the people fall back as `faker_locale`
says: the country's English locale (en_ZA, en_SG do not exist) or else en_US, with the country's code and,
where the data file gives one, its postcode pattern. Faker's Arabic and Turkish locales (ar_AE, ar_SA, ar_EG,
tr_TR) have names of their own but no address provider: their streets and cities are en_US's.

A client's region (its host, sellingpartnerapi-na/-eu/-fe) makes no difference to the mock: every host is the
same server. What a seller may ask for is decided by the marketplaces the seller takes part in (auth.Seller).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies
from faker import Faker
from faker.config import AVAILABLE_LOCALES

from mock_amazon.errors import InvalidInput, Unauthorized

DATA = Path(__file__).with_name("marketplaces.json")
US = "ATVPDKIKX0DER"  # Amazon.com, the marketplace of a seller made without naming one
FALLBACK_LOCALE = "en_US"


@dataclass(frozen=True)
class Marketplace:
    id: str
    country: str          # ISO 3166-1 alpha-2 (GB for the United Kingdom)
    code: str             # as Amazon's list writes it (UK)
    region: str           # NA, EU or FE
    name: str             # Amazon.co.uk: the SalesChannel of its orders
    domain: str
    currency: str         # ISO 4217, Babel: the territory's current currency
    precision: int        # the currency's minor units (JPY: 0)
    locale: str           # the storefront's default language, e.g. en_GB
    faker_locale: str     # whose names and addresses its buyers get
    time_zone: str        # the country's zone in CLDR (Asia/Kolkata), or the data file's where it has several
    postcode: str | None = None   # a pattern, where Faker's fallback locale would give another country's

    @property
    def endpoint(self) -> str:
        return _data()["regions"][self.region]["endpoint"]

    def to_json(self) -> dict:
        """The Marketplace of the Sellers API's model (sellers.json)."""
        return {"id": self.id, "name": self.name, "countryCode": self.country, "defaultCurrencyCode": self.currency,
                "defaultLanguageCode": self.locale, "domainName": self.domain}

    def describe(self) -> dict:
        return {**self.to_json(), "code": self.code, "region": self.region, "endpoint": self.endpoint,
                "precision": self.precision, "fakerLocale": self.faker_locale, "timeZone": self.time_zone}


@functools.cache
def _data() -> dict:
    data: dict = json.loads(DATA.read_text())
    return data


def _faker_locale(country: str, locale: str) -> str:
    for candidate in (locale, f"en_{country}"):
        if candidate in AVAILABLE_LOCALES:
            return candidate
    return FALLBACK_LOCALE


@functools.cache
def all_marketplaces() -> tuple[Marketplace, ...]:
    """Amazon's marketplaces in the order of its list (NA, EU, FE)."""
    zones = get_global("territory_zones")
    made = []
    for row in _data()["marketplaces"]:
        country = row["country"]
        currency = get_territory_currencies(country)[0]
        locale = str(Locale.parse(row.get("language") or f"und_{country}"))
        made.append(Marketplace(
            id=row["id"], country=country, code=row["code"], region=row["region"], name=row["name"],
            domain=row["domain"], currency=currency, precision=get_currency_precision(currency), locale=locale,
            faker_locale=_faker_locale(country, locale), time_zone=row.get("time_zone") or zones[country][0],
            postcode=row.get("postcode")))
    return tuple(made)


@functools.cache
def _by_key() -> dict[str, Marketplace]:
    keys: dict[str, Marketplace] = {}
    for marketplace in all_marketplaces():
        for key in (marketplace.id, marketplace.code, marketplace.country):
            keys[key.upper()] = marketplace
    return keys


def get(marketplace_id: str) -> Marketplace | None:
    """The marketplace of an ID, or of Amazon's or the ISO country code (UK, GB, IN); None if there is none."""
    return _by_key().get(marketplace_id.strip().upper()) if isinstance(marketplace_id, str) else None


@functools.cache
def precision(currency: str) -> int:
    """The currency's minor units (Babel: JPY 0, USD 2)."""
    return int(get_currency_precision(currency))


def amount(value: float, currency: str) -> str:
    """A money amount as Amazon writes it in `currency`: its minor units, no more (JPY: "1480")."""
    return f"{value:.{precision(currency)}f}"


def known(marketplace_id: object, name: str = "marketplace_id") -> Marketplace:
    """`get`, where the marketplace must exist: InvalidInput naming `name` if it does not."""
    found = get(marketplace_id) if isinstance(marketplace_id, str) else None
    if found is None:
        raise InvalidInput(f"{marketplace_id!r} is not one of Amazon's marketplaces: give a marketplace ID "
                           "(ATVPDKIKX0DER) or a country code (US, UK, IN).", name)
    return found


def parse_list(value: object, name: str = "marketplace_ids") -> tuple[str, ...]:
    """Marketplace IDs from a list or a comma-separated string of IDs or country codes, in order, without
    repeats; at least one."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise InvalidInput(f"'{name}' must list one or more marketplace IDs.", name)
    ids = [known(item, name).id for item in items]
    return tuple(dict.fromkeys(ids))


MARKETPLACE_PARAMETERS = ("marketplaceId", "marketplaceIds", "MarketplaceId", "MarketplaceIds")


def check_call(seller_marketplaces: tuple[str, ...], params: dict) -> None:
    """Every marketplace a call names in its model's own marketplace parameters (a query or path parameter, or a
    field at the top of its body) must be one the seller takes part in. Only the model's parameters are parsed
    into `params`: a MarketplaceId a client adds to an operation whose model has none (python-amazon-sp-api adds
    one to every call) is not looked at, as at Amazon."""
    for name, value in params.items():
        if name in MARKETPLACE_PARAMETERS:
            participating(seller_marketplaces, value, name)
        elif isinstance(value, dict):
            for key in MARKETPLACE_PARAMETERS:
                if isinstance(value.get(key), (str, list)):
                    participating(seller_marketplaces, value[key], f"{name}.{key}")


def participating(marketplace_ids: tuple[str, ...], wanted: list[str] | tuple[str, ...] | str | None,
                  name: str) -> None:
    """Refuse a call that names a marketplace the seller does not take part in, as Amazon refuses it: 403
    Unauthorized, "Access to requested resource is denied." (the 403 each operation's model declares for access
    denied; Amazon's own answer for marketplaces outside a caller's reach reads so, with the reason in `details`,
    e.g. amzn/selling-partner-api-models issue 5126)."""
    if wanted is None:
        return
    for marketplace_id in [wanted] if isinstance(wanted, str) else wanted:
        if marketplace_id not in marketplace_ids:
            raise Unauthorized(details=f"The seller does not participate in marketplace {marketplace_id} "
                                       f"({name}).")


REGION_FIELDS = ("state_abbr", "state", "prefecture", "province", "county", "region")


def address(fake: Faker, marketplace: Marketplace) -> dict:
    """A street address of the marketplace's country, in the mock's own keys (name, line1, city, state,
    postal_code, country, phone)."""
    region_field = next((f for f in REGION_FIELDS if hasattr(fake, f)), None)
    region = ""
    if region_field == "state_abbr":
        region = fake.state_abbr()
    elif region_field is not None:
        region = getattr(fake, region_field)()
    postcode = fake.numerify(marketplace.postcode) if marketplace.postcode else fake.postcode()
    return {"name": fake.name(), "line1": fake.street_address(), "city": fake.city(), "state": region,
            "postal_code": postcode, "country": marketplace.country, "phone": fake.phone_number()}
