"""SmartConnect / External Fulfillment through both real clients, unmodified, over real HTTP."""
import pytest
from sp_api.api import (
    ExternalFulfillmentInventory,
    ExternalFulfillmentReturns,
    ExternalFulfillmentShipping,
)
from sp_api.auth import AccessTokenClient
from sp_api.base import Marketplaces, SellingApiBadRequestException
from spapi.api.external_fulfillment_inventory_v2024_09_11.batch_inventory_api import (
    BatchInventoryApi,
)
from spapi.api.external_fulfillment_returns_v2024_09_11.return_retrieval_api import (
    ReturnRetrievalApi,
)
from spapi.api.external_fulfillment_shipments_v2024_09_11.shipment_processing_api import (
    ShipmentProcessingApi,
)
from spapi.api.external_fulfillment_shipments_v2024_09_11.shipment_retrieval_api import (
    ShipmentRetrievalApi,
)

from tests.conformance.test_amzn_sp_api import client as sdk_client
from tests.mock.flex import DIMENSIONS, LOCATION, fetch, package, update

pytestmark = pytest.mark.conformance


@pytest.fixture
def flex(server, seller):
    """A seller-flex site with one mapped, stocked SKU and one accepted order."""
    sku = "FLEX-1"
    seller_id = seller["seller_id"]
    assert server.control("POST", "/external-fulfillment/locations",
                          {"seller_id": seller_id, "location_id": LOCATION})[0] == 201
    assert server.control("PUT", "/external-fulfillment/listings", {
        "seller_id": seller_id, "merchant_sku": sku, "client_sku": "EAN-1", "dimensions": DIMENSIONS})[0] == 200
    return {"sku": sku, "seller": seller}


def place(server, flex, units=1):
    status, placed = server.control("POST", "/external-fulfillment/shipments", {
        "seller_id": flex["seller"]["seller_id"], "location_id": LOCATION,
        "lines": [{"sku": flex["sku"], "units": units}]})
    assert status == 201, placed
    server.control("POST", "/clock/advance", {"seconds": 60})
    return placed["shipment_id"]


def test_python_amazon_sp_api(server, flex):
    seller = flex["seller"]
    inventory = ExternalFulfillmentInventory(version="2024-09-11", **_credentials(server, seller))
    inventory.endpoint = server.base_url
    pushed = inventory.batch_inventory(requests=[update(flex["sku"], 5, 1), fetch(flex["sku"])]).payload
    assert [r["status"]["statusCode"] for r in pushed["responses"]] == [200, 200]
    shipment_id = place(server, flex)
    shipping = ExternalFulfillmentShipping(version="2024-09-11", **_credentials(server, seller))
    shipping.endpoint = server.base_url
    listed = shipping.get_shipments(status="ACCEPTED", locationId=LOCATION).payload
    assert [s["id"] for s in listed["shipments"]] == [shipment_id]
    assert shipping.get_shipment(shipment_id).payload["status"] == "ACCEPTED"
    # python-amazon-sp-api 2.1.35 sends processShipment's `operation` in the JSON body; Amazon's model (and the
    # mock) take it in the query, so the call is refused with a clear error instead of confirming the order.
    with pytest.raises(SellingApiBadRequestException) as refused:
        shipping.process_shipment(shipment_id, operation="CONFIRM")
    assert refused.value.error[0]["details"] == "operation"
    returns = ExternalFulfillmentReturns(version="2024-09-11", **_credentials(server, seller))
    returns.endpoint = server.base_url
    assert returns.list_returns_get(maxResults=10).payload["returns"] == []


def _credentials(server, seller) -> dict:

    class MockTokenClient(AccessTokenClient):
        scheme = "http://"
        host = f"127.0.0.1:{server.port}"

    return {"credentials": {"refresh_token": seller["refresh_token"], "lwa_app_id": seller["client_id"],
                            "lwa_client_secret": seller["client_secret"]},
            "marketplace": Marketplaces.IN, "auth_token_client_class": MockTokenClient}


def test_amzn_sp_api_full_forward_flow(server, flex):
    api = sdk_client(server, flex["seller"]).api_client
    pushed = BatchInventoryApi(api).batch_inventory({"requests": [update(flex["sku"], 8, 1)]})
    assert pushed.responses[0].body.sellable_quantity == 8
    shipment_id = place(server, flex)
    retrieval, processing = ShipmentRetrievalApi(api), ShipmentProcessingApi(api)
    assert [s.id for s in retrieval.get_shipments(status="ACCEPTED").shipments] == [shipment_id]
    processing.process_shipment(shipment_id, operation="CONFIRM")
    processing.create_packages(shipment_id, {"packages": [package("P1", [("1", 1)])]})
    options = processing.retrieve_shipping_options(shipment_id, "P1")
    processing.generate_invoice(shipment_id)
    labels = processing.generate_ship_labels(shipment_id, "GENERATE",
                                             shipping_option_id=options.recommended_shipping_option.shipping_option_id,
                                             body={"packageIds": ["P1"]})
    assert labels.package_ship_label_list[0].ship_label_metadata.tracking_id
    processing.update_package_status(shipment_id, "P1", status="SHIPPED")
    shipment = retrieval.get_shipment(shipment_id)
    assert shipment.status == "SHIPPED" and shipment.invoice_info.invoice_id
    status, opened = server.control("POST", "/external-fulfillment/returns",
                                    {"seller_id": flex["seller"]["seller_id"], "shipment_id": shipment_id})
    assert status == 201
    returned = ReturnRetrievalApi(api).get_return(opened["return_id"])
    assert returned.status == "CREATED" and returned.marketplace_channel_details.shipment_id == shipment_id
    assert [r.id for r in ReturnRetrievalApi(api).list_returns(status="CREATED").returns] == [opened["return_id"]]
