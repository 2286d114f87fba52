"""Documents are read and written only as Amazon allows: report documents and processing reports are read-only,
and a feed's upload URL works only for the document it was issued for, until it expires on the wire's clock."""
from urllib.parse import parse_qsl, urlencode, urlsplit

from mock_amazon.apis.documents.backend import PACK_FROM_BYTES, UPLOAD_URL_SECONDS
from tests.mock.test_feeds import FEEDS, MCF_FEED, result, submit
from tests.mock.test_reports import R, request_report, wait_done

BASE = "http://mock.test"


def feed_document(sp) -> tuple[str, str]:
    answer = sp(FEEDS, "createFeedDocument", body={"contentType": "text/plain; charset=UTF-8"})
    assert answer.status == 201
    return answer.body["feedDocumentId"], answer.body["url"].removeprefix(BASE)


def test_a_report_document_cannot_be_overwritten(sp, amazon, http):
    report_id = request_report(sp, "GET_AFN_INVENTORY_DATA")
    wait_done(sp, amazon, report_id)
    document_id = sp(R, "getReport", path={"reportId": report_id}).body["reportDocumentId"]
    url = sp(R, "getReportDocument", path={"reportDocumentId": document_id}).body["url"].removeprefix(BASE)
    before = http.get(url).get_data()
    answer = http.put(url, data=b"forged", content_type="text/plain")
    assert answer.status_code == 403 and answer.json["errors"][0]["code"] == "AccessDenied"
    _, _, upload_url = feed_document(sp)[1].partition("?")
    answer = http.put(f"{url}?{upload_url}", data=b"forged", content_type="text/plain")  # another's signature
    assert answer.status_code == 403
    assert http.get(url).get_data() == before


def test_a_processing_report_cannot_be_overwritten(sp, amazon, http):
    feed_id = submit(sp, http, MCF_FEED, b"not a flat file")
    amazon.advance(amazon.settings.feed_queue_seconds + amazon.settings.feed_processing_seconds)
    feed, report = result(sp, http, feed_id)
    url = sp(FEEDS, "getFeedDocument", path={"feedDocumentId": feed["resultFeedDocumentId"]}).body["url"]
    answer = http.put(url.removeprefix(BASE), data=b"forged", content_type="text/plain")
    assert answer.status_code == 403
    assert http.get(url.removeprefix(BASE)).get_data() == report


def test_an_upload_url_works_only_for_its_own_document(sp, http):
    first_id, first_url = feed_document(sp)
    second_id, second_url = feed_document(sp)
    path, _, query = first_url.partition("?")
    assert http.put(f"{second_url.partition('?')[0]}?{query}", data=b"x", content_type="text/plain").status_code == 403
    assert http.put(path, data=b"x", content_type="text/plain").status_code == 403, "unsigned"
    tampered = dict(parse_qsl(query), **{"X-Amz-Expires": "999999"})
    assert http.put(f"{path}?{urlencode(tampered)}", data=b"x", content_type="text/plain").status_code == 403
    assert http.put(first_url, data=b"mine", content_type="text/plain").status_code == 200
    assert http.get(path).get_data() == b"mine"
    assert http.put(first_url, data=b"again", content_type="text/plain").status_code == 200, \
        "an upload URL may be used again until it expires, as S3's pre-signed URLs are"


def test_an_upload_url_expires_on_the_wire_clock(sp, amazon, http):
    _, url = feed_document(sp)
    issued = dict(parse_qsl(urlsplit(url).query))
    assert int(issued["X-Amz-Expires"]) == UPLOAD_URL_SECONDS
    amazon.advance(UPLOAD_URL_SECONDS)
    assert http.put(url, data=b"in time", content_type="text/plain").status_code == 200
    amazon.advance(1)
    answer = http.put(url, data=b"too late", content_type="text/plain")
    assert answer.status_code == 403 and "expired" in answer.json["errors"][0]["message"]


def test_an_unknown_document_is_404(http):
    assert http.put("/_documents/amzn1.tortuga.4.na.nothing", data=b"x").status_code == 404


def test_a_large_document_is_kept_compressed_and_served_as_given(amazon, http):
    seller_id = amazon.auth.sellers()[0].seller_id
    text = "".join(f"SKU-{n:05d}\tProduct {n}\t{n % 97}\n" for n in range(5000)).encode()
    small = b"seller-sku\tquantity\n"
    assert len(text) > PACK_FROM_BYTES > len(small)
    for document_id, content in (("amzn1.tortuga.big", text), ("amzn1.tortuga.small", small)):
        amazon.documents.create(seller_id, document_id, content, "text/tab-separated-values")
        answer = http.get(f"/_documents/{document_id}")
        assert answer.status_code == 200 and answer.get_data() == content
        assert amazon.documents.content(seller_id, document_id) == content
    kept = dict(amazon.store.execute("SELECT id, LENGTH(content) FROM blobs WHERE id LIKE 'amzn1.tortuga.%'"))
    assert kept["amzn1.tortuga.big"] < len(text) / 2 and kept["amzn1.tortuga.small"] == len(small)
