"""The integration's schedules, each a SimPy process that drives the reference workflows:
MFN order import and tracking, MFN inventory sync, webstore orders sent to FBA and their shipments imported,
the FBA inventory job, and seller-flex: the order poller, the warehouse, and the inventory pusher."""
from __future__ import annotations

from datetime import datetime, timedelta

import simpy

from model.clock import to_datetime
from model.seller import StoreOrder
from model.workflows import fulfillment, listings, orders, reports, seller_flex
from model.workflows.protocol import R, Workflow, WorkflowError
from simulator.transport import Steps
from simulator.world import World


def start(world: World) -> None:
    env = world.env
    for process in (mfn_order_poller, mfn_inventory_sync, webstore_dispatcher, shipment_importer, fba_inventory,
                    flex_order_poller, flex_pusher, webstore_cancellations):
        env.process(process(world))


def _settings(world: World) -> dict:
    return world.scenario["integration"]


def attempt(world: World, workflow: Workflow[R], what: str) -> Steps[R | None]:
    """Run a workflow; a failure that survived the session's retries is counted, and None returned."""
    try:
        return (yield from world.perform(workflow))
    except WorkflowError:
        world.metrics.count(f"failed.{what}")
        return None


# merchant-fulfilled Amazon orders (F001-3/6/7/8, F004-1/3)
def mfn_order_poller(world: World) -> Steps[None]:
    """Every order-check interval: orders ready to ship, their items, into the warehouse, acknowledged."""
    env, settings = world.env, _settings(world)
    since = world.start - world.order_lookback
    while True:
        checked_at = world.now()
        found = yield from attempt(world, orders.ready_to_ship(since), "getOrders")
        if found is not None:
            since = checked_at - timedelta(minutes=10)  # overlap: an order updated during the poll is not missed
            for summary in found:
                yield from take_amazon_order(world, summary)
        yield env.timeout(settings["order_poll_minutes"] * 60)


def take_amazon_order(world: World, summary: dict) -> Steps[None]:
    """One merchant-fulfilled order, once: its items read, into the warehouse and acknowledged, or flagged for a
    person when the warehouse cannot fill it. `summary` needs AmazonOrderId and PurchaseDate (a getOrders entry,
    or an ORDER_CHANGE notification's summary)."""
    if ("amazon", summary["AmazonOrderId"]) in world.by_external:
        return
    items = yield from attempt(world, orders.order_items(summary["AmazonOrderId"]), "getOrderItems")
    if items is None or ("amazon", summary["AmazonOrderId"]) in world.by_external:
        return
    purchase = datetime.fromisoformat(summary["PurchaseDate"].replace("Z", "+00:00"))
    promised = (purchase - world.start).total_seconds() + _settings(world)["handling_days"] * 86_400
    order = world.add_order("amazon", summary["AmazonOrderId"],
                            [(i["SellerSKU"], i["QuantityOrdered"]) for i in items], promised)
    world.fire(order, "import_order")
    if _allocate(world, order):
        world.fire(order, "acknowledge")
        world.env.process(mfn_warehouse(world, order, items))
    else:
        world.metrics.count("oversell_events")
        order.note.append("not enough stock in the warehouse")
        world.fire(order, "flag_for_manual")


def _allocate(world: World, order: StoreOrder) -> bool:
    done: list[tuple[str, int]] = []
    for sku, units in order.lines:
        if not world.warehouse.allocate(sku, units):
            for taken_sku, taken in done:
                world.warehouse.release(taken_sku, taken)
            return False
        done.append((sku, units))
    return True


def _ship_from_warehouse(world: World, order: StoreOrder, dirty: set[str]) -> None:
    for sku, units in order.lines:
        world.warehouse.ship(sku, units)
        dirty.add(sku)


def mfn_warehouse(world: World, order: StoreOrder, items: list[dict]) -> Steps[None]:
    """The warehouse picks and packs, then the tracking goes back to Amazon (F001-7)."""
    yield world.env.timeout(world.rng.uniform(0.5, 1.5) * _settings(world)["warehouse_hours"] * 3600)
    tracking = f"1Z{world.rng.randrange(10**15):015d}"
    posted = None
    while posted is None:
        posted = yield from attempt(world, orders.post_tracking(order.external_id, items, "UPS", tracking,
                                                                world.now()), "confirmShipment")
        if posted is None:
            yield world.env.timeout(600)
    _ship_from_warehouse(world, order, world.mfn_dirty)
    order.tracking.append(tracking)
    order.shipped_at = world.env.now
    world.fire(order, "ship_fully")


def mfn_inventory_sync(world: World) -> Steps[None]:
    """At most every inventory-sync interval, only SKUs with activity since the last sync (F001-2/3/4)."""
    env, settings = world.env, _settings(world)
    while True:
        yield env.timeout(settings["inventory_sync_hours"] * 3600)
        dirty, world.mfn_dirty = sorted(world.mfn_dirty), set()
        for sku in dirty:
            done = yield from attempt(world, listings.set_availability(
                world.seller.seller_id, sku, max(0, world.warehouse.free(sku)), int(settings["handling_days"])),
                "patchListingsItem")
            if done is None:
                world.mfn_dirty.add(sku)


# webstore orders through FBA (F000-3/5, F002-6..10)
def webstore_dispatcher(world: World) -> Steps[None]:
    """Each new webstore order is held, then sent to FBA in business hours (F002-9)."""
    settings = _settings(world)
    hours = fulfillment.BusinessHours(settings["time_zone"]) if settings["business_hours"] else None
    batch: list[StoreOrder] = []
    if settings["fulfillment_by"] == "feed":
        world.env.process(_feed_sender(world, batch))
    while True:
        order = yield world.webstore_inbox.get()
        released = fulfillment.release_time(to_datetime(world.clock.seconds()), settings["hold_hours"], hours)
        world.env.process(_release(world, order, (released - world.start).total_seconds(), batch))


def _release(world: World, order: StoreOrder, at: float, batch: list[StoreOrder]) -> Steps[None]:
    yield world.env.timeout(max(0.0, at - world.env.now))
    if order.status == "canceled":
        return  # the customer cancelled it before it was due to be sent
    if fulfillment.next_step(_settings(world)["auto_send"], to_datetime(world.start.timestamp() + at),
                             world.now()) == "manual":
        order.note.append("waiting for a person to send it to FBA")
        return
    if _settings(world)["fulfillment_by"] == "feed":
        batch.append(order)
        return
    answer = yield from attempt(world, fulfillment.send_by_api(_request(world, order)), "createFulfillmentOrder")
    _answered(world, order, answer)


def webstore_cancellations(world: World) -> Steps[None]:
    """A cancellation the customer asked the shop for goes on to Amazon (cancelFulfillmentOrder) while Amazon
    can still stop the order; one not yet sent is simply never sent."""
    while True:
        yield world.env.timeout(_settings(world)["fulfillment_check_minutes"] * 60)
        # Only the orders with a request (not every order the shop ever took), those settled for good dropped;
        # in the order they were taken (their IDs count up), as a pass over every order would meet them.
        world.cancellations = [o for o in world.cancellations if not world.lifecycles.store_order.is_final(o)
                               and "too late to cancel at Amazon" not in o.note]
        for order in sorted((o for o in world.cancellations if o.source == "webstore" and world.can_fire(o, "cancel")),
                            key=lambda o: o.id):
            if order.status == "acknowledged":
                cancelled = yield from attempt(world, fulfillment.cancel(order.id), "cancelFulfillmentOrder")
                if not cancelled:
                    order.note.append("too late to cancel at Amazon")
                    continue
            order.note.append("cancelled by the customer")
            world.fire(order, "cancel")


def _request(world: World, order: StoreOrder) -> dict:
    created = to_datetime(world.start.timestamp() + order.created).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"id": order.id, "displayable_id": order.external_id, "created": created,
            "method": order.method, "address": order.address, "lines": order.lines}


def _answered(world: World, order: StoreOrder, answer: tuple[bool, str] | None) -> None:
    world.metrics.count("fulfillment_requests.sent")
    if answer is None:
        order.note.append("FBA request failed; will need a person")
        world.fire(order, "flag_for_manual")
        return
    accepted, message = answer
    order.note.append(f"sent to FBA: {message}")
    if accepted:
        world.metrics.count("fulfillment_requests.accepted")
        world.fire(order, "acknowledge")
    else:
        world.metrics.count("fulfillment_requests.rejected")
        world.fire(order, "flag_for_manual")


def _feed_sender(world: World, batch: list[StoreOrder]) -> Steps[None]:
    while True:
        yield world.env.timeout(900)
        if not batch:
            continue
        sending = list(batch)
        batch.clear()
        results = yield from attempt(world, fulfillment.send_by_feed([_request(world, o) for o in sending]),
                                     "feed")
        for order in sending:
            _answered(world, order, None if results is None else results.get(order.id))


def shipment_importer(world: World) -> Steps[None]:
    """The fulfilled-shipments report over a look-back window: tracking onto webstore orders (F002-10), and a
    look at requests that never shipped (F000-5)."""
    env, settings = world.env, _settings(world)
    shipped: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    while True:
        yield env.timeout(settings["shipment_import_hours"] * 3600)
        lines = yield from attempt(world, reports.import_shipments(
            world.now(), lookback_days=settings["shipment_lookback_days"], poll_seconds=60), "shipments report")
        for line in lines or []:
            order = world.by_external.get(("webstore", _external(world, line.order_id)))
            if order is None or (line.order_id, line.tracking + line.sku) in seen:
                continue
            seen.add((line.order_id, line.tracking + line.sku))
            shipped[order.id] = shipped.get(order.id, 0) + line.quantity
            order.tracking.append(line.tracking)
            if shipped[order.id] >= sum(units for _, units in order.lines) and world.can_fire(order, "ship_fully"):
                shipped_at = datetime.fromisoformat(line.ship_date.replace("Z", "+00:00"))
                order.shipped_at = (shipped_at - world.start).total_seconds()
                world.fire(order, "ship_fully")
        stale = [o for o in world.orders if o.source == "webstore" and o.status == "acknowledged"
                 and env.now - o.created > 86_400]
        for order in stale:
            status = yield from attempt(world, fulfillment.fulfillment_status(order.id), "getFulfillmentOrder")
            if status and status[0] in ("Unfulfillable", "Invalid", "Cancelled"):
                order.note.append(f"FBA answered {status[0]}")
                world.fire(order, "flag_for_manual")


def _external(world: World, request_id: str) -> str:
    order = world.by_id.get(request_id)
    return order.external_id if order else request_id


def fba_inventory(world: World) -> Steps[None]:
    """The FBA inventory job on its schedule (F002-2..5); its pool is what downstream channels would sell."""
    settings = _settings(world)
    while True:
        run = yield from attempt(world, reports.fba_inventory_job(
            world.skus["fba"], settings["include_fbm"], settings["fetch_missing_from_api"], poll_seconds=60),
            "inventory job")
        if run is not None:
            world.fba_pool = run.quantities
            world.metrics.count("inventory_job.runs")
        del run  # its raw and parsed reports (every SKU, twice) are not kept through the wait
        yield world.env.timeout(settings["fba_inventory_hours"] * 3600)


# seller-flex (F003-*)
def flex_order_poller(world: World) -> Steps[None]:
    """New orders are taken at ACCEPTED, confirmed once, and go to the warehouse; a SKU the warehouse cannot
    fill is rejected (the seller's cancellation)."""
    env, settings = world.env, _settings(world)
    while True:
        accepted = yield from attempt(world, seller_flex.accepted_orders(world.location), "getShipments")
        for shipment in accepted or []:
            if ("seller_flex", shipment["id"]) in world.by_external:
                continue
            lines = [(i["merchantSku"], i["numberOfUnits"]) for i in shipment["lineItems"]]
            expected = datetime.fromisoformat(shipment["shippingInfo"]["expectedShippingDateTimeInUTC"]
                                              .replace("Z", "+00:00"))
            order = world.add_order("seller_flex", shipment["id"], lines, (expected - world.start).total_seconds())
            world.fire(order, "import_order")
            if not _allocate(world, order):
                world.metrics.count("oversell_events")
                yield from attempt(world, _reject(shipment), "processShipment")
                world.fire(order, "cancel")
                continue
            confirmed = yield from attempt(world, seller_flex.confirm(shipment["id"]), "processShipment")
            if confirmed in ("confirmed", "already_confirmed"):
                world.fire(order, "acknowledge")
                env.process(flex_warehouse(world, order, shipment))
            else:
                for sku, units in order.lines:
                    world.warehouse.release(sku, units)
                world.fire(order, "cancel")
        yield env.timeout(settings["flex_order_poll_seconds"])


def _reject(shipment: dict) -> Workflow[bool]:
    response = yield from seller_flex.reject(shipment["id"], shipment["lineItems"])
    return response.ok


def flex_warehouse(world: World, order: StoreOrder, shipment: dict) -> Steps[None]:
    """Pick and pack (from the site's next business hour, in its marketplace's time zone, when it keeps business
    hours); before packing, one status poll (F003-10) catches a customer's cancellation."""
    if _settings(world)["flex_business_hours"]:
        now = to_datetime(world.clock.seconds())
        opens = fulfillment.release_time(now, 0.0, fulfillment.BusinessHours(world.flex_marketplace.time_zone))
        yield world.env.timeout((opens - now).total_seconds())
    yield world.env.timeout(world.rng.uniform(0.5, 1.5) * _settings(world)["warehouse_hours"] * 3600)
    current = yield from attempt(world, seller_flex.shipment_status(order.external_id), "getShipment")
    if current is not None and current["status"] == "CANCELLED":
        for sku, units in order.lines:
            world.warehouse.release(sku, units)
        order.note.append("cancelled by the customer")
        world.fire(order, "cancel")
        world.flex_dirty.update(sku for sku, _ in order.lines)
        return
    result = yield from attempt(world, seller_flex.ship(shipment, world.dimensions), "ship")
    if not result or not result["ok"]:
        order.note.append(f"shipping failed at {result['step'] if result else 'a call'}")
        world.fire(order, "flag_for_manual")
        return
    _ship_from_warehouse(world, order, world.flex_dirty)
    order.tracking += result["tracking"]
    order.shipped_at = world.env.now
    world.fire(order, "ship_fully")


def flex_pusher(world: World) -> Steps[None]:
    """The inventory pusher (F003-2/3): one SKU per call, paced to the merchant's rate by the session's pacer,
    several calls in flight to hide latency; first a full push of every SKU, then whatever changed, every
    cadence. A SKU is never in flight twice: its sequence number is taken before the pacer's wait, so a second
    push of it could overtake the first and be refused as stale."""
    env, settings = world.env, _settings(world)
    queue = simpy.Store(env)
    in_flight: set[str] = set()
    initial = set(world.skus["seller_flex"]) if world.scenario["push"]["initial_full_push"] else set()
    world.push = {"skus": len(initial), "started": env.now, "accepted": 0, "finished": None, "progress": []}

    def worker() -> Steps[None]:
        while True:
            sku = yield queue.get()
            if sku in in_flight:
                world.flex_dirty.add(sku)  # pushed again once the push under way has landed
                continue
            in_flight.add(sku)
            result = yield from attempt(world, seller_flex.push_inventory(
                sku, world.location, max(0, world.warehouse.free(sku)), world.book, world.flex_marketplace.id),
                "batchInventory")
            in_flight.discard(sku)
            if result is None or not result.accepted:
                world.flex_dirty.add(sku)
                continue
            if result.stale_recovered:
                world.metrics.count("push.stale_recovered")
            if sku in initial:
                initial.discard(sku)
                world.push["accepted"] += 1
                world.push["progress"].append((env.now - world.push["started"], world.push["accepted"]))
                if not initial:
                    world.push["finished"] = env.now

    for _ in range(settings["push_concurrency"]):
        env.process(worker())
    for sku in sorted(initial):
        queue.put(sku)
    while True:
        yield env.timeout(settings["flex_push_cadence_seconds"])
        if world.flex_dirty and not queue.items:
            for sku in sorted(world.flex_dirty):
                queue.put(sku)
            world.flex_dirty = set()
