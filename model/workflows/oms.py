"""An order-management system connected to Amazon FBA (seed 000, InfiPlex; F000-1..9).

The OMS learns its FBA SKUs from Amazon. An order from Amazon.com whose SKUs are FBA SKUs needs nothing: Amazon
fulfils it. An order from any other channel (the webstore, eBay, Groupon) has its FBA SKUs put into a package
flagged FBA and sent to Amazon as a multi-channel fulfillment order; the rest go into an ordinary package for the
merchant's own shipping (the WorldShip export). Amazon's answer is a note on the order: tracking ships the
package (and goes back to the channel the order came from, and to the customer by e-mail if so set), an error
leaves the package unshipped and the order waiting for a person. A customer's cancellation of the multi-channel
order is no error: the package and the order are cancelled, and the channel the order came from is told.

Every status change goes through the store_order and package lifecycles. What the OMS sends to people and other
channels lands in outboxes (`emails`, `channel_updates`), which is what the scenarios check.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from model.clock import Clock
from model.lifecycles import Lifecycles, Stateful
from model.workflows import fulfillment, orders
from model.workflows.protocol import Request, Workflow, expect_ok

SOURCES = ("amazon", "webstore", "ebay", "groupon")
MARKETPLACES = ("ebay", "groupon")             # tracking goes back to these channels
SHIPPED = ("Complete", "CompletePartialled")
REFUSED = ("Unfulfillable", "Invalid")
CANCELLED = ("Cancelled",)
WORLDSHIP_COLUMNS = ("PackageID", "OrderID", "ShipToName", "Address1", "City", "State", "PostalCode", "Country",
                     "Phone", "Email", "Service", "Contents")


@dataclass
class OmsSettings:
    """The Amazon settings area, with the seed's defaults."""
    amazon_fba_enabled: bool = True
    auto_create_package_on_order: bool = True
    auto_send_un_sent_tracking_emails: bool = True


@dataclass(eq=False)
class OmsPackage(Stateful):
    """A package of an OMS order: shipped by the warehouse, or sent to Amazon as a multi-channel order (fba)."""
    id: str
    order_id: str
    lines: list[tuple[str, int]]
    fba: bool = False
    sent_as: list[str] = field(default_factory=list)   # multi-channel fulfillment order IDs, one per attempt
    carrier: str | None = None
    tracking: str | None = None


@dataclass(eq=False)
class OmsOrder(Stateful):
    id: str
    source: str
    channel_order_id: str
    lines: list[tuple[str, int]]
    customer: dict          # name, email, address (Amazon's destinationAddress fields)
    created: str            # ISO time
    method: str = "Standard"
    notes: list[str] = field(default_factory=list)
    package_ids: list[str] = field(default_factory=list)
    unsent_emails: list[str] = field(default_factory=list)   # tracking numbers whose e-mail waits for a person


@dataclass
class Oms:
    clock: Clock
    settings: OmsSettings = field(default_factory=OmsSettings)
    amazon_keys: dict | None = None                     # client_id, client_secret, refresh_token
    fba_skus: dict[str, int] = field(default_factory=dict)   # FBA SKU -> fulfillable units at Amazon
    orders: dict[str, OmsOrder] = field(default_factory=dict)
    packages: dict[str, OmsPackage] = field(default_factory=dict)
    emails: list[dict] = field(default_factory=list)            # outbox: e-mails to customers
    channel_updates: list[dict] = field(default_factory=list)   # outbox: tracking (or a cancellation) for eBay, Groupon
    lifecycles: Lifecycles = None  # type: ignore[assignment]  # None: __post_init__ makes one on `clock`

    def __post_init__(self) -> None:
        self.lifecycles = self.lifecycles or Lifecycles(self.clock)

    def is_fba(self, sku: str) -> bool:
        return self.settings.amazon_fba_enabled and sku in self.fba_skus

    def packages_of(self, order_id: str) -> list[OmsPackage]:
        return [self.packages[p] for p in self.orders[order_id].package_ids]

    def note(self, order: OmsOrder, text: str) -> None:
        order.notes.append(f"{self.clock.now():%Y-%m-%d %H:%M} {text}")


def pull_fba_inventory(oms: Oms, marketplace_id: str = "ATVPDKIKX0DER") -> Workflow[dict[str, int]]:
    """F000-1: with FBA enabled (and Amazon keys set), the FBA SKU list and levels, all pages; else nothing."""
    if not oms.settings.amazon_fba_enabled or oms.amazon_keys is None:
        return {}
    found, token = {}, None
    while True:
        query = {"granularityType": "Marketplace", "granularityId": marketplace_id, "marketplaceIds": marketplace_id,
                 "details": "true", **({"nextToken": token} if token else {})}
        response = expect_ok((yield Request("fbaInventory.getInventorySummaries", query=query)),
                             "getInventorySummaries")
        for summary in response.body["payload"]["inventorySummaries"]:
            found[summary["sellerSku"]] = summary["inventoryDetails"]["fulfillableQuantity"]
        token = (response.body.get("pagination") or {}).get("nextToken")
        if not token:
            break
    oms.fba_skus = found
    return found


def take_order(oms: Oms, source: str, channel_order_id: str, lines: list[tuple[str, int]], customer: dict,
               method: str = "Standard") -> OmsOrder:
    """An order arrives (F000-2, -3, -6, -7): packages per the FBA rule. No call to Amazon here."""
    if source not in SOURCES:
        raise ValueError(f"unknown order source {source!r}; known: {', '.join(SOURCES)}")
    if any(o.source == source and o.channel_order_id == channel_order_id for o in oms.orders.values()):
        raise ValueError(f"{source} order {channel_order_id} was already taken")
    order = OmsOrder(f"O{len(oms.orders) + 1:05d}", source, channel_order_id, list(lines), customer,
                     oms.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"), method)
    oms.orders[order.id] = order
    store_orders = oms.lifecycles.store_order
    store_orders.restore(order)
    store_orders.fire(order, "import_order")
    fba = [(sku, units) for sku, units in lines if oms.is_fba(sku)]
    own = [(sku, units) for sku, units in lines if not oms.is_fba(sku)]
    if source == "amazon" and fba:
        oms.note(order, "FBA SKUs of an Amazon.com order: Amazon fulfils them, no package is made")
    elif fba:
        _new_package(oms, order, fba, fba=True)
    if own and oms.settings.auto_create_package_on_order:
        _new_package(oms, order, own, fba=False)
    store_orders.fire(order, "acknowledge")
    return order


def import_amazon_orders(oms: Oms, since: datetime,
                         marketplace_id: str = "ATVPDKIKX0DER") -> Workflow[list[OmsOrder]]:
    """Amazon.com orders come into the OMS like any other channel's (F000-2, F000-8); each once."""
    taken = {o.channel_order_id for o in oms.orders.values() if o.source == "amazon"}
    new = []
    for summary in (yield from orders.list_orders(since, marketplace_id)):
        if summary["AmazonOrderId"] in taken or summary["OrderStatus"] in ("Pending", "Canceled"):
            continue
        items = yield from orders.order_items(summary["AmazonOrderId"])
        new.append(take_order(oms, "amazon", summary["AmazonOrderId"],
                              [(i["SellerSKU"], i["QuantityOrdered"]) for i in items],
                              {"name": "", "email": "", "address": {}},
                              summary.get("ShipmentServiceLevelCategory", "Standard")))
    return new


def _new_package(oms: Oms, order: OmsOrder, lines: list[tuple[str, int]], fba: bool) -> OmsPackage:
    package = OmsPackage(f"{order.id}-P{len(order.package_ids) + 1}", order.id, list(lines), fba)
    oms.packages[package.id] = package
    order.package_ids.append(package.id)
    lifecycle = oms.lifecycles.package
    lifecycle.restore(package)
    lifecycle.fire(package, "flag_fba" if fba else "flag_own_stock")
    return package


def send_fba_packages(oms: Oms) -> Workflow[None]:
    """F000-3/5: every package flagged FBA goes to Amazon as a multi-channel fulfillment order; the note says
    so, or records the error and flags the order for a person. createFulfillmentOrder is idempotent by its ID,
    so a retried call never makes a second order."""
    for package in [p for p in oms.packages.values() if p.status == "fba"]:
        order = oms.orders[package.order_id]
        request_id = f"{package.id}-{len(package.sent_as) + 1}"
        accepted, message = yield from fulfillment.send_by_api({
            "id": request_id, "created": order.created, "method": order.method, "lines": package.lines,
            "address": order.customer["address"]})
        package.sent_as.append(request_id)
        oms.lifecycles.package.fire(package, "send_to_fba")
        skus = ", ".join(sku for sku, _ in package.lines)
        if accepted:
            oms.note(order, f"{skus} sent to FBA for shipment as {request_id}")
        else:
            _refused(oms, order, package, message)


def collect_fba_responses(oms: Oms) -> Workflow[None]:
    """F000-3/4/5/7: Amazon's answer for every package at FBA, recorded in a note: tracking ships it, an error
    leaves it for a person, a cancellation cancels it."""
    for package in [p for p in oms.packages.values() if p.status == "sent_to_fba"]:
        order = oms.orders[package.order_id]
        status, tracking = yield from fulfillment.fulfillment_status(package.sent_as[-1])
        if status in SHIPPED and tracking:
            oms.note(order, f"FBA shipped {package.id}: tracking {tracking[0]}")
            ship_package(oms, package.id, "AMZN_US", tracking[0])
        elif status in CANCELLED:
            cancel_package(oms, package.id, f"the customer cancelled {package.sent_as[-1]} at Amazon")
        elif status in REFUSED:
            _refused(oms, order, package, f"FBA answered {status}")


def cancel_package(oms: Oms, package_id: str, reason: str) -> None:
    """A customer's cancellation (seed 000: Amazon's answer is recorded in a note): the package is cancelled, not
    left for a person; once nothing of the order is left to ship the order is cancelled too, and the channel it
    came from is told, as it is told of tracking."""
    package = oms.packages[package_id]
    order = oms.orders[package.order_id]
    oms.lifecycles.package.fire(package, "cancel")
    oms.note(order, f"FBA cancelled {package.id}: {reason}")
    live = [p for p in oms.packages_of(order.id) if p.status not in ("deleted", "cancelled")]
    if live or not oms.lifecycles.store_order.can_fire(order, "cancel"):
        return
    oms.lifecycles.store_order.fire(order, "cancel")
    if order.source in MARKETPLACES:
        oms.channel_updates.append({"channel": order.source, "order": order.channel_order_id,
                                    "cancelled": reason})


def _refused(oms: Oms, order: OmsOrder, package: OmsPackage, message: str) -> None:
    oms.lifecycles.package.fire(package, "reject_by_fba")
    oms.note(order, f"FBA error for {package.id}: {message}. The package stays unshipped: ship it from own stock "
                    "or through Seller Central, or delete and re-create it")
    if oms.lifecycles.store_order.can_fire(order, "flag_for_manual"):
        oms.lifecycles.store_order.fire(order, "flag_for_manual")


def ship_package(oms: Oms, package_id: str, carrier: str, tracking: str) -> None:
    """A package gets its tracking number (from FBA, or uploaded back from WorldShip); once every package of
    the order is shipped the order is fully shipped, its channel is told, and the customer is e-mailed."""
    package = oms.packages[package_id]
    order = oms.orders[package.order_id]
    package.carrier, package.tracking = carrier, tracking
    oms.lifecycles.package.fire(package, "attach_tracking")
    if order.source in MARKETPLACES:
        oms.channel_updates.append({"channel": order.source, "order": order.channel_order_id, "carrier": carrier,
                                    "tracking": tracking})
    if oms.settings.auto_send_un_sent_tracking_emails:
        _email(oms, order, tracking)
    else:
        order.unsent_emails.append(tracking)
    live = [p for p in oms.packages_of(order.id) if p.status != "deleted"]
    store_orders = oms.lifecycles.store_order
    if all(p.status == "shipped" for p in live):
        store_orders.fire(order, "ship_fully")
    elif store_orders.can_fire(order, "ship_partially"):
        store_orders.fire(order, "ship_partially")


def send_unsent_tracking_emails(oms: Oms, order_id: str) -> int:
    """F000-4, setting off: a person sends the shipped e-mails that waited."""
    order = oms.orders[order_id]
    waiting, order.unsent_emails = order.unsent_emails, []
    for tracking in waiting:
        _email(oms, order, tracking)
    return len(waiting)


def _email(oms: Oms, order: OmsOrder, tracking: str) -> None:
    oms.emails.append({"to": order.customer["email"], "subject": f"Your order {order.id} has shipped",
                       "order": order.id, "tracking": tracking})


def recreate_package(oms: Oms, package_id: str) -> OmsPackage:
    """F000-8: a package FBA did not ship is deleted and re-created as an ordinary package, so it enters the
    WorldShip export; the order leaves manual intervention."""
    package = oms.packages[package_id]
    order = oms.orders[package.order_id]
    lifecycle = oms.lifecycles.package
    lifecycle.fire(package, "delete")
    lifecycle.fire(package, "recreate")
    package.fba = False
    lifecycle.fire(package, "flag_own_stock")
    oms.note(order, f"{package.id} re-created for shipping from own stock")
    if oms.lifecycles.store_order.can_fire(order, "resume"):
        oms.lifecycles.store_order.fire(order, "resume")
    return package


def worldship_export(oms: Oms) -> str:
    """F000-8: the packages WorldShip may ship, as a CSV: ordinary unshipped packages only (FBA packages never).
    Needs auto_create_package_on_order, without which orders have no packages to export."""
    if not oms.settings.auto_create_package_on_order:
        raise ValueError("the WorldShip export needs the auto_create_package_on_order setting set to yes")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(WORLDSHIP_COLUMNS)
    for package in oms.packages.values():
        if package.status != "own_stock":
            continue
        order = oms.orders[package.order_id]
        address = order.customer["address"]
        writer.writerow((package.id, order.id, address.get("name", ""), address.get("addressLine1", ""),
                         address.get("city", ""), address.get("stateOrRegion", ""), address.get("postalCode", ""),
                         address.get("countryCode", ""), address.get("phone", ""), order.customer.get("email", ""),
                         order.method, " ".join(f"{sku}x{units}" for sku, units in package.lines)))
    return out.getvalue()


def remove_fba(oms: Oms, remove_amazon: bool = False) -> None:
    """F000-9, in the documented order: remove the keys first if Amazon goes entirely, delete every FBA SKU,
    then turn FBA off. Afterwards no SKU is treated as FBA."""
    if remove_amazon:
        oms.amazon_keys = None
    oms.fba_skus.clear()
    oms.settings.amazon_fba_enabled = False
