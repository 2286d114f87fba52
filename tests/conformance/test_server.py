"""The standalone server: its first line, seeded data for a newcomer, and state that survives a restart."""
import subprocess
import sys
import time

import pytest
import requests

from tests.support import Server


def test_first_line_and_seeded_data():
    server = Server("--sellers", "2", "--seed", "3")
    try:
        info = server.info
        assert info["base_url"] == server.base_url and len(info["sellers"]) == 2
        seller = info["sellers"][0]
        assert set(seller) == {"seller_id", "marketplace_id", "client_id", "client_secret", "refresh_token"}
        token = requests.post(f"{server.base_url}/auth/o2/token", data={
            "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret", "refresh_token")}},
            timeout=10).json()["access_token"]
        orders = requests.get(f"{server.base_url}/orders/v0/orders", headers={"x-amz-access-token": token},
                              params={"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2020-01-01T00:00:00Z"},
                              timeout=10)
        assert orders.status_code == 200 and len(orders.json()["payload"]["Orders"]) == 10
        assert orders.headers["x-amzn-RequestId"]
    finally:
        server.stop()


def test_state_survives_a_restart(tmp_path):
    database = str(tmp_path / "mock.sqlite3")
    first = Server("--db", database, "--sellers", "1")
    try:
        seller = first.info["sellers"][0]
        status, placed = first.control("POST", "/orders", {"seller_id": seller["seller_id"], "lines": [
            {"sku": first.control("POST", "/seed", {"seller_id": seller["seller_id"], "skus": 1, "orders": 0,
                                                    "seed": 77})[1]["skus"][0], "quantity": 1}]})
        assert status == 201
    finally:
        first.stop()
    second = Server("--db", database, "--sellers", "2")
    try:
        sellers = second.info["sellers"]
        assert sellers[0] == seller and len(sellers) == 2
        token = requests.post(f"{second.base_url}/auth/o2/token", data={
            "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret", "refresh_token")}},
            timeout=10).json()["access_token"]
        order = requests.get(f"{second.base_url}/orders/v0/orders/{placed['order_id']}",
                             headers={"x-amz-access-token": token}, timeout=10)
        assert order.status_code == 200 and order.json()["payload"]["AmazonOrderId"] == placed["order_id"]
    finally:
        second.stop()


@pytest.mark.parametrize("arguments, message", [
    (["--clock-scale", "0"], "--clock-scale must be positive"),
    (["--threads", "0"], "--threads must be at least 1"),
    (["--db", "/no/such/folder/mock.sqlite3"], "--db /no/such/folder/mock.sqlite3: unable to open"),
    (["--port", "abc"], "argument --port: invalid int value: 'abc'"),
    (["--scenario", "nope"], "no scenario 'nope'"),
    (["--scenario", "live-demo", "--set", "run.days=-1"], "'run.days' must be positive"),
    (["--scenario", "live-demo", "--db", "/tmp/mock.sqlite3"], "--db does not go with --scenario"),
    (["--reference-integration"], "--set and --reference-integration go with --scenario"),
])
def test_bad_arguments_get_a_clear_message(arguments, message):
    result = subprocess.run([sys.executable, "-m", "mock_amazon", *arguments], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, "one clear line"


def test_a_port_in_use_is_one_line_and_exit_2_and_changes_nothing(tmp_path):
    database = str(tmp_path / "mock.sqlite3")
    first = Server("--db", database, "--sellers", "1")
    try:
        result = subprocess.run([sys.executable, "-m", "mock_amazon", "--port", str(first.port), "--db",
                                 str(tmp_path / "other.sqlite3"), "--sellers", "3"],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.strip().count("\n") == 0 and f"cannot listen on 127.0.0.1:{first.port}" in result.stderr
        assert first.control("GET", "/sellers")[1]["sellers"] == first.info["sellers"]  # the running one is intact
    finally:
        first.stop()


def test_the_first_line_comes_once_the_socket_listens():
    server = Server("--sellers", "0", "--empty")
    try:
        # no waiting: the line was printed after the bind, so the very next request is served
        assert requests.get(f"{server.base_url}/_testbed/clock", timeout=5).status_code == 200
    finally:
        server.stop()


def test_standalone_server_waits_out_added_latency():
    server = Server("--sellers", "1", "--clock-scale", "10")
    try:
        seller = server.info["sellers"][0]
        server.control("PUT", "/faults", {"faults": [{"operation": "getOrders", "latency": 5, "count": 1}]})
        token = requests.post(f"{server.base_url}/auth/o2/token", data={
            "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret", "refresh_token")}},
            timeout=10).json()["access_token"]
        params = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2020-01-01T00:00:00Z"}
        started = time.perf_counter()
        slow = requests.get(f"{server.base_url}/orders/v0/orders", headers={"x-amz-access-token": token},
                            params=params, timeout=10)
        waited = time.perf_counter() - started
        assert slow.status_code == 200 and slow.headers["x-testbed-latency"] == "5"
        assert waited >= 0.5  # 5 simulated seconds at 10x: the real server really waited
    finally:
        server.stop()
