"""Reports go IN_QUEUE -> IN_PROGRESS -> DONE on the clock and render the state at that time."""
import csv
import gzip
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_amazon.apis.reports.generators import render
from model.workflows.fulfillment import parse_tsv

R = "reports_2021-06-30"


def request_report(sp, report_type, **extra):
    answer = sp(R, "createReport", body={"reportType": report_type, "marketplaceIds": ["ATVPDKIKX0DER"], **extra})
    assert answer.status == 202, answer
    return answer.body["reportId"]


def wait_done(sp, amazon, report_id):
    statuses = []
    for _ in range(10):
        status = sp(R, "getReport", path={"reportId": report_id}).body["processingStatus"]
        statuses.append(status)
        if status == "DONE":
            return statuses
        amazon.advance(30)
    raise AssertionError(statuses)


def download(sp, http, report_id):
    document_id = sp(R, "getReport", path={"reportId": report_id}).body["reportDocumentId"]
    document = sp(R, "getReportDocument", path={"reportDocumentId": document_id}).body
    assert document["url"].startswith("http://mock.test/")  # the configured base URL, not the request's Host
    content = http.get(document["url"].removeprefix("http://mock.test"), headers={"Host": "elsewhere"}).get_data()
    if document.get("compressionAlgorithm") == "GZIP":
        content = gzip.decompress(content)
    return list(csv.DictReader(io.StringIO(content.decode()), delimiter="\t"))


def test_report_moves_through_processing_on_the_clock(sp, amazon):
    report_id = request_report(sp, "GET_MERCHANT_LISTINGS_ALL_DATA")
    assert wait_done(sp, amazon, report_id) == ["IN_QUEUE", "IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "DONE"]
    report = sp(R, "getReport", path={"reportId": report_id}).body
    assert report["processingStartTime"] < report["processingEndTime"]


@pytest.mark.parametrize("gzip_reports", [False, True])
def test_afn_inventory_report_has_a_sellable_row_per_centre(sp, amazon, http, gzip_reports):
    amazon.update_settings({"gzip_reports": gzip_reports})
    seller = amazon.seller.seller_id
    ledger = amazon.ledger(seller)
    sku = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "AFN")
    ledger.set_quantity(sku, "PHX7", 4, channel="AFN")
    ledger.set_quantity(sku, "ONT8", 6, channel="AFN")
    report_id = request_report(sp, "GET_AFN_INVENTORY_DATA")
    wait_done(sp, amazon, report_id)
    rows = download(sp, http, report_id)
    assert list(rows[0]) == ["seller-sku", "fulfillment-channel-sku", "asin", "condition-type",
                             "Warehouse-Condition-code", "Quantity Available"]
    sellable = [int(r["Quantity Available"]) for r in rows
                if r["seller-sku"] == sku and r["Warehouse-Condition-code"] == "SELLABLE"]
    assert len(sellable) >= 2 and sum(sellable) == ledger.total(sku, channel="AFN")


def test_report_renders_the_state_when_it_finishes(sp, amazon, http):
    seller = amazon.seller.seller_id
    sku = next(i.sku for i in amazon.listings.items.scan(seller) if i.channel == "MFN")
    report_id = request_report(sp, "GET_MERCHANT_LISTINGS_ALL_DATA")
    amazon.ledger(seller).set_quantity(sku, "DEFAULT", 77)  # changes while the report is queued
    wait_done(sp, amazon, report_id)
    row = next(r for r in download(sp, http, report_id) if r["seller-sku"] == sku)
    assert row["quantity"] == "77" and row["fulfillment-channel"] == "DEFAULT"


def test_fulfilled_shipments_report_has_a_row_per_shipped_part(sp, amazon, http):
    amazon.update_settings({"afn_partial_chance": 1.0, "afn_ship_seconds": 600})
    seller = amazon.seller.seller_id
    sku = next(i.sku for i in amazon.listings.items.scan(seller)
               if i.channel == "AFN" and amazon.ledger(seller).total(i.sku) >= 4)
    order = amazon.orders.place(seller, [(sku, 4)], channel="AFN")
    amazon.advance(amazon.settings.verification_seconds + 600)
    assert amazon.orders.get(seller, order.id).status == "PartiallyShipped"
    amazon.advance(600)
    assert amazon.orders.get(seller, order.id).status == "Shipped"
    report_id = request_report(sp, "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
                               dataStartTime="2025-12-01T00:00:00Z")
    wait_done(sp, amazon, report_id)
    rows = [r for r in download(sp, http, report_id) if r["amazon-order-id"] == order.id]
    assert len(rows) == 2 and len({r["shipment-id"] for r in rows}) == 2
    assert sum(int(r["quantity-shipped"]) for r in rows) == 4
    assert all(r["tracking-number"] and r["carrier"] for r in rows)


def test_all_orders_report_by_last_update(sp, amazon, http):
    report_id = request_report(sp, "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
                               dataStartTime="2025-12-01T00:00:00Z")
    wait_done(sp, amazon, report_id)
    rows = download(sp, http, report_id)
    orders = list(amazon.orders.orders.scan(amazon.seller.seller_id))
    assert {r["amazon-order-id"] for r in rows} == {o.id for o in orders}
    assert {r["order-status"] for r in rows} <= {"Pending", "Unshipped", "Shipped", "PartiallyShipped"}


def test_cancel_list_and_errors(sp, amazon):
    first = request_report(sp, "GET_AFN_INVENTORY_DATA")
    assert sp(R, "cancelReport", path={"reportId": first}).status == 200
    assert sp(R, "getReport", path={"reportId": first}).body["processingStatus"] == "CANCELLED"
    second = request_report(sp, "GET_AFN_INVENTORY_DATA")
    amazon.advance(200)
    refused = sp(R, "cancelReport", path={"reportId": second})
    assert refused.status == 400 and "DONE" in refused.body["errors"][0]["message"]
    for _ in range(3):
        request_report(sp, "GET_MERCHANT_LISTINGS_ALL_DATA")
    listed = sp(R, "getReports", query={"reportTypes": "GET_AFN_INVENTORY_DATA,GET_MERCHANT_LISTINGS_ALL_DATA",
                                        "pageSize": "2"}).body
    assert len(listed["reports"]) == 2 and listed["nextToken"]
    rest = sp(R, "getReports", query={"nextToken": listed["nextToken"]}).body
    assert len(listed["reports"]) + len(rest["reports"]) == 5
    done = sp(R, "getReports", query={"reportTypes": "GET_AFN_INVENTORY_DATA", "processingStatuses": "DONE"}).body
    assert [r["reportId"] for r in done["reports"]] == [second]
    unsupported = sp(R, "createReport", body={"reportType": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE",
                                              "marketplaceIds": ["ATVPDKIKX0DER"]})
    assert unsupported.status == 400 and unsupported.body["errors"][0]["details"] == "reportType"
    assert sp(R, "getReportDocument", path={"reportDocumentId": "amzn1.spdoc.nothing"}).status == 404


def test_a_value_holding_a_tab_does_not_shift_the_columns():
    assert render(("sku", "item-name", "quantity"), [{"sku": "A-1", "item-name": "Mug\tblue", "quantity": 3},
                                                     {"sku": "B-2"}]) == \
        b"sku\titem-name\tquantity\nA-1\tMug blue\t3\nB-2\t\t\n"


def test_a_value_holding_a_line_break_does_not_split_the_row() -> None:
    columns = ("a", "b", "c")
    rows = parse_tsv(render(columns, [{"a": "91/907\nKaur Road", "b": "x", "c": "y\r\nz"}]))
    assert rows == [{"a": "91/907 Kaur Road", "b": "x", "c": "y z"}]


def test_a_rendered_report_reads_back_as_written_quotes_included():
    rows = [{"sku": "A-1", "item-name": '12" ruler', "quantity": "3"}, {"sku": "B-2", "item-name": '"Quoted"'}]
    assert parse_tsv(render(("sku", "item-name", "quantity"), rows)) == [
        {"sku": "A-1", "item-name": '12" ruler', "quantity": "3"},
        {"sku": "B-2", "item-name": '"Quoted"', "quantity": ""}]
    with pytest.raises(ValueError, match="price"):
        render(("sku",), [{"sku": "A-1", "price": "1.00"}])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab\t\n\r\"' \0é")), max_size=40), st.booleans())
def test_a_flat_file_reads_as_the_csv_module_reads_it(text, byte_order_mark):
    """parse_tsv splits lines itself (it is faster); what it makes of any text is what csv's reader makes of it."""
    content = (("\ufeff" if byte_order_mark else "") + text).encode()

    def read(parse):
        try:
            return parse(content)
        except csv.Error:
            return "refused"

    def by_csv_module(raw: bytes) -> list[dict]:
        rows = csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, [])
        return [dict(zip(header, row)) for row in rows if row]
    assert read(parse_tsv) == read(by_csv_module)
