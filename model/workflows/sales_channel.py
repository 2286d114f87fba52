"""A store's Amazon sales channel (seed 004, Magento Amazon Sales Channel; F004-1..4).

Merchant-fulfilled orders are imported while Pending but not shown; once Amazon marks them Unshipped they are
shown, their details (price, buyer) are read, and the store order is created, with a new customer or as a guest.
The buyer's details are personal data: they are read with a restricted data token (model.workflows.tokens).
Shipping in the store confirms the shipment to Amazon, which notifies the buyer (the store sends no e-mail).
Amazon-fulfilled orders are imported only once Shipped, and, if the order settings say so, created already complete.
The Orders tab lists the shown orders: Amazon's order number, its status, and the Magento order number once the
store order exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from model.lifecycles import Lifecycle
from model.seller import StoreOrder
from model.workflows import orders, tokens
from model.workflows.protocol import Request, Workflow, WorkflowError, expect_ok


@dataclass(eq=False)
class ChannelOrder:
    """The sales channel's record of an Amazon order; `store_order` exists once it is shown."""
    amazon_order_id: str
    amazon_status: str
    shown: bool = False
    store_order: StoreOrder | None = None


@dataclass
class SalesChannel:
    store_orders: Lifecycle                # the store_order lifecycle: every status change goes through it
    create_customers: bool = True          # False: guest orders
    import_fba_orders: bool = True         # False: shipped FBA orders are shown, but no store order is created
    records: dict[str, ChannelOrder] = field(default_factory=dict)
    customers: dict[str, dict] = field(default_factory=dict)
    outbox: list[dict] = field(default_factory=list)   # e-mails the store sent (none for Amazon orders)

    def shown(self) -> list[ChannelOrder]:
        return [r for r in self.records.values() if r.shown]

    def orders_tab(self) -> list[dict]:
        """The Orders tab: a row per shown order, with the Magento order number once its store order exists."""
        return [{"amazon_order_id": r.amazon_order_id, "status": r.amazon_status,
                 "magento_order": r.store_order.id if r.store_order is not None else ""} for r in self.shown()]


def sync(channel: SalesChannel, since: datetime, marketplace_id: str = "ATVPDKIKX0DER") -> Workflow[SalesChannel]:
    """One import run: every order updated since `since`, all pages."""
    found = yield from orders.list_orders(since, marketplace_id)
    buyer_info = BuyerInfo()
    for summary in found:
        yield from _take(channel, summary, buyer_info)
    return channel


@dataclass
class BuyerInfo:
    """getOrderBuyerInfo through one restricted data token for every order of a run, asked for when first needed
    and again if it has expired (403)."""
    token: str | None = None

    def read(self, order_id: str) -> Workflow[dict]:
        for _ in range(2):
            if self.token is None:
                self.token = yield from tokens.restricted(tokens.BUYER_INFO)
            answer = yield tokens.using(self.token, Request("ordersV0.getOrderBuyerInfo", path={"orderId": order_id}))
            if answer.status != 403:
                return expect_ok(answer, "getOrderBuyerInfo").body["payload"]
            self.token = None
        raise WorkflowError(f"getOrderBuyerInfo refused a new restricted data token: {answer.error_message}", answer)


def _take(channel: SalesChannel, summary: dict, buyer_info: BuyerInfo) -> Workflow[None]:
    order_id, status = summary["AmazonOrderId"], summary["OrderStatus"]
    afn = summary.get("FulfillmentChannel") == "AFN"
    if afn and status != "Shipped":
        return  # FBA orders are left alone until Amazon has shipped them (F004-4)
    record = channel.records.setdefault(order_id, ChannelOrder(order_id, status))
    record.amazon_status = status
    if record.store_order is not None or status in ("Pending", "PendingAvailability"):
        return  # imported, not shown yet (F004-1)
    if status not in ("Unshipped", "Shipped"):
        return
    if afn and not channel.import_fba_orders:
        record.shown = True  # in the Orders tab, with no store order (seed 004's order settings)
        return
    items = yield from orders.order_items(order_id)
    buyer = yield from buyer_info.read(order_id)  # personal data: through a restricted data token
    email = buyer.get("BuyerEmail")
    customer = None
    if channel.create_customers and email:  # F004-2: a customer record, or a guest order
        channel.customers.setdefault(email, {"email": email, "name": buyer.get("BuyerName")})
        customer = email
    store_order = StoreOrder(f"M{len(channel.records):06d}", "amazon", order_id,
                             [(i["SellerSKU"], i["QuantityOrdered"]) for i in items],
                             item_ids=[i["OrderItemId"] for i in items],
                             total=summary.get("OrderTotal", {}).get("Amount", ""), customer=customer)
    lifecycle = channel.store_orders
    lifecycle.restore(store_order)
    if afn:
        lifecycle.fire(store_order, "import_completed")  # created already complete (F004-4)
    else:
        lifecycle.fire(store_order, "import_order")
        lifecycle.fire(store_order, "acknowledge")
    record.store_order, record.shown = store_order, True


def ship_in_store(channel: SalesChannel, amazon_order_id: str, carrier: str, tracking: str,
                  ship_date: datetime) -> Workflow[StoreOrder]:
    """F004-3: the store ships with a tracking number; Amazon gets it and tells the buyer."""
    record = channel.records[amazon_order_id]
    store_order = record.store_order
    if store_order is None:
        raise ValueError(f"order {amazon_order_id} is not shown in the store yet")
    items = [{"OrderItemId": item_id, "QuantityOrdered": units}
             for (_, units), item_id in zip(store_order.lines, store_order.item_ids)]
    yield from orders.post_tracking(amazon_order_id, items, carrier, tracking, ship_date)
    channel.store_orders.fire(store_order, "ship_fully")
    record.amazon_status = "Shipped"
    return store_order
