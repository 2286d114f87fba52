"""Random sequences of seller-flex operations: the mock moves only along the lifecycle table and answers 409
otherwise; inventory never goes negative; sequence numbers are enforced. And a 1,000-SKU push at the limit."""
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mock_amazon import MockAmazon, create_app
from model.clock import VirtualClock
from model.inventory import CONDITIONS
from tests.conftest import login
from tests.mock.flex import INV, LOCATION, SHIP, fetch, package, set_up, update
from tests.support import Caller, flask_sender

# Each operation: the trigger it fires and how to call it.
OPERATIONS = {
    "confirm": ("confirm", lambda s: dict(query={"operation": "CONFIRM"}), "processShipment", 204),
    "reject": ("reject", lambda s: dict(query={"operation": "REJECT"}, body={"lineItems": [
        {"lineItem": {"id": "1", "quantity": 1}, "reason": "OUT_OF_STOCK"}]}), "processShipment", 204),
    "pack": ("create_packages", lambda s: dict(body={"packages": [package("P1", [("1", 1)])]}), "createPackages", 204),
    "repack": ("update_packages", lambda s: dict(path={"packageId": "P1"}, body=package("P1", [("1", 1)])),
               "updatePackage", 204),
    "slots": ("retrieve_pickup_slots", lambda s: dict(query={"packageId": "P1"}), "retrieveShippingOptions", 200),
    "invoice": ("generate_invoice", lambda s: dict(), "generateInvoice", 200),
    "label": ("generate_ship_label", lambda s: dict(query={"operation": "GENERATE"}, body={"packageIds": ["P1"]}),
              "generateShipLabels", 200),
    "relabel": ("regenerate_ship_label", lambda s: dict(query={"operation": "REGENERATE"},
                                                        body={"packageIds": ["P1"]}), "generateShipLabels", 200),
    "handover": ("ship", lambda s: dict(path={"packageId": "P1"}, query={"status": "SHIPPED"}),
                 "updatePackageStatus", 204),
    "deliver": ("deliver", lambda s: dict(path={"packageId": "P1"}, body={"status": "DELIVERED"}),
                "updatePackageStatus", 204),
}


class ShipmentRun(RuleBasedStateMachine):
    @initialize(seed=st.integers(0, 10_000))
    def start(self, seed):
        self.amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", seed=seed)
        self.amazon.limits.configure(lifted=True)
        self.amazon.seller = self.amazon.create_seller()
        self.skus = set_up(self.amazon, skus=1, stock=3)
        http = create_app(self.amazon).test_client()
        self.sp = Caller(flask_sender(http), login(http, self.amazon.seller),
                         renew=lambda: login(http, self.amazon.seller))
        self.lifecycle = self.amazon.lifecycles.seller_flex_shipment
        self.shipment = self.amazon.external_fulfillment.place(self.amazon.seller.seller_id, LOCATION,
                                                               [(self.skus[0], 1)]).id
        self.amazon.advance(60)
        self.sequence = 1

    def stored(self):
        return self.amazon.external_fulfillment.shipments.stored(self.amazon.seller.seller_id, self.shipment)

    @rule(name=st.sampled_from(sorted(OPERATIONS)))
    def operate(self, name):
        trigger, arguments, operation_id, success = OPERATIONS[name]
        before = self.stored()
        allowed = self.lifecycle.can_fire(before, trigger)
        request = arguments(before)
        request["path"] = {"shipmentId": self.shipment, **request.get("path", {})}
        answer = self.sp(SHIP, operation_id, **request)
        after = self.stored()
        if allowed:
            assert answer.status == success, (name, before.status, answer)
            assert after.history[-1].trigger == trigger
            assert (before.status, after.status) in {(s, row.dest) for row in self.lifecycle.table.rows_for(trigger)
                                                     for s in row.sources}
        else:
            assert answer.status == 409, (name, before.status, answer)
            assert before.status in answer.body["errors"][0]["message"]
            assert after.status == before.status and len(after.history) == len(before.history)

    @rule()
    def customer_cancels(self):
        before = self.stored()
        if self.lifecycle.can_fire(before, "cancel"):
            self.amazon.external_fulfillment.cancel_by_customer(self.amazon.seller.seller_id, self.shipment)
            assert self.stored().status == "CANCELLED"
        else:
            with pytest.raises(Exception, match=before.status):
                self.amazon.external_fulfillment.cancel_by_customer(self.amazon.seller.seller_id, self.shipment)

    @rule(quantity=st.integers(0, 5), jump=st.integers(-2, 2))
    def push_inventory(self, quantity, jump):
        sequence = self.sequence + jump
        answer = self.sp(INV, "batchInventory", body={"requests": [update(self.skus[0], quantity, sequence)]})
        result = answer.body["responses"][0]
        if sequence > self.sequence:
            assert result["status"]["statusCode"] == 200 and result["body"]["sellableQuantity"] == quantity
            self.sequence = sequence
        else:
            assert result["body"]["actionableErrors"][0]["errorType"] in ("STALE_SEQUENCE_NUMBER",
                                                                          "INVALID_SEQUENCE_NUMBER")

    @invariant()
    def inventory_is_never_negative_and_sequences_hold(self):
        if not hasattr(self, "amazon"):
            return
        position = self.amazon.ledger(self.amazon.seller.seller_id).get(self.skus[0], LOCATION)
        assert all(getattr(position, c) >= 0 for c in CONDITIONS)
        assert position.sequence == self.sequence
        shipment = self.stored()
        assert position.reserved == sum(shipment.reserved.values())


TestShipmentRun = ShipmentRun.TestCase
TestShipmentRun.settings = settings(max_examples=40, stateful_step_count=25, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow])


def test_pushing_1000_skus_at_the_merchants_limit():
    """One SKU per call at 6 calls a second on the virtual clock: every update accepted, none throttled; then a
    burst beyond the limit is throttled and stale sequence numbers are refused."""
    amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test")
    amazon.seller = amazon.create_seller()
    seller = amazon.seller.seller_id
    amazon.external_fulfillment.add_location(seller, LOCATION)
    skus = [f"PUSH-{n:04d}" for n in range(1000)]
    for sku in skus:
        amazon.listings.add(seller, sku, sku, "MFN")
    http = create_app(amazon).test_client()
    sp = Caller(flask_sender(http), login(http, amazon.seller), renew=lambda: login(http, amazon.seller))
    started = amazon.clock.seconds()
    statuses = []
    for n, sku in enumerate(skus):
        answer = sp(INV, "batchInventory", body={"requests": [update(sku, n % 50, 1)]})
        statuses.append(answer.status)
        amazon.advance(1 / 6)
    assert statuses.count(207) == 1000
    assert amazon.clock.seconds() - started == pytest.approx(1000 / 6)
    ledger = amazon.ledger(seller)
    assert all(ledger.get(sku, LOCATION).sellable == n % 50 and ledger.get(sku, LOCATION).sequence == 1
               for n, sku in enumerate(skus))
    burst = [sp(INV, "batchInventory", body={"requests": [update(skus[n], 99, 2)]}).status for n in range(12)]
    assert burst.count(429) == 6 and burst.count(207) == 6
    amazon.advance(2)
    stale = sp(INV, "batchInventory", body={"requests": [update(skus[0], 1, 1), update(skus[1], 1, 3),
                                                         fetch(skus[0])]}).body["responses"]
    assert stale[0]["body"]["actionableErrors"][0]["errorType"] == "STALE_SEQUENCE_NUMBER"
    assert stale[1]["status"]["statusCode"] == 200 and stale[2]["body"]["sellableQuantity"] == 99
    traffic = amazon.traffic(limit=2000)
    assert sum(entry["throttled"] for entry in traffic) == 6
