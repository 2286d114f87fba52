"""The standalone server: its first line, seeded data for a newcomer, and state that survives a restart."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from mock_amazon.__main__ import is_loopback
from mock_amazon.client import Control
from tests.support import Server


def test_first_line_and_seeded_data():
    server = Server("--sellers", "2", "--seed", "3")
    try:
        info = server.info
        assert info["base_url"] == server.base_url and len(info["sellers"]) == 2
        seller = info["sellers"][0]
        assert set(seller) == {"seller_id", "marketplace_id", "marketplace_ids", "client_id", "client_secret",
                               "refresh_token"}
        assert seller["marketplace_ids"] == [seller["marketplace_id"]] == ["ATVPDKIKX0DER"]
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


def assert_serves_order(server: Server, seller: dict, order_id: str) -> None:
    """The seller logs in to `server` and reads the order back."""
    token = requests.post(f"{server.base_url}/auth/o2/token", data={
        "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret", "refresh_token")}},
        timeout=10).json()["access_token"]
    order = requests.get(f"{server.base_url}/orders/v0/orders/{order_id}", headers={"x-amz-access-token": token},
                         timeout=10)
    assert order.status_code == 200 and order.json()["payload"]["AmazonOrderId"] == order_id


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
        assert_serves_order(second, seller, placed["order_id"])
    finally:
        second.stop()


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _running(pid: int) -> bool:
    """Whether a thread of the process has not ended yet. A process has ended, and holds nothing, once every thread
    has (its main thread is a zombie as soon as it ends, while the others may still be ending)."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return False
    for task in tasks:
        try:
            state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue
        if state not in ("Z", "X"):
            return True
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="finds the worker process in /proc")
def test_one_worker_holds_the_state_dies_with_a_killed_server_and_a_restart_finds_every_commit(tmp_path):
    """Real processes, a few seconds: the server's one worker process dies when the server is killed with
    SIGKILL (nothing is left listening), and a new server on the same file finds the order placed before."""
    database = str(tmp_path / "mock.sqlite3")
    first = Server("--db", database, "--sellers", "1")
    try:
        workers = _children(first.process.pid)
        assert len(workers) == 1 and _running(workers[0])
        seller = first.info["sellers"][0]
        sku = first.control("POST", "/seed", {"seller_id": seller["seller_id"], "skus": 1, "orders": 0,
                                               "seed": 5})[1]["skus"][0]
        status, placed = first.control("POST", "/orders", {"seller_id": seller["seller_id"],
                                                           "lines": [{"sku": sku, "quantity": 1}]})
        assert status == 201
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _running(workers[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(workers[0]), "the worker outlived its killed parent"
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", first.port), timeout=5).close()
    finally:
        first.stop()
    second = Server("--db", database)
    try:
        assert second.info["sellers"] == [seller]
        assert_serves_order(second, seller, placed["order_id"])
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
    (["--host", "0.0.0.0"], "--host 0.0.0.0 is beyond loopback: give --control-token TOKEN"),
    (["--host", "192.168.1.5"], "--host 192.168.1.5 is beyond loopback"),
    (["--host", "mock.example.com"], "--host mock.example.com is beyond loopback"),
    (["--host", "::", "--scenario", "live-demo"], "--host :: is beyond loopback"),
    (["--control-token", " "], "--control-token must not be empty"),
    (["--connection-limit", "0"], "--connection-limit must be between 1 and 10000"),
    (["--idle-timeout", "0"], "--idle-timeout must be above 0"),
    (["--marketplaces", "UK,Atlantis"], "--marketplaces: 'Atlantis' is not one of Amazon's marketplaces"),
    (["--marketplaces", "UK", "--scenario", "live-demo"], "--marketplaces goes without --scenario"),
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


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("LOCALHOST", True), ("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("mock.local", False)])
def test_what_counts_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_a_control_token_guards_the_running_server():
    """Real processes over loopback: the token from the option and from the environment."""
    for server in (Server("--sellers", "1", control_token="opt-token"),
                   Server("--sellers", "1", env={"MOCK_AMAZON_CONTROL_TOKEN": "env-token"})):
        token = server.control_token or "env-token"
        try:
            assert requests.get(f"{server.base_url}/_testbed/clock", timeout=5).status_code == 401
            assert requests.get(f"{server.base_url}/_testbed/clock", headers={"x-testbed-token": token},
                                timeout=5).status_code == 200
            browser = requests.Session()
            assert browser.post(f"{server.base_url}/_testbed/session", headers={"x-testbed-token": token},
                                timeout=5).status_code == 200
            assert browser.get(f"{server.base_url}/_testbed/sellers", timeout=5).status_code == 200
            assert Control(base_url=server.base_url, token=token).get("/_testbed/sellers").status_code == 200
            seller = server.info["sellers"][0]
            lwa = requests.post(f"{server.base_url}/auth/o2/token", data={
                "grant_type": "refresh_token", **{k: seller[k] for k in ("client_id", "client_secret",
                                                                          "refresh_token")}}, timeout=10)
            assert lwa.status_code == 200, "Amazon's doors need no control token"
        finally:
            server.stop()


def test_a_new_client_is_served_within_a_second_while_200_idle_connections_are_open():
    """Real time, real server, loopback: 100 clients that connected and never spoke and 100 that made one
    keep-alive request and went quiet hold 200 connections; a new client is still answered at once (a server that
    serves only 100 connections at once, as waitress did by default, made it wait for the idle ones to time out)."""
    server = Server("--sellers", "0", "--empty")
    idle = []
    try:
        for number in range(200):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            if number % 2:
                sock.sendall(b"GET /_testbed/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n")
                assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            idle.append(sock)
        started = time.monotonic()
        response = requests.get(f"{server.base_url}/_testbed/clock", timeout=5, headers={"Connection": "close"})
        waited = time.monotonic() - started
        assert response.status_code == 200 and waited < 1.0, f"a new client waited {waited:.2f} s"
    finally:
        for sock in idle:
            sock.close()
        server.stop()


def test_idle_connections_are_closed_after_the_idle_timeout():
    """Real time (about 2 s): a connection idle past --idle-timeout is closed by the server."""
    server = Server("--sellers", "0", "--empty", "--idle-timeout", "1")
    try:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        started = time.monotonic()
        assert sock.recv(1) == b"", "the server closed the idle connection"
        assert time.monotonic() - started < 4
        sock.close()
    finally:
        server.stop()
