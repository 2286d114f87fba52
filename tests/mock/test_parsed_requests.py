"""Requests without a body are parsed once per distinct parameters: the kept parse gives the same values, every
caller its own copy, and a bad request is refused every time it comes."""
from datetime import datetime, timezone

import pytest
from werkzeug.datastructures import Headers, MultiDict

from mock_amazon import spec
from mock_amazon.errors import InvalidInput

GET_ORDERS = spec.operation("ordersV0", "getOrders")


def _parse(**query):
    return spec.parse_request(GET_ORDERS, {}, MultiDict(query), Headers(), None)


def test_a_request_asked_again_gets_the_same_values_in_a_copy_of_its_own():
    query = {"MarketplaceIds": "ATVPDKIKX0DER,A2EUQ1WTGCTBG2", "CreatedAfter": "2020-01-02T00:00:00Z",
             "MaxResultsPerPage": "20"}
    first = _parse(**query)
    assert first == {"MarketplaceIds": ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
                     "CreatedAfter": datetime(2020, 1, 2, tzinfo=timezone.utc), "MaxResultsPerPage": 20}
    first["MarketplaceIds"].append("changed by a caller")
    first["MaxResultsPerPage"] = 0
    second = _parse(**query)
    assert second == {"MarketplaceIds": ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
                      "CreatedAfter": datetime(2020, 1, 2, tzinfo=timezone.utc), "MaxResultsPerPage": 20}
    assert _parse(**{**query, "MaxResultsPerPage": "30"})["MaxResultsPerPage"] == 30


def test_a_bad_request_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(InvalidInput, match="MaxResultsPerPage"):
            _parse(MarketplaceIds="ATVPDKIKX0DER", CreatedAfter="2020-01-02T00:00:00Z", MaxResultsPerPage="many")


def test_the_kept_parses_are_bounded(monkeypatch):
    monkeypatch.setattr(spec, "PARSED_KEPT", 5)
    monkeypatch.setattr(spec, "_parsed", {})
    for day in range(1, 20):
        assert _parse(MarketplaceIds="ATVPDKIKX0DER", CreatedAfter=f"2020-01-{day:02d}T00:00:00Z")["CreatedAfter"] \
            == datetime(2020, 1, day, tzinfo=timezone.utc)
    assert len(spec._parsed) == 5
