"""What the seeds' flows need of the mock beyond the basics: tokens revoked from the control API, a SKU's stock set
per fulfilment centre, LatestShipDate from the handling time, Easy Ship orders, fulfillment requests as XML, and
seller-flex orders in the fulfilled-shipments report under their warehouse ID."""
import random
import xml.etree.ElementTree as ElementTree
from datetime import datetime

from flask.testing import FlaskClient

from mock_amazon import MockAmazon
from mock_amazon.client import InProcess
from model.clock import to_seconds
from model.workflows import driver, fulfillment, reports, seller_flex
from model.workflows.protocol import Workflow
from model.workflows.session import Session, reliable
from tests.mock.flex import DIMENSIONS, LOCATION, set_up
from tests.mock.mcf import ADDRESS, afn_skus
from tests.mock.test_feeds import result, submit
from tests.mock.test_reports import download, request_report, wait_done
from tests.support import Caller

ORDERS = "ordersV0"


def run(amazon: MockAmazon, workflow: Workflow) -> object:
    seller = amazon.seller  # type: ignore[attr-defined]
    session = Session(seller.client_id, seller.client_secret, seller.refresh_token, amazon.clock,
                      rng=random.Random(1))
    return driver.run(reliable(workflow, session), InProcess(amazon), amazon.advance)


def test_revoking_a_sellers_tokens_refuses_the_next_call(sp: Caller, http: FlaskClient, amazon: MockAmazon) -> None:
    seller = amazon.seller.seller_id  # type: ignore[attr-defined]
    first = http.get("/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2025-01-01T00:00:00Z",
                     headers={"x-amz-access-token": sp.token})
    assert first.status_code == 200
    revoked = http.post(f"/_testbed/sellers/{seller}/revoke")
    assert revoked.status_code == 200 and revoked.json["revoked"] >= 1
    again = http.get("/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2025-01-01T00:00:00Z",
                     headers={"x-amz-access-token": sp.token})
    assert again.status_code == 403
    assert http.post("/_testbed/sellers/NOPE/revoke").json["errors"][0]["details"] == "seller_id"


def test_a_skus_stock_is_set_per_centre_and_condition(sp: Caller, http: FlaskClient, amazon: MockAmazon) -> None:
    seller = amazon.seller.seller_id  # type: ignore[attr-defined]
    sku = afn_skus(amazon)[0]
    answer = http.put("/_testbed/inventory", json={"seller_id": seller, "sku": sku, "channel": "AFN", "locations": {
        "PHX7": {"sellable": 3}, "ONT8": {"sellable": 4, "unsellable": 9}}})
    assert answer.status_code == 200, answer.json
    rows = [r for r in download(sp, http, wait_done_id(sp, amazon, "GET_AFN_INVENTORY_DATA")) if r["seller-sku"] == sku]
    sellable = sorted(int(r["Quantity Available"]) for r in rows if r["Warehouse-Condition-code"] == "SELLABLE")
    assert sellable[-2:] == [3, 4] and sum(sellable) == 7
    assert [r["Quantity Available"] for r in rows if r["Warehouse-Condition-code"] == "UNSELLABLE"] == ["9"]
    mfn = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "MFN")
    http.put("/_testbed/inventory", json={"seller_id": seller, "sku": mfn, "channel": "MFN",
                                          "locations": {"DEFAULT": {"sellable": 11}}})
    listing = sp("listingsItems_2021-08-01", "getListingsItem", path={"sellerId": seller, "sku": mfn},
                 query={"marketplaceIds": "ATVPDKIKX0DER", "includedData": "fulfillmentAvailability"})
    assert listing.body["fulfillmentAvailability"][0]["quantity"] == 11
    bad = http.put("/_testbed/inventory", json={"seller_id": seller, "sku": sku, "channel": "AFN",
                                                "locations": {"PHX7": {"sellable": -1}}})
    assert bad.status_code == 400 and bad.json["errors"][0]["details"] == "locations.PHX7.sellable"


def test_a_closed_listing_leaves_the_reports_but_not_the_fba_inventory_api(sp: Caller, http: FlaskClient,
                                                                          amazon: MockAmazon) -> None:
    seller = amazon.seller.seller_id  # type: ignore[attr-defined]
    sku = afn_skus(amazon)[0]
    assert http.post(f"/_testbed/listings/{seller}/{sku}/close").status_code == 200
    rows = download(sp, http, wait_done_id(sp, amazon, "GET_MERCHANT_LISTINGS_ALL_DATA"))
    assert sku not in {r["seller-sku"] for r in rows}
    summaries = sp("fbaInventory", "getInventorySummaries", query={
        "granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER", "marketplaceIds": "ATVPDKIKX0DER",
        "details": "true", "sellerSkus": sku}).body["payload"]["inventorySummaries"]
    assert [s["sellerSku"] for s in summaries] == [sku]
    assert http.post(f"/_testbed/listings/{seller}/NO-SUCH/close").status_code == 404


def wait_done_id(sp: Caller, amazon: MockAmazon, report_type: str) -> str:
    report_id = request_report(sp, report_type)
    wait_done(sp, amazon, report_id)
    return report_id


def test_latest_ship_date_follows_the_listings_handling_time(sp: Caller, http: FlaskClient, amazon: MockAmazon) -> None:
    seller = amazon.seller.seller_id  # type: ignore[attr-defined]
    mfn = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "MFN")
    sp("listingsItems_2021-08-01", "patchListingsItem", path={"sellerId": seller, "sku": mfn},
       query={"marketplaceIds": "ATVPDKIKX0DER"}, body={"productType": "PRODUCT", "patches": [{
           "op": "replace", "path": "/attributes/fulfillment_availability",
           "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 5, "lead_time_to_ship_max_days": 5}]}]})
    order_id = http.post("/_testbed/orders", json={"seller_id": seller, "lines": [{"sku": mfn, "quantity": 1}]}
                         ).json["order_id"]
    order = sp(ORDERS, "getOrder", path={"orderId": order_id}).body["payload"]
    purchased, latest = (to_seconds(_time(order[key])) for key in ("PurchaseDate", "LatestShipDate"))
    assert latest - purchased == 5 * 86_400


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_an_easy_ship_order_waits_for_scheduling_and_pickup(sp: Caller, http: FlaskClient, amazon: MockAmazon) -> None:
    seller = amazon.seller.seller_id  # type: ignore[attr-defined]
    mfn = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "MFN")
    placed = http.post("/_testbed/orders", json={"seller_id": seller, "lines": [{"sku": mfn, "quantity": 1}],
                                                 "easy_ship": True}).json
    amazon.advance(amazon.settings.verification_seconds)
    order = sp(ORDERS, "getOrder", path={"orderId": placed["order_id"]}).body["payload"]
    assert order["EasyShipShipmentStatus"] == "PendingSchedule"
    answer = sp(ORDERS, "updateShipmentStatus", path={"orderId": placed["order_id"]},
                body={"marketplaceId": "ATVPDKIKX0DER", "shipmentStatus": "ReadyForPickup"})
    assert answer.status == 204
    order = sp(ORDERS, "getOrder", path={"orderId": placed["order_id"]}).body["payload"]
    assert order["EasyShipShipmentStatus"] == "PendingPickUp" and order["OrderStatus"] == "Unshipped"
    fba = afn_skus(amazon)[0]
    refused = http.post("/_testbed/orders", json={"seller_id": seller, "channel": "AFN", "easy_ship": True,
                                                  "lines": [{"sku": fba, "quantity": 1}]})
    assert refused.status_code == 400 and refused.json["errors"][0]["details"] == "easy_ship"


def test_fulfillment_requests_as_xml_are_created_or_reported_by_request(sp: Caller, http: FlaskClient,
                                                                       amazon: MockAmazon) -> None:
    sku = afn_skus(amazon)[0]
    order = {"id": "SFR-1", "created": "2026-01-05T00:00:00Z", "method": "Expedited", "address": ADDRESS,
             "lines": [(sku, 1)]}
    bad = {**order, "id": "SFR-2", "address": {**ADDRESS, "stateOrRegion": "XQ"}}
    content = fulfillment.sfr_xml([fulfillment.request_body(order), fulfillment.request_body(bad)])
    feed_id = submit(sp, http, fulfillment.MCF_XML_FEED, content, "text/xml; charset=UTF-8")
    amazon.advance(200)
    feed, report = result(sp, http, feed_id)
    assert feed["processingStatus"] == "DONE"
    envelope = ElementTree.fromstring(report)
    assert envelope.findtext("Message/ProcessingReport/ProcessingSummary/MessagesSuccessful") == "1"
    [failed] = envelope.findall("Message/ProcessingReport/Result")
    assert failed.findtext("AdditionalInfo/MerchantFulfillmentOrderID") == "SFR-2"
    assert "ISO 3166-2" in (failed.findtext("ResultDescription") or "")
    created = sp("fulfillmentOutbound_2020-07-01", "getFulfillmentOrder", path={"sellerFulfillmentOrderId": "SFR-1"})
    assert created.body["payload"]["fulfillmentOrder"]["shippingSpeedCategory"] == "Expedited"
    assert created.body["payload"]["fulfillmentOrderItems"][0]["sellerSku"] == sku


def test_shipped_seller_flex_orders_appear_in_the_shipments_report_under_their_site(sp: Caller, http: FlaskClient,
                                                                                    amazon: MockAmazon) -> None:
    seller = amazon.seller.seller_id  # type: ignore[attr-defined]
    skus = set_up(amazon)
    ids = [amazon.external_fulfillment.place(seller, LOCATION, [(sku, 1)]).id for sku in skus[:2]]
    amazon.advance(60)
    shipments = run(amazon, seller_flex.accepted_orders(LOCATION))
    first = next(s for s in shipments if s["id"] == ids[0])
    run(amazon, seller_flex.confirm(ids[0]))
    shipped = run(amazon, seller_flex.ship(first, {skus[0]: DIMENSIONS}))
    assert shipped["ok"]  # type: ignore[index]
    lines = run(amazon, reports.import_shipments(amazon.clock.now(), lookback_days=1, poll_seconds=60))
    flex = [line for line in lines if line.sku in skus]  # type: ignore[attr-defined]
    assert [(line.sku, line.quantity, line.tracking) for line in flex] == \
        [(skus[0], 1, shipped["tracking"][0])]  # type: ignore[index]
    rows = download(sp, http, wait_done_id(sp, amazon, "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"))
    assert [(r["shipment-id"], r["fulfillment-center-id"]) for r in rows if r["sku"] in skus] == [(ids[0], LOCATION)]
