"""The reference workflows against the in-process mock, driven synchronously on the shared virtual clock."""
import random
from datetime import datetime, timezone

import pytest

from mock_amazon.client import InProcess
from model.workflows import driver, fulfillment, orders, reports, seller_flex
from model.workflows.protocol import WorkflowError
from model.workflows.session import Session, reliable
from tests.mock.flex import DIMENSIONS, LOCATION, set_up
from tests.mock.mcf import ADDRESS, afn_skus


@pytest.fixture
def session(amazon):
    seller = amazon.seller
    return Session(seller.client_id, seller.client_secret, seller.refresh_token, amazon.clock,
                   rng=random.Random(1))


@pytest.fixture
def run(amazon, session):
    send = InProcess(amazon)

    def go(workflow):
        return driver.run(reliable(workflow, session), send, amazon.advance)
    return go


def test_token_renewed_before_expiry_and_after_a_403(amazon, session, run):
    run(orders.ready_to_ship(amazon.clock.now()))
    assert session.renewals == 1
    amazon.advance(3600 - 30)  # inside the renewal margin: renewed before the call, not after a 403
    run(orders.ready_to_ship(amazon.clock.now()))
    assert session.renewals == 2
    amazon.auth.revoke()  # every token revoked behind the integration's back
    run(orders.ready_to_ship(amazon.clock.now()))
    assert session.renewals == 3
    assert not [e for e in amazon.traffic() if e["status"] == 403][1:], "one 403 at most, then renewed"


def test_throttling_and_failures_are_retried_without_duplicates(amazon, run):
    sku = afn_skus(amazon)[0]
    amazon.faults.configure([{"operation": "createFulfillmentOrder", "status": 503, "count": 2},
                             {"operation": "getFulfillmentOrder", "timeout": True, "count": 1}])
    order = {"id": "WEB-1", "created": "2026-01-05T00:00:00Z", "method": "Standard", "address": ADDRESS,
             "lines": [(sku, 1)]}
    assert run(fulfillment.send_by_api(order)) == (True, "accepted")
    assert run(fulfillment.fulfillment_status("WEB-1"))[0] == "Received"
    assert [o.id for o in amazon.fulfillment_outbound.orders.scan(amazon.seller.seller_id)] == ["WEB-1"]
    amazon.limits.configure({"createFulfillmentOrder": {"rate": 0.01, "burst": 1}})
    assert run(fulfillment.send_by_api({**order, "id": "WEB-2"}))[0] is True
    assert run(fulfillment.send_by_api({**order, "id": "WEB-3"}))[0] is True  # waited out the 429
    assert any(e["throttled"] for e in amazon.traffic())


def test_fulfillment_requests_by_feed_with_validation_results(amazon, run):
    sku = afn_skus(amazon)[0]
    good = {"id": "FR-1", "created": "2026-01-05T00:00:00Z", "method": "Expedited", "address": ADDRESS,
            "lines": [(sku, 1)]}
    po_box = {**good, "id": "FR-2", "address": {**ADDRESS, "addressLine1": "PO Box 5"}}
    results = run(fulfillment.send_by_feed([good, po_box], poll_seconds=60))
    assert results["FR-1"] == (True, "accepted")
    assert results["FR-2"][0] is False and "PO boxes" in results["FR-2"][1]
    again = run(fulfillment.send_by_feed([good], poll_seconds=60))  # a re-send after a crash
    assert again["FR-1"] == (True, "accepted")
    assert [o.id for o in amazon.fulfillment_outbound.orders.scan(amazon.seller.seller_id)] == ["FR-1"]
    with pytest.raises(ValueError, match="not mapped"):
        run(fulfillment.send_by_api({**good, "method": "Overnight-ish"}))


def test_release_time_holds_and_waits_for_business_hours():
    hours = fulfillment.BusinessHours(time_zone="America/New_York", opens=9, closes=17)
    friday_evening = datetime(2026, 1, 9, 22, 0, tzinfo=timezone.utc)  # 17:00 in New York
    released = fulfillment.release_time(friday_evening, hold_hours=2, hours=hours)
    assert released == datetime(2026, 1, 12, 14, 0, tzinfo=timezone.utc)  # Monday 09:00 New York
    assert fulfillment.release_time(friday_evening, hold_hours=2) == datetime(2026, 1, 10, 0, 0, tzinfo=timezone.utc)


def test_fba_inventory_job_sums_sellable_and_falls_back(amazon, run):
    seller = amazon.seller.seller_id
    ledger = amazon.ledger(seller)
    afn = afn_skus(amazon)
    sku = afn[0]
    ledger.set_quantity(sku, "PHX7", 3, channel="AFN")
    ledger.set_quantity(sku, "ONT8", 4, channel="AFN")
    ledger.adjust(sku, "ONT8", 9, "unsellable", channel="AFN")
    mfn = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "MFN")
    amazon.fba_inventory.create_item(seller, "API-ONLY", "ATVPDKIKX0DER", "Only the API knows")
    amazon.fba_inventory.add_inventory(seller, "t1", [{"sellerSku": "API-ONLY", "quantity": 6}])
    result = run(reports.fba_inventory_job([sku, mfn, "NOWHERE"], include_fbm=False, poll_seconds=30))
    assert result.quantities[sku] == ledger.total(sku, channel="AFN") and result.sources[sku] == "afn_report"
    assert result.quantities[mfn] == 0 and result.sources[mfn] == "listings_report"
    assert result.quantities["NOWHERE"] == 0 and result.sources["NOWHERE"] == "default"
    assert result.raw["afn"].startswith(b"seller-sku") and result.parsed["afn"]
    with_fbm = run(reports.fba_inventory_job([mfn], include_fbm=True, poll_seconds=30))
    assert with_fbm.quantities[mfn] == ledger.total(mfn, channel="MFN")
    amazon.listings.close(seller, "API-ONLY")  # stranded: in neither report, still counted by the API
    fallback = run(reports.fba_inventory_job(["API-ONLY", "NOWHERE"], fetch_missing_from_api=True, poll_seconds=30))
    assert fallback.sources == {"API-ONLY": "fba_api", "NOWHERE": "default"}
    assert fallback.quantities == {"API-ONLY": 6, "NOWHERE": 0}


def test_a_report_that_never_finishes_fails_loudly(amazon, run):
    amazon.update_settings({"report_processing_seconds": 10 * 3600})
    with pytest.raises(WorkflowError, match="did not finish"):
        run(reports.fetch_report("GET_AFN_INVENTORY_DATA", poll_seconds=300, give_up_after=1800))


def test_seller_flex_pusher_recovers_from_a_stale_book(amazon, run):
    skus = set_up(amazon)
    book = seller_flex.SequenceBook()
    first = run(seller_flex.push_inventory(skus[0], LOCATION, 7, book, "ATVPDKIKX0DER"))
    assert first.accepted is False or first.stale_recovered  # the set-up accepted number 1 already
    assert first.accepted and first.stale_recovered and first.sequence == 2
    second = run(seller_flex.push_inventory(skus[0], LOCATION, 5, book, "ATVPDKIKX0DER"))
    assert second.accepted and not second.stale_recovered and second.sequence == 3
    assert amazon.ledger(amazon.seller.seller_id).get(skus[0], LOCATION).sellable == 5


def test_seller_flex_order_from_accepted_to_handover(amazon, run):
    skus = set_up(amazon)
    shipment = amazon.external_fulfillment.place(amazon.seller.seller_id, LOCATION, [(skus[0], 2)])
    amazon.advance(60)
    accepted = run(seller_flex.accepted_orders(LOCATION))
    assert [s["id"] for s in accepted] == [shipment.id]
    assert run(seller_flex.confirm(shipment.id)) == "confirmed"
    assert run(seller_flex.confirm(shipment.id)) == "already_confirmed"
    result = run(seller_flex.ship(accepted[0], {skus[0]: DIMENSIONS}))
    assert result["ok"] and len(result["tracking"]) == 2
    assert run(seller_flex.shipment_status(shipment.id))["status"] == "SHIPPED"


def test_fallback_asks_the_fba_inventory_api_in_batches_of_50(amazon, run):
    missing = [f"GONE-{n:03d}" for n in range(120)]
    run(reports.fba_inventory_job(missing, fetch_missing_from_api=True, poll_seconds=30))
    calls = [e for e in amazon.traffic(limit=5000) if e["operation"] == "getInventorySummaries"]
    answered = [e for e in calls if e["status"] == 200]
    assert len(answered) == 3, "120 SKUs: 50 + 50 + 20"
    assert all(e["status"] in (200, 429) for e in calls), "a throttled batch is retried, not dropped"
