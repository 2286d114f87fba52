"""A connector we did not write, as its own process: examples/connectors/one_order.py uses python-amazon-sp-api
and boto3 only, with the environment the live world gives every connector. It sees an order appear through its
ORDER_CHANGE notification (read from the mock's SQS), confirms shipment, and reads it back Shipped. The world runs
in real time at 60x; the test takes a few seconds."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from mock_amazon.auth import Seller
from mock_amazon.client import connector_environment
from tests.support import Server

pytestmark = pytest.mark.live
CONNECTOR = Path(__file__).resolve().parents[2] / "examples" / "connectors" / "one_order.py"


def test_a_python_amazon_sp_api_connector_ships_one_order() -> None:
    # a quiet world: no customers of its own, so the only order is the one placed below
    server = Server("--scenario", "live-demo", "--clock-scale", "60", "--set", "customers.orders_per_day=0")
    try:
        seller = server.info["sellers"][0]
        environment = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent",
                       **connector_environment(server.base_url, Seller.from_credentials(seller))}
        connector = subprocess.Popen([sys.executable, str(CONNECTOR)], env=environment, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        assert connector.stdout is not None
        assert json.loads(connector.stdout.readline())["step"] == "subscribed"
        mfn_sku = requests.get(f"{server.base_url}/_world/catalog", timeout=10).json()["skus"]["mfn"][0]
        status, placed = server.control("POST", "/orders", {"seller_id": seller["seller_id"], "channel": "MFN",
                                                            "lines": [{"sku": mfn_sku, "quantity": 1}]})
        assert status == 201
        out, err = connector.communicate(timeout=60)  # verification takes 300 simulated seconds: 5 s at 60x
        steps = [json.loads(line) for line in out.splitlines()]
        assert connector.returncode == 0, err
        assert {"step": "notified", "order": placed["order_id"], "status": "Unshipped"} in steps
        assert steps[-2:] == [{"step": "confirmed", "order": placed["order_id"]},
                              {"step": "read back", "order": placed["order_id"], "status": "Shipped"}]
        shipped = [e for e in server.control("GET", "/traffic")[1]["traffic"] if e["operation"] == "confirmShipment"]
        assert [e["status"] for e in shipped] == [204]
    finally:
        server.stop()

