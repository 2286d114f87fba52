"""Amazon's operations go past Flask's request handling (app.MockAmazonApp); what they answer and what the journal
keeps of them is exactly what Flask's own view for the operation gives."""
import json

from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from mock_amazon import create_app
from tests.support import FakeWall, seeded_amazon

MARKETPLACE = "ATVPDKIKX0DER"


def _mock_and_token():
    amazon = seeded_amazon(wall=FakeWall())
    seller = amazon.seller
    token = amazon.auth.exchange({"grant_type": "refresh_token", "client_id": seller.client_id,
                                  "client_secret": seller.client_secret,
                                  "refresh_token": seller.refresh_token})["access_token"]
    return amazon, create_app(amazon), token


def _requests(amazon, token):
    """Successes, refusals and bugs' neighbours: a page with a next token, every error status the pipeline
    gives, bodies good, bad and too large, and methods Flask alone answers (HEAD, OPTIONS)."""
    seller_id = amazon.seller.seller_id
    mfn = next(order for order in amazon.orders.orders.scan(seller_id, since=0) if order.fulfillment_channel == "MFN")
    auth = {"x-amz-access-token": token}
    confirm = {"marketplaceId": MARKETPLACE, "packageDetail": {
        "packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": "1Z1", "shipDate": "2026-01-05T10:00:00Z",
        "orderItems": [{"orderItemId": mfn.items[0]["order_item_id"], "quantity": 1}]}}
    listing = "/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2020-01-01T00:00:00Z"
    return [
        ("GET", listing, auth, None),
        ("GET", listing + "&MaxResultsPerPage=3&OrderStatuses=Unshipped,Pending", auth, None),
        ("GET", "/orders/v0/orders?CreatedAfter=2020-01-01T00:00:00Z", auth, None),
        ("GET", listing.replace(MARKETPLACE, "A1F83G8C2ARO7P"), auth, None),
        ("GET", listing, {}, None),
        ("GET", f"/orders/v0/orders/{mfn.id}", auth, None),
        ("GET", "/orders/v0/orders/111-0000000-0000000/orderItems", auth, None),
        ("POST", f"/orders/v0/orders/{mfn.id}/shipmentConfirmation", auth, json.dumps(confirm)),
        ("POST", f"/orders/v0/orders/{mfn.id}/shipmentConfirmation", auth, b"{not json"),
        ("POST", f"/orders/v0/orders/{mfn.id}/shipmentConfirmation", auth, b" " * 2048),
        ("HEAD", listing, auth, None),
        ("OPTIONS", listing, auth, None),
        ("DELETE", listing, auth, None),
        ("GET", "/orders/v0/orders/", auth, None),
    ]


def _exchange(wsgi, method, url, headers, data):
    path, _, query = url.partition("?")
    environ = EnvironBuilder(path=path, query_string=query, method=method, headers=headers, data=data,
                             content_type="application/json" if data is not None else None).get_environ()
    body, status, response_headers = run_wsgi_app(wsgi, environ)
    return status, list(response_headers.items()), b"".join(body)


def test_operations_answer_and_are_journalled_as_flask_would():
    direct_amazon, direct_app, token = _mock_and_token()
    flask_amazon, flask_app, _ = _mock_and_token()
    for amazon in (direct_amazon, flask_amazon):
        amazon.update_settings({"max_body_bytes": 1024})
    direct = [_exchange(direct_app.wsgi_app, *request) for request in _requests(direct_amazon, token)]
    through_flask = [_exchange(lambda environ, respond: Flask.wsgi_app(flask_app, environ, respond), *request)
                     for request in _requests(flask_amazon, token)]
    assert direct == through_flask
    statuses = {status.split()[0] for status, _, _ in direct}
    assert statuses >= {"200", "204", "400", "403", "404", "405"}, statuses
    journal = [direct_amazon.journal.entry(entry["id"]) for entry in direct_amazon.journal.entries()]
    assert journal == [flask_amazon.journal.entry(entry["id"]) for entry in flask_amazon.journal.entries()]
    assert len(journal) > 10
