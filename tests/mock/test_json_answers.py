"""Answers are written as orjson writes them: an object encoded beforehand (`Encoded`, an order's rendering) is
copied in as it was made, and every other value, subclasses of built-in types included, comes out as before."""
import enum
from collections import OrderedDict
from datetime import datetime, timezone

import orjson
import pytest

from mock_amazon.pipeline import Encoded, encoded, to_json


class Level(enum.Enum):
    HIGH = "high"


class Code(str, enum.Enum):
    SHIPPED = "Shipped"


class Count(enum.IntEnum):
    TWO = 2


class Name(str):
    def __str__(self) -> str:
        return "not what is written"


class Quantity(int):
    pass


class Lines(list):
    pass


def as_orjson_writes(body) -> bytes:
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)


ORDER = {"AmazonOrderId": "111-0000000-0000001", "OrderTotal": {"CurrencyCode": "EUR", "Amount": "12.50"},
         "PaymentMethodDetails": ["Standard"], "IsPrime": False, "NumberOfItemsShipped": 0, "Buyer": "Zoë Ünal"}


@pytest.mark.parametrize("body", [
    {"payload": {"Orders": [encoded(ORDER), encoded({**ORDER, "AmazonOrderId": "2"})], "NextToken": "a+b/c=="}},
    [encoded(ORDER), {"nested": encoded({"deeper": [encoded(ORDER)]})}],
    encoded(ORDER),
    {"levels": [Level.HIGH, Code.SHIPPED, Count.TWO], "name": Name("Zoë"), "quantity": Quantity(3),
     "lines": Lines([1, Lines([2])]), "ordered": OrderedDict([("b", 1), ("a", 2)]), 7: "a number as a key",
     "when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "none": None, "float": 1.5},
])
def test_an_answer_is_written_as_orjson_writes_it(body):
    assert to_json(body) == as_orjson_writes(body)


def test_an_encoded_object_is_copied_in_as_made_and_reads_as_a_dict():
    kept = encoded(ORDER)
    assert isinstance(kept, Encoded) and kept == ORDER and kept.json == as_orjson_writes(ORDER).decode()
    assert to_json({"payload": kept}) == b'{"payload":' + kept.json.encode() + b"}"


def test_what_orjson_cannot_write_is_still_refused():
    with pytest.raises(TypeError):
        to_json({"set": {1, 2}})
