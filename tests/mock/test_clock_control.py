"""The clock as a test clock: read it, pause it, change its pace, jump ahead (what fell due in the skipped span
happens, in order, before the jump returns)."""
from datetime import datetime, timezone

import pytest

from mock_amazon import MockAmazon, create_app
from model.clock import VirtualClock, WallClock

ORDERS = "ordersV0"
START = datetime(2026, 3, 2, tzinfo=timezone.utc)


class RealTime:
    """The real time a WallClock follows, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_wall_clock_pauses_changes_pace_and_advances_without_jumps():
    real = RealTime()
    clock = WallClock(scale=10, start=START, source=real)
    start = clock.seconds()
    real.now += 3
    assert clock.seconds() == start + 30 and not clock.paused and clock.scale == 10
    clock.set_paused(True)
    real.now += 100
    assert clock.seconds() == start + 30, "paused: simulated time stands still"
    clock.advance(3600)
    assert clock.seconds() == start + 3630, "advancing works while paused"
    clock.set_paused(False)
    assert clock.seconds() == start + 3630, "resuming goes on from where it stood"
    real.now += 1
    assert clock.seconds() == start + 3640
    clock.set_scale(60)
    assert clock.seconds() == start + 3640, "a new pace starts from now"
    real.now += 2
    assert clock.seconds() == start + 3760 and clock.scale == 60
    clock.restore(start)
    assert clock.seconds() == start
    for bad in (0, -1, float("inf"), True, "fast"):
        with pytest.raises(ValueError):
            clock.set_scale(bad)


def test_a_virtual_clock_has_no_pace():
    clock = VirtualClock(START)
    assert clock.scale is None and clock.paused
    clock.set_paused(True)  # it is, always
    with pytest.raises(ValueError):
        clock.set_paused(False)
    with pytest.raises(ValueError):
        clock.set_scale(60)


def test_reading_and_pausing_a_wall_clock_over_http():
    real = RealTime()
    amazon = MockAmazon(clock=WallClock(scale=1, start=START, source=real))
    http = create_app(amazon).test_client()
    state = http.get("/_testbed/clock").json
    assert state == {"now": "2026-03-02T00:00:00+00:00", "seconds": START.timestamp(), "next_due": None,
                     "scale": 1, "paused": False}
    paused = http.put("/_testbed/clock", json={"paused": True})
    assert paused.status_code == 200 and paused.json["paused"] is True
    real.now += 500
    assert http.get("/_testbed/clock").json["seconds"] == START.timestamp()
    assert http.post("/_testbed/clock/advance", json={"seconds": 90}).json["now"] == "2026-03-02T00:01:30+00:00"
    running = http.put("/_testbed/clock", json={"paused": False, "scale": 3600}).json
    assert running["paused"] is False and running["scale"] == 3600 and running["seconds"] == START.timestamp() + 90
    real.now += 1
    assert http.get("/_testbed/clock").json["now"] == "2026-03-02T01:01:30+00:00"


def test_a_virtual_clock_refuses_a_pace_in_amazons_shape(http):
    state = http.get("/_testbed/clock").json
    assert state["scale"] is None and state["paused"] is True and {"now", "seconds", "next_due"} <= set(state)
    assert http.put("/_testbed/clock", json={"paused": True}).status_code == 200
    cases = [({"scale": 60}, "scale"), ({"paused": False}, "paused"), ({"scale": 0}, "scale"),
             ({"scale": -2}, "scale"), ({"scale": "fast"}, "scale"), ({"scale": True}, "scale"),
             ({"paused": "yes"}, "paused"), ({"speed": 2}, "speed"), ({"scale": 60, "paused": "no"}, "paused")]
    for body, named in cases:
        refused = http.put("/_testbed/clock", json=body)
        assert refused.status_code == 400, body
        error = refused.json["errors"][0]
        assert error["code"] == "InvalidInput" and error["details"] == named and error["message"], body
    assert http.put("/_testbed/clock", json=[1]).status_code == 400
    assert http.get("/_testbed/clock").json == state, "a refused change changes nothing"
    for seconds in ("Infinity", "NaN"):
        assert http.post("/_testbed/clock/advance", data=f'{{"seconds": {seconds}}}',
                         content_type="application/json").status_code == 400


def test_jumping_ahead_runs_what_fell_due_in_order(http, amazon):
    ran = []
    amazon.on("test.note", lambda seller_id, entity_id, at: ran.append((entity_id, at, amazon.now())))
    now = amazon.clock.seconds()
    for entity_id, delay in (("third", 3000), ("first", 10), ("second", 600), ("later", 10_000)):
        amazon.schedule(now + delay, "test.note", amazon.seller.seller_id, entity_id)
    moved = http.post("/_testbed/clock/advance", json={"seconds": 3600}).json
    assert [entity_id for entity_id, _, _ in ran] == ["first", "second", "third"]
    assert all(at == seen for _, at, seen in ran), "each runs at the time it was due"
    assert moved["timers_run"] >= 3 and http.get("/_testbed/clock").json["next_due"] == now + 10_000


def test_an_order_left_unshipped_past_its_ship_by_date(sp, http, amazon):
    """A QA engineer jumps two days to see what an order left unshipped looks like after its LatestShipDate."""
    seller = amazon.seller.seller_id
    skus = {i.channel: i.sku for i in amazon.listings.items.scan(seller)}
    placed = {channel: http.post("/_testbed/orders", json={"seller_id": seller, "channel": channel, "lines": [
        {"sku": skus[channel], "quantity": 1}]}).json["order_id"] for channel in ("MFN", "AFN")}
    http.post("/_testbed/clock/advance", json={"seconds": 2 * 86_400 + 1})
    mfn = sp(ORDERS, "getOrder", path={"orderId": placed["MFN"]}).body["payload"]
    assert mfn["OrderStatus"] == "Unshipped"
    assert mfn["LatestShipDate"] < amazon.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    afn = sp(ORDERS, "getOrder", path={"orderId": placed["AFN"]}).body["payload"]
    assert afn["OrderStatus"] in ("Shipped", "PartiallyShipped"), "Amazon shipped its own during the jump"
