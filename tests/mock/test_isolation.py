"""Two sellers on one mock: whatever either does, neither ever sees the other's orders, reports or inventory."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_amazon import MockAmazon, create_app
from model.clock import VirtualClock
from tests.conftest import login
from tests.support import Caller, flask_sender

ACTIONS = st.lists(st.tuples(st.sampled_from(["order", "report", "item", "advance"]), st.integers(0, 1),
                             st.integers(0, 10_000)), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=ACTIONS, seed=st.integers(0, 1000))
def test_sellers_never_see_each_other(actions, seed):
    amazon = MockAmazon(clock=VirtualClock(), base_url="http://mock.test", seed=seed)
    amazon.limits.configure(lifted=True)
    http = create_app(amazon).test_client()
    sellers = [amazon.create_seller(), amazon.create_seller()]
    for index, seller in enumerate(sellers):
        amazon.seed(seller.seller_id, skus=4, orders=2, seed=seed + index)
    callers = [Caller(flask_sender(http), login(http, seller)) for seller in sellers]
    owned = {s.seller_id: {"orders": set(), "reports": set(), "skus": set()} for s in sellers}
    for seller in sellers:
        owned[seller.seller_id]["orders"] |= {o.id for o in amazon.orders.orders.scan(seller.seller_id)}
        owned[seller.seller_id]["skus"] |= {i.sku for i in amazon.listings.items.scan(seller.seller_id)}

    for action, who, number in actions:
        seller, sp = sellers[who], callers[who]
        if action == "order":
            sku = sorted(owned[seller.seller_id]["skus"])[number % len(owned[seller.seller_id]["skus"])]
            product = amazon.listings.items.load(seller.seller_id, sku)
            if product.channel == "MFN":
                owned[seller.seller_id]["orders"].add(amazon.orders.place(seller.seller_id, [(sku, 1)], "MFN").id)
        elif action == "report":
            answer = sp("reports_2021-06-30", "createReport", body={"reportType": "GET_AFN_INVENTORY_DATA",
                                                                   "marketplaceIds": ["ATVPDKIKX0DER"]})
            owned[seller.seller_id]["reports"].add(answer.body["reportId"])
        elif action == "item":
            sku = f"ITEM-{who}-{number}"
            if sku not in owned[seller.seller_id]["skus"]:
                sp("fbaInventory", "createInventoryItem", body={"sellerSku": sku, "marketplaceId": "ATVPDKIKX0DER",
                                                              "productName": sku})
                owned[seller.seller_id]["skus"].add(sku)
        else:
            amazon.advance(number)
            for caller, holder in zip(callers, sellers):
                caller.token = login(http, holder)  # as a client renews an expiring token

    for me, sp in enumerate(callers):
        mine, theirs = owned[sellers[me].seller_id], owned[sellers[1 - me].seller_id]
        orders = sp("ordersV0", "getOrders", query={"MarketplaceIds": "ATVPDKIKX0DER",
                                                    "CreatedAfter": "2025-01-01T00:00:00Z"}).body["payload"]["Orders"]
        assert {o["AmazonOrderId"] for o in orders} == mine["orders"]
        for order_id in theirs["orders"]:
            assert sp("ordersV0", "getOrder", path={"orderId": order_id}).status == 404
        reports = sp("reports_2021-06-30", "getReports", query={"reportTypes": "GET_AFN_INVENTORY_DATA",
                                                                "pageSize": "100"}).body["reports"]
        assert {r["reportId"] for r in reports} == mine["reports"]
        for report_id in theirs["reports"]:
            assert sp("reports_2021-06-30", "getReport", path={"reportId": report_id}).status == 404
            document = amazon.reports.reports.load(sellers[1 - me].seller_id, report_id).document_id
            if document:
                assert sp("reports_2021-06-30", "getReportDocument",
                          path={"reportDocumentId": document}).status == 404
        summaries = sp("fbaInventory", "getInventorySummaries", query={
            "granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER",
            "marketplaceIds": "ATVPDKIKX0DER"}).body["payload"]["inventorySummaries"]
        assert {s["sellerSku"] for s in summaries} <= mine["skus"]
        foreign = sorted(theirs["skus"] - mine["skus"])[:50]
        if foreign:
            asked = sp("fbaInventory", "getInventorySummaries", query={
                "granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER",
                "marketplaceIds": "ATVPDKIKX0DER", "sellerSkus": ",".join(foreign)}).body
            assert asked["payload"]["inventorySummaries"] == []
