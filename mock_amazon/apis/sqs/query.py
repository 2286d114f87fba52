"""SQS's older query protocol, which SDKs from before SQS's JSON protocol still speak (`Action=ReceiveMessage&...`
as a form, answers in XML): translated to the JSON protocol's parameters on the way in and from its answers on
the way out, so that both protocols run the same actions.

Flattened names become the JSON protocol's: `AttributeName.1` joins `AttributeNames`, `Attribute.1.Name` and
`Attribute.1.Value` one entry of the `Attributes` map, `DeleteMessageBatchRequestEntry.1.Id` one of `Entries`.
"""
from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.datastructures import MultiDict

from mock_amazon.apis.sqs.backend import SqsError

NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/"
LISTS = {"AttributeName": "AttributeNames", "MessageSystemAttributeName": "MessageSystemAttributeNames",
         "MessageAttributeName": "MessageAttributeNames"}
MAPS = {"Attribute": "Attributes", "MessageAttribute": "MessageAttributes"}
ENTRIES = re.compile(r"\w+BatchRequestEntry")
INTEGERS = ("MaxNumberOfMessages", "WaitTimeSeconds", "VisibilityTimeout", "DelaySeconds")
# what an answer's list or map is called in XML, item by item
ITEMS = {"Messages": "Message", "QueueUrls": "QueueUrl", "Failed": "BatchResultErrorEntry",
         "Attributes": "Attribute", "MessageAttributes": "MessageAttribute"}


def parse(form: MultiDict[str, str]) -> dict[str, Any]:
    """The JSON protocol's parameters for a query-protocol form."""
    return _unflatten({key: value for key, value in form.items() if key not in ("Action", "Version")})


def _unflatten(flat: dict[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    grouped: dict[str, dict[int, dict[str, str]]] = {}
    for key, value in flat.items():
        head, _, rest = key.partition(".")
        if not rest:
            params[head] = int(value) if head in INTEGERS and value.lstrip("-").isdigit() else value
            continue
        number, _, inner = rest.partition(".")
        if number.isdigit():
            grouped.setdefault(head, {}).setdefault(int(number), {})[inner] = value
    for head, items in grouped.items():
        ordered = [items[n] for n in sorted(items)]
        if head in LISTS:
            params[LISTS[head]] = [item[""] for item in ordered if "" in item]
        elif head in MAPS:
            params[MAPS[head]] = {item["Name"]: _map_value(head, item) for item in ordered if "Name" in item}
        elif ENTRIES.fullmatch(head):
            params["Entries"] = [_unflatten(item) for item in ordered]
    return params


def _map_value(head: str, item: dict[str, str]) -> Any:
    if head == "Attribute":
        return item.get("Value", "")
    return {key.removeprefix("Value."): value for key, value in item.items() if key.startswith("Value.")}


def render(action: str, answer: dict[str, Any], request_id: str) -> str:
    """The XML answer the query protocol gives for a JSON protocol answer."""
    items = {**ITEMS, "Successful": f"{action}ResultEntry"}
    result = "".join(_element(name, value, items) for name, value in answer.items())
    return (f'<?xml version="1.0"?><{action}Response xmlns="{NAMESPACE}"><{action}Result>{result}</{action}Result>'
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>")


def _element(name: str, value: Any, items: dict[str, str]) -> str:
    if isinstance(value, list):  # flattened: one element per item
        return "".join(_element(items.get(name, name), item, items) for item in value)
    if isinstance(value, dict) and name in ("Attributes", "MessageAttributes"):  # a map: Name and Value per entry
        return "".join(f"<{items[name]}><Name>{escape(key)}</Name>{_element('Value', item, items)}</{items[name]}>"
                       for key, item in value.items())
    if isinstance(value, dict):
        return f"<{name}>{''.join(_element(k, v, items) for k, v in value.items())}</{name}>"
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return f"<{name}>{escape(text, {chr(13): '&#13;'})}</{name}>"  # a bare CR would be read back as LF


def error(failure: SqsError, request_id: str) -> str:
    return (f'<?xml version="1.0"?><ErrorResponse xmlns="{NAMESPACE}"><Error><Type>'
            f"{'Sender' if failure.sender_fault else 'Receiver'}</Type><Code>{failure.query_code}</Code>"
            f"<Message>{escape(failure.message)}</Message><Detail/></Error><RequestId>{request_id}</RequestId>"
            "</ErrorResponse>")
