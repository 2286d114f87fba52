"""The control API over HTTP: the same operations as MockAmazon's Python methods, with clear errors."""


def test_sellers_seed_clock_and_traffic(http):
    assert http.post("/_testbed/reset").status_code == 200
    seller = http.post("/_testbed/sellers").json
    assert set(seller) == {"seller_id", "marketplace_id", "marketplace_ids", "client_id", "client_secret",
                           "refresh_token"}
    assert seller["marketplace_ids"] == [seller["marketplace_id"]] == ["ATVPDKIKX0DER"]
    seeded = http.post("/_testbed/seed", json={"seller_id": seller["seller_id"], "skus": 5, "orders": 3,
                                               "seed": 9}).json
    assert len(seeded["skus"]) == 5 and len(seeded["orders"]) == 3
    before = http.get("/_testbed/clock").json
    moved = http.post("/_testbed/clock/advance", json={"seconds": 600}).json
    assert moved["now"] > before["now"]
    token = http.post("/auth/o2/token", data={"grant_type": "refresh_token", **{
        k: seller[k] for k in ("client_id", "client_secret", "refresh_token")}}).json["access_token"]
    http.get(f"/orders/v0/orders/{seeded['orders'][0]}", headers={"x-amz-access-token": token})
    traffic = http.get("/_testbed/traffic").json["traffic"]
    assert traffic[-1]["operation"] == "getOrder" and traffic[-1]["status"] == 200
    assert traffic[-1]["seller_id"] == seller["seller_id"] and traffic[-1]["throttled"] is False


def test_seed_is_deterministic(http):
    results = []
    for _ in range(2):
        http.post("/_testbed/reset")
        seller = http.post("/_testbed/sellers").json
        results.append(http.post("/_testbed/seed", json={"seller_id": seller["seller_id"], "skus": 6, "orders": 4,
                                                         "seed": 5}).json)
    assert results[0] == results[1]


def test_control_errors_name_the_key(http, amazon):
    cases = [
        ("post", "/_testbed/clock/advance", {"seconds": -5}, "seconds"),
        ("post", "/_testbed/clock/advance", {}, "seconds"),
        ("post", "/_testbed/seed", {"skus": 3}, "seller_id"),
        ("post", "/_testbed/seed", {"seller_id": "NOPE"}, "NOPE"),
        ("put", "/_testbed/rate-limits", {"limits": {"getOrders": {"rate": 0, "burst": 1}}}, "body"),
        ("put", "/_testbed/faults", {"faults": [{"status": 200}]}, "body"),
        ("put", "/_testbed/settings", {"verification_seconds": "soon"}, "body"),
        ("post", "/_testbed/orders", {"seller_id": amazon.seller.seller_id, "lines": []}, "lines"),
    ]
    for method, path, body, named in cases:
        response = getattr(http, method)(path, json=body)
        assert response.status_code in (400, 404), (path, body)
        assert response.json["errors"][0]["details"] == named, (path, response.json)
    assert "rate" in http.put("/_testbed/rate-limits", json={"limits": {"getOrders": {"rate": 0, "burst": 1}}}
                              ).json["errors"][0]["message"]
    assert http.post("/_testbed/clock/advance", data="not json",
                     content_type="application/json").status_code == 400


def test_place_order_and_settings_over_http(http, amazon):
    sku = next(i.sku for i in amazon.listings.items.scan(amazon.seller.seller_id) if i.channel == "MFN")
    assert http.put("/_testbed/settings", json={"verification_seconds": 60}).json["verification_seconds"] == 60
    placed = http.post("/_testbed/orders", json={"seller_id": amazon.seller.seller_id,
                                                 "lines": [{"sku": sku, "quantity": 1}]})
    assert placed.status_code == 201 and placed.json["status"] == "Pending"
    http.post("/_testbed/clock/advance", json={"seconds": 60})
    assert amazon.orders.get(amazon.seller.seller_id, placed.json["order_id"]).status == "Unshipped"
    unknown = http.post("/_testbed/orders", json={"seller_id": amazon.seller.seller_id,
                                                  "lines": [{"sku": "NO-SUCH", "quantity": 1}]})
    assert unknown.status_code == 400 and unknown.json["errors"][0]["details"] == "sku"
