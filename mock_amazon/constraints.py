"""Constraints Amazon's models state only in words: one table, each row with the model text it comes from.

spec.py enforces everything the models declare as schema (types, formats, enums, ranges, lengths, patterns). What a
model says only in a description (two parameters that exclude each other, a date that must be two minutes old, the
possible values of a v0 list parameter) is a row here. Rows with a `check` are enforced by the pipeline on the
parsed parameters of every call of their operations, after the schema checks; rows without one name the backend
code that enforces them (`enforced_in`), where the rule belongs to a request a feed can carry as well.

docs/constraints.md holds this table (`markdown()` writes it), and tests check that every row's quote is the
model's own text, that every row is enforced, and that the doc shows the table as it is.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from mock_amazon.errors import InvalidInput
from mock_amazon.spec import load_model, operation, parse_time

#: A check of one call's parsed parameters at the mock's current time; it raises InvalidInput.
Check = Callable[[dict[str, Any], datetime], None]

ORDERS_V0, ORDERS_2026 = "ordersV0", "orders_2026-01-01"
MCF = "fulfillmentOutbound_2020-07-01"
EF_SHIPMENTS, EF_RETURNS = "externalFulfillmentShipments_2024-09-11", "externalFulfillmentReturns_2024-09-11"
BEFORE_NOW = timedelta(minutes=2)  # "at least two minutes before current time"
MIN_PACKAGE_GRAMS = 5.0
GRAMS = {"G": 1.0, "KG": 1000.0, "LB": 453.59237, "OZ": 28.349523125}


@dataclass(frozen=True)
class Constraint:
    operations: tuple[str, ...]     # model.operationId
    rule: str                       # what the mock refuses, in a sentence
    quote: str                      # the model's words it comes from (whitespace aside)
    check: Check | None = None      # enforced by the pipeline; None: by the code `enforced_in` names
    enforced_in: str = "mock_amazon/constraints.py"

    @property
    def model(self) -> str:
        return self.operations[0].split(".", 1)[0]


def _given(params: dict, name: str) -> bool:
    return params.get(name) not in (None, "", [])


def exactly_one(first: str, second: str, unless: str) -> Check:
    """One of two parameters, never both (a pagination token `unless` carries the query instead)."""
    def check(params: dict, now: datetime) -> None:
        if _given(params, unless):
            return
        if _given(params, first) == _given(params, second):
            raise InvalidInput(f"Exactly one of {first} and {second} is required.",
                               second if _given(params, first) else first)
    return check


def excludes(given: str, *others: str) -> Check:
    """With `given`, none of `others`."""
    def check(params: dict, now: datetime) -> None:
        if _given(params, given):
            for other in others:
                if _given(params, other):
                    raise InvalidInput(f"{other} cannot be given with {given}.", other)
    return check


def requires(given: str, *others: str) -> Check:
    """With `given`, every one of `others` too."""
    def check(params: dict, now: datetime) -> None:
        if _given(params, given):
            for other in others:
                if not _given(params, other):
                    raise InvalidInput(f"{other} is required when {given} is given.", other)
    return check


def one_at_most(*names: str) -> Check:
    def check(params: dict, now: datetime) -> None:
        present = [name for name in names if _given(params, name)]
        if len(present) > 1:
            raise InvalidInput(f"{present[1]} cannot be given with {present[0]}.", present[1])
    return check


def window(after: str, before: str) -> Check:
    """`before`, if given, no earlier than `after` and at least two minutes before now; `after` not in the
    future (no window could follow it)."""
    def check(params: dict, now: datetime) -> None:
        start, end = params.get(after), params.get(before)
        if start is not None and start > now:
            raise InvalidInput(f"{after} must not be in the future.", after)
        if end is not None:
            if start is not None and end < start:
                raise InvalidInput(f"{before} must be equal to or after {after}.", before)
            if end > now - BEFORE_NOW:
                raise InvalidInput(f"{before} must be at least two minutes before the time of the request.", before)
    return check


def body_times_not_after_now(*names: str) -> Check:
    """Date-times of the body (already checked to be ISO 8601) no later than now."""
    def check(params: dict, now: datetime) -> None:
        body = params.get("body") or {}
        for name in names:
            if body.get(name) and parse_time(name, body[name]) > now:
                raise InvalidInput(f"{name} must be prior to or equal to the current date and time.", name)
    return check


def not_before(name: str, age: timedelta, wording: str) -> Check:
    def check(params: dict, now: datetime) -> None:
        moment = params.get(name)
        if moment is not None and moment < now - age:
            raise InvalidInput(f"{name} must be no earlier than {wording} ago.", name)
    return check


# A value a description lists: "- `Pending` (The order ...)", "`AFN` (fulfilled ...)", "- `BLANK_BOX`: Ships ..."
LISTED_VALUE = re.compile(r"`(\w+)`(?: \(|:)")


@functools.cache
def described_values(operation_key: str, parameter: str) -> tuple[str, ...]:
    """The values a parameter's description lists (v0 lists them in words, not as an enum)."""
    model, operation_id = operation_key.split(".", 1)
    described = next(p for p in operation(model, operation_id).parameters if p["name"] == parameter)
    return tuple(LISTED_VALUE.findall(described["description"]))


@functools.cache
def feature_names() -> tuple[str, ...]:
    """The feature names FeatureSettings.featureName's description lists."""
    described = load_model(MCF + ".json")["definitions"]["FeatureSettings"]["properties"]["featureName"]
    return tuple(LISTED_VALUE.findall(described["description"]))


def one_of_listed(operation_key: str, name: str) -> Check:
    """Every value of a (list) parameter among the values its description lists."""
    def check(params: dict, now: datetime) -> None:
        allowed = described_values(operation_key, name)
        value = params.get(name)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            if item not in allowed:
                raise InvalidInput(f"'{name}' has an unknown value {item!r}; expected one of {', '.join(allowed)}.",
                                   name)
    return check


def between(name: str, low: int, high: int) -> Check:
    def check(params: dict, now: datetime) -> None:
        value = params.get(name)
        if value is not None and not low <= value <= high:
            raise InvalidInput(f"'{name}' must be between {low} and {high}, not {value}.", name)
    return check


POSITIVE_NUMBER = re.compile(r"[0-9]+")


def package_reference(params: dict, now: datetime) -> None:
    reference = params["payload"]["packageDetail"]["packageReferenceId"]
    if not POSITIVE_NUMBER.fullmatch(reference) or int(reference) == 0:
        raise InvalidInput("PackageReferenceId: is invalid, must be a positive numeric value.",
                           "packageDetail.packageReferenceId")


def carrier_name_for_other(params: dict, now: datetime) -> None:
    detail = params["payload"]["packageDetail"]
    if detail["carrierCode"] == "Other" and not detail.get("carrierName"):
        raise InvalidInput("carrierName is required when carrierCode is Other.", "packageDetail.carrierName")


def package_weight(params: dict, now: datetime) -> None:
    body = params.get("body") or {}
    packages = body.get("packages") if "packages" in body else [body]
    for index, package in enumerate(packages or []):
        weight = package.get("weight") if isinstance(package, dict) else None
        if not isinstance(weight, dict) or weight.get("weightUnit") not in GRAMS:
            continue  # the schema has refused it already
        try:
            grams = float(weight["value"]) * GRAMS[weight["weightUnit"]]
        except (TypeError, ValueError):
            continue  # not a number: the backend names it
        if grams < MIN_PACKAGE_GRAMS:
            where = f"packages[{index}].weight" if "packages" in body else "weight"
            raise InvalidInput(f"The package must weigh at least {MIN_PACKAGE_GRAMS:g} grams.", where)


def at_most(path: str, limit: int) -> Check:
    """At most `limit` items in the body's list at `path`."""
    def check(params: dict, now: datetime) -> None:
        items = (params.get("body") or {}).get(path) or []
        if len(items) > limit:
            raise InvalidInput(f"{path} takes at most {limit} items, not {len(items)}.", path)
    return check


def one_destination_resource(params: dict, now: datetime) -> None:
    resource = (params.get("body") or {}).get("resourceSpecification") or {}
    if "sqs" in resource and "eventBridge" in resource:
        raise InvalidInput("A destination takes one resource type: sqs or eventBridge, not both.",
                           "resourceSpecification")


def event_filter_or_expression(params: dict, now: datetime) -> None:
    directive = (params.get("body") or {}).get("processingDirective") or {}
    if "eventFilter" in directive and "filterExpression" in directive:
        raise InvalidInput("eventFilter and filterExpression are mutually exclusive.",
                           "processingDirective.filterExpression")


MCF_VALIDATION = "mock_amazon/apis/fulfillment_outbound/backend.py: validate_request (API and flat-file feed alike)"
GET_ORDERS, SEARCH_ORDERS = (f"{ORDERS_V0}.getOrders",), (f"{ORDERS_2026}.searchOrders",)
LISTED = "among the values its description lists"
MCF_ORDERS = (f"{MCF}.createFulfillmentOrder", f"{MCF}.updateFulfillmentOrder")

CONSTRAINTS: tuple[Constraint, ...] = (
    # Orders v0: getOrders
    Constraint(GET_ORDERS, "CreatedAfter or LastUpdatedAfter, exactly one (unless NextToken)",
               "Either the `CreatedAfter` parameter or the `LastUpdatedAfter` parameter is required. Both cannot be "
               "empty.", exactly_one("CreatedAfter", "LastUpdatedAfter", unless="NextToken")),
    Constraint(GET_ORDERS, "no LastUpdatedAfter or LastUpdatedBefore with CreatedAfter",
               "`LastUpdatedAfter` and `LastUpdatedBefore` cannot be set when `CreatedAfter` is set.",
               excludes("CreatedAfter", "LastUpdatedAfter", "LastUpdatedBefore")),
    Constraint(GET_ORDERS, "no CreatedAfter or CreatedBefore with LastUpdatedAfter",
               "`CreatedAfter` or `CreatedBefore` cannot be set when `LastUpdatedAfter` is set.",
               excludes("LastUpdatedAfter", "CreatedAfter", "CreatedBefore")),
    Constraint(GET_ORDERS, "CreatedBefore not before CreatedAfter and at least two minutes old; CreatedAfter not in "
               "the future",
               "If specified, `CreatedBefore` must be equal to or after the `CreatedAfter` date and at least two "
               "minutes before current time.", window("CreatedAfter", "CreatedBefore")),
    Constraint(GET_ORDERS, "LastUpdatedBefore not before LastUpdatedAfter and at least two minutes old; "
               "LastUpdatedAfter not in the future",
               "But if specified, `LastUpdatedBefore` must be equal to or after the `LastUpdatedAfter` date and at "
               "least two minutes before current time.", window("LastUpdatedAfter", "LastUpdatedBefore")),
    Constraint(GET_ORDERS, "SellerOrderId alone: no FulfillmentChannels, OrderStatuses, PaymentMethods, "
               "LastUpdatedAfter, LastUpdatedBefore or BuyerEmail with it",
               "If `SellerOrderId` is specified, then `FulfillmentChannels`, `OrderStatuses`, `PaymentMethod`, "
               "`LastUpdatedAfter`, `LastUpdatedBefore`, and `BuyerEmail` cannot be specified.",
               excludes("SellerOrderId", "FulfillmentChannels", "OrderStatuses", "PaymentMethods", "LastUpdatedAfter",
                        "LastUpdatedBefore", "BuyerEmail")),
    Constraint(GET_ORDERS, f"every OrderStatuses value {LISTED} (PendingAvailability, Pending, Unshipped, ...)",
               "A list of `OrderStatus` values used to filter the results. **Possible values:** - "
               "`PendingAvailability`", one_of_listed(GET_ORDERS[0], "OrderStatuses")),
    Constraint(GET_ORDERS, f"every FulfillmentChannels value {LISTED} (AFN, MFN)",
               "**Possible values**: `AFN` (fulfilled by Amazon), `MFN` (fulfilled by seller).",
               one_of_listed(GET_ORDERS[0], "FulfillmentChannels")),
    Constraint(GET_ORDERS, f"every PaymentMethods value {LISTED} (COD, CVS, Other)",
               "**Possible values**: `COD` (cash on delivery), `CVS` (convenience store), `Other` (Any payment "
               "method other than COD or CVS).", one_of_listed(GET_ORDERS[0], "PaymentMethods")),
    Constraint(GET_ORDERS, f"every EasyShipShipmentStatuses value {LISTED} (PendingSchedule, ..., Damaged)",
               "A list of `EasyShipShipmentStatus` values. Used to select Easy Ship orders with statuses that match "
               "the specified values.", one_of_listed(GET_ORDERS[0], "EasyShipShipmentStatuses")),
    Constraint(GET_ORDERS, f"every ElectronicInvoiceStatuses value {LISTED} (NotRequired, ..., Accepted)",
               "A list of `ElectronicInvoiceStatus` values. Used to select orders with electronic invoice statuses "
               "that match the specified values.", one_of_listed(GET_ORDERS[0], "ElectronicInvoiceStatuses")),
    Constraint(GET_ORDERS, "MaxResultsPerPage from 1 to 100",
               "A number that indicates the maximum number of orders that can be returned per page. Value must be "
               "1 - 100.", between("MaxResultsPerPage", 1, 100)),
    # Orders 2026-01-01: searchOrders
    Constraint(SEARCH_ORDERS, "createdAfter or lastUpdatedAfter, exactly one (unless paginationToken)",
               "You must provide exactly one of `createdAfter` and `lastUpdatedAfter` in your request.",
               exactly_one("createdAfter", "lastUpdatedAfter", unless="paginationToken")),
    Constraint(SEARCH_ORDERS, "no lastUpdatedAfter or lastUpdatedBefore with createdAfter",
               "If `createdAfter` is provided, neither `lastUpdatedAfter` nor `lastUpdatedBefore` may be provided.",
               excludes("createdAfter", "lastUpdatedAfter", "lastUpdatedBefore")),
    Constraint(SEARCH_ORDERS, "no lastUpdatedAfter or lastUpdatedBefore with createdBefore",
               "If `createdBefore` is provided, neither `lastUpdatedAfter` nor `lastUpdatedBefore` may be provided.",
               excludes("createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")),
    Constraint(SEARCH_ORDERS, "no createdAfter or createdBefore with lastUpdatedAfter",
               "If `lastUpdatedAfter` is provided, neither `createdAfter` nor `createdBefore` may be provided.",
               excludes("lastUpdatedAfter", "createdAfter", "createdBefore")),
    Constraint(SEARCH_ORDERS, "no createdAfter or createdBefore with lastUpdatedBefore",
               "If `lastUpdatedBefore` is provided, neither `createdAfter` nor `createdBefore` may be provided.",
               excludes("lastUpdatedBefore", "createdAfter", "createdBefore")),
    Constraint(SEARCH_ORDERS, "createdBefore not before createdAfter and at least two minutes old; createdAfter "
               "not in the future",
               "if provided must be equal to or after the `createdAfter` date and at least two minutes before the "
               "time of the request.", window("createdAfter", "createdBefore")),
    Constraint(SEARCH_ORDERS, "lastUpdatedBefore not before lastUpdatedAfter and at least two minutes old; "
               "lastUpdatedAfter not in the future",
               "if provided must be equal to or after the `lastUpdatedAfter` date and at least two minutes before "
               "the time of the request.", window("lastUpdatedAfter", "lastUpdatedBefore")),
    Constraint(SEARCH_ORDERS, "maxResultsPerPage from 1 to 100",
               "The value must be between 1 and 100.", between("maxResultsPerPage", 1, 100)),
    # Orders v0: confirmShipment
    Constraint((f"{ORDERS_V0}.confirmShipment",), "packageReferenceId a positive number",
               "A seller-supplied identifier that uniquely identifies a package within the scope of an order. Only "
               "positive numeric values are supported.", package_reference),
    Constraint((f"{ORDERS_V0}.confirmShipment",), "carrierName when carrierCode is Other",
               "Carrier name that will deliver the package. Required when `carrierCode` is \"Other\"",
               carrier_name_for_other),
    # Reports, FBA Inventory
    Constraint(("reports_2021-06-30.createReport",), "dataStartTime and dataEndTime not in the future",
               "The value must be prior to or equal to the current date and time.",
               body_times_not_after_now("dataStartTime", "dataEndTime")),
    Constraint(("reports_2021-06-30.getReports", "feeds_2021-06-30.getFeeds"),
               "reportTypes (feedTypes) unless nextToken", "Either reportTypes or nextToken is required.",
               enforced_in="mock_amazon/apis/processing.py: ProcessingBackend.search"),
    Constraint(("fbaInventory.getInventorySummaries",), "startDateTime no earlier than 18 months ago",
               "You must specify a date and time that is no earlier than 18 months prior to the date and time when "
               "you call the API.", not_before("startDateTime", timedelta(days=548), "18 months")),
    # Multi-channel fulfillment: what a flat-file feed's requests carry too
    Constraint(MCF_ORDERS + (f"{MCF}.getFulfillmentPreview",), "at most 100 lines and 250 units in all",
               "Maximum of 100 line items with a maximum of 250 units per order.", enforced_in=MCF_VALIDATION),
    Constraint(MCF_ORDERS, "displayableOrderId: 1 to 40 ISO 8859-1 characters, trimmed, no two spaces in a row",
               "The value must be an alpha-numeric or ISO 8859-1 compliant string from one to 40 characters in "
               "length. Cannot contain two spaces in a row. Leading and trailing white space is removed.",
               enforced_in=MCF_VALIDATION),
    Constraint(MCF_ORDERS + (f"{MCF}.getFulfillmentPreview",), "countryCode an ISO 3166-1 alpha-2 code",
               "The two digit country code. In ISO 3166-1 alpha-2 format.", enforced_in=MCF_VALIDATION),
    Constraint(MCF_ORDERS, "shipFromCountryCode an ISO 3166-1 alpha-2 code",
               "The two-character country code for the country from which the fulfillment order ships. Must be in "
               "ISO 3166-1 alpha-2 format.", enforced_in=MCF_VALIDATION),
    Constraint(MCF_ORDERS + (f"{MCF}.getFulfillmentPreview",), "city, except in Japan",
               "This property is required in all countries except Japan.", enforced_in=MCF_VALIDATION),
    Constraint(MCF_ORDERS + (f"{MCF}.getFulfillmentPreview",),
               f"every featureConstraints[].featureName {LISTED} (BLOCK_AMZL, BLANK_BOX, ...)",
               "The name of the feature. Valid feature names are:", enforced_in=MCF_VALIDATION),
    # External Fulfillment
    Constraint((f"{EF_SHIPMENTS}.createPackages", f"{EF_SHIPMENTS}.updatePackage"), "a package weighs 5 g or more",
               "The weight of the package. The package must weigh at least 5 grams.", package_weight),
    Constraint((f"{EF_SHIPMENTS}.createPackages", f"{EF_SHIPMENTS}.updatePackage"),
               "dimension and weight values positive", "Must be a positive value.",
               enforced_in="mock_amazon/apis/external_fulfillment/backend.py: _package_size"),
    Constraint((f"{EF_RETURNS}.listReturns",), "returnLocationId and status with lastUpdatedSince",
               "If you supply this parameter, you must also supply `returnLocationId` and `status`.",
               requires("lastUpdatedSince", "returnLocationId", "status")),
    Constraint((f"{EF_RETURNS}.listReturns",), "returnLocationId and status with lastUpdatedUntil",
               "If you supply this parameter, you must also supply `returnLocationId` and `status`.",
               requires("lastUpdatedUntil", "returnLocationId", "status")),
    # Listings, Notifications
    Constraint(("listingsItems_2021-08-01.searchListingsItems",), "identifiersType with identifiers",
               "This is required when `identifiers` is provided.", requires("identifiers", "identifiersType")),
    Constraint(("listingsItems_2021-08-01.searchListingsItems",), "identifiers with identifiersType",
               "This is required when you specify `identifiersType`.", requires("identifiersType", "identifiers")),
    Constraint(("listingsItems_2021-08-01.searchListingsItems",),
               "identifiers, variationParentSku and packageHierarchySku: one at most",
               "You cannot use 'identifiers' if you specify `variationParentSku` or `packageHierarchySku`.",
               one_at_most("identifiers", "variationParentSku", "packageHierarchySku")),
    Constraint(("notifications.createDestination",), "one resource type per destination",
               "Applications should use one resource type (sqs or eventBridge) per destination.",
               one_destination_resource),
    # Tokens
    Constraint(("tokens_2021-03-01.createRestrictedDataToken",), "at most 50 restricted resources",
               "A list of restricted resources. Maximum: 50", at_most("restrictedResources", 50)),
    Constraint(("tokens_2021-03-01.createRestrictedDataToken",),
               "dataElements for getOrders, getOrder and getOrderItems (and only the ones they have)",
               "This parameter is required only when getting an RDT for use with the getOrder, getOrders, or "
               "getOrderItems operation of the Orders API.",
               enforced_in="mock_amazon/apis/tokens/backend.py: RestrictedDataTokens"),
    Constraint(("notifications.createSubscription",), "eventFilter or filterExpression, not both",
               "eventFilter and filterExpression are mutually exclusive", event_filter_or_expression),
)

BY_OPERATION: dict[str, tuple[Constraint, ...]] = {}
for _row in CONSTRAINTS:
    for _operation in _row.operations:
        BY_OPERATION[_operation] = BY_OPERATION.get(_operation, ()) + (_row,)


def enforce(operation_key: str, params: dict[str, Any], now: datetime) -> None:
    """Every row with a check for this operation (`model.operationId`); the first broken raises InvalidInput."""
    for row in BY_OPERATION.get(operation_key, ()):
        if row.check is not None:
            row.check(params, now)


def markdown() -> str:
    """The table as docs/constraints.md shows it."""
    lines = ["| operation | what the mock enforces | model text it comes from | enforced in |",
             "|---|---|---|---|"]
    for row in CONSTRAINTS:
        operations = ", ".join(f"`{op.split('.', 1)[1]}`" for op in row.operations)
        quote = row.quote.replace("|", "\\|")
        lines.append(f"| {operations} ({row.model}) | {row.rule} | {quote} | `{row.enforced_in}` |")
    return "\n".join(lines) + "\n"

