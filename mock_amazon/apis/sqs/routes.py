"""SQS over its JSON protocol, the one current botocore and the AWS CLI speak: `POST /` (or to a queue URL)
with `X-Amz-Target: AmazonSQS.<Action>` and a JSON body; answers in `application/x-amz-json-1.0`, errors as
`{"__type", "message"}` with the `x-amzn-query-error` header that botocore turns into SQS's error code.

SQS is not an SP-API operation, so this is a plain blueprint outside the pipeline. Signatures are accepted
without being checked, as local AWS emulators do; the signed region only chooses between queues of one name.
SQS's older query protocol (`Action=...` as a form, answers in XML) runs the same actions through query.py.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable

from flask import Blueprint, Response, request

from mock_amazon.apis.sqs import query
from mock_amazon.apis.sqs.backend import (
    DEFAULT_ACCOUNT,
    MAX_DELAY_SECONDS,
    MAX_MESSAGES,
    MAX_VISIBILITY_SECONDS,
    MAX_WAIT_SECONDS,
    BatchEntryIdsNotDistinct,
    EmptyBatchRequest,
    InternalError,
    InvalidAction,
    InvalidBatchEntryId,
    InvalidParameterValue,
    MissingParameter,
    SerializationError,
    SqsBackend,
    SqsError,
    TooManyEntriesInBatchRequest,
)
from mock_amazon.errors import InvalidInput
from mock_amazon.pipeline import current_amazon
from mock_amazon.spec import read_json

log = logging.getLogger("mock_amazon.sqs")
blueprint = Blueprint("sqs", __name__)

JSON_PROTOCOL = "application/x-amz-json-1.0"
TARGET_PREFIX = "AmazonSQS."
SIGNED_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/")
BATCH_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
ATTRIBUTE_TYPES = ("String", "Number", "Binary")


@dataclass(frozen=True)
class Caller:
    """Who signed the request, as far as an unchecked signature tells: the access key and the region."""
    access_key: str | None
    region: str | None

    @classmethod
    def from_headers(cls) -> "Caller":
        match = SIGNED_SCOPE.search(request.headers.get("Authorization", ""))
        return cls(*match.groups()) if match else cls(None, None)


Params = dict[str, Any]
Action = Callable[[SqsBackend, Params, Caller], Params]


@blueprint.post("/")
@blueprint.post("/sqs/<region>/<account>/<name>")
def serve(**queue_path: str) -> Response:
    """Every SQS action, in either protocol; the queue URL's path stands for QueueUrl when the request names none."""
    amazon = current_amazon()
    with amazon.lock:
        headers = {"x-amzn-RequestId": amazon.request_id()}
    target = request.headers.get("X-Amz-Target", "")
    if not target.startswith(TARGET_PREFIX) and "Action" in request.form:
        name = request.form["Action"]
        try:
            answer = _run(name, query.parse(request.form), queue_path)
            return Response(query.render(name, answer, headers["x-amzn-RequestId"]), 200, headers,
                            content_type="text/xml")
        except SqsError as error:
            return Response(query.error(error, headers["x-amzn-RequestId"]), error.status, headers,
                            content_type="text/xml")
    try:
        if not target.startswith(TARGET_PREFIX):
            raise InvalidAction("An SQS request names its action in the X-Amz-Target header (AmazonSQS.<Action>), "
                                "or in the query protocol's Action form field.")
        answer = _run(target.removeprefix(TARGET_PREFIX), _body(), queue_path)
        return Response(json.dumps(answer), status=200, headers=headers, content_type=JSON_PROTOCOL)
    except SqsError as error:
        return Response(json.dumps(error.body()), status=error.status, headers={**headers, **error.headers()},
                        content_type=JSON_PROTOCOL)


def _run(name: str, params: Params, queue_path: dict[str, str]) -> Params:
    """One action, whichever protocol brought it; a bug in the mock becomes SQS's InternalError, logged loudly."""
    action = ACTIONS.get(name)
    if action is None:
        raise InvalidAction(f"The action {name} is not valid for this endpoint (served: {', '.join(ACTIONS)}).")
    if queue_path and "QueueUrl" not in params:
        params["QueueUrl"] = request.path
    amazon, caller = current_amazon(), Caller.from_headers()
    try:
        if action is receive_message:  # a long poll: it takes the lock for each look and waits outside it
            return action(amazon.sqs, params, caller)
        with amazon.lock:
            amazon.run_due()
            with amazon.store.transaction():
                return action(amazon.sqs, params, caller)
    except SqsError:
        raise
    except Exception:
        log.exception("unhandled error in SQS %s", name)
        raise InternalError("An internal error occurred.") from None


def _body() -> Params:
    data = request.get_data()
    if not data:
        return {}
    try:
        params = read_json(data, "body")  # UTF-8 JSON within the limits every request body has
    except InvalidInput as error:
        raise SerializationError(error.message) from None
    if not isinstance(params, dict):
        raise SerializationError("The request body must be a JSON object.")
    return params


# parameters, checked as SQS checks them

def _string(params: Params, name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise MissingParameter(name)
    if not isinstance(value, str):
        raise InvalidParameterValue(f"Value {value!r} for parameter {name} is invalid. Reason: must be a string.")
    return value


def _integer(params: Params, name: str, lowest: int, highest: int) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        raise InvalidParameterValue(f"Value {value} for parameter {name} is invalid. Reason: Must be between "
                                    f"{lowest} and {highest}, if provided.")
    return value


def _names(params: Params, *keys: str) -> tuple[str, ...]:
    names: list[str] = []
    for key in keys:
        value = params.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidParameterValue(f"{key} must be a list of names.")
        names += value
    return tuple(names)


def _string_map(params: Params, name: str) -> dict[str, str]:
    value = params.get(name, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InvalidParameterValue(f"{name} must map names to strings.")
    return value


def _message_attributes(params: Params) -> dict[str, dict[str, str]]:
    attributes = params.get("MessageAttributes") or {}
    if not isinstance(attributes, dict) or len(attributes) > 10:
        raise InvalidParameterValue("MessageAttributes must map at most 10 names to attribute values.")
    for name, value in attributes.items():
        kind = value.get("DataType", "") if isinstance(value, dict) else ""
        if not isinstance(kind, str) or kind.split(".")[0] not in ATTRIBUTE_TYPES:
            raise InvalidParameterValue(f"The message attribute '{name}' has an invalid message attribute type, "
                                        "the set of supported type prefixes is Binary, Number, and String.")
        key = "BinaryValue" if kind.startswith("Binary") else "StringValue"
        if not isinstance(value.get(key), str):
            raise InvalidParameterValue(f"The message attribute '{name}' must contain a non-empty {key}.")
    return attributes


def _batch(params: Params, each: Callable[[Params], Params]) -> Params:
    """A batch action: one answer per entry, Successful or Failed, after the checks that refuse the whole batch."""
    entries = params.get("Entries")
    if not isinstance(entries, list) or not entries:
        raise EmptyBatchRequest()
    if len(entries) > MAX_MESSAGES:
        raise TooManyEntriesInBatchRequest(len(entries))
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry.get("Id") if isinstance(entry, dict) else None
        if not isinstance(entry_id, str) or not BATCH_ENTRY_ID.fullmatch(entry_id):
            raise InvalidBatchEntryId()
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(entry_id)
        seen.add(entry_id)
    successful, failed = [], []
    for entry in entries:
        try:
            successful.append({"Id": entry["Id"], **each(entry)})
        except SqsError as error:
            failed.append({"Id": entry["Id"], "SenderFault": error.sender_fault, "Code": error.query_code,
                           "Message": error.message})
    return {"Successful": successful, "Failed": failed}


# actions: read the parameters, call the backend, shape the answer

def get_queue_url(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    account = params.get("QueueOwnerAWSAccountId")
    return {"QueueUrl": sqs.get_queue_url(_string(params, "QueueName"), account if isinstance(account, str) else None,
                                          caller.region)}


def create_queue(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    queue = sqs.create_queue(_string(params, "QueueName"), _string_map(params, "Attributes"), caller.region)
    return {"QueueUrl": sqs.queue_url(queue)}


def list_queues(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    prefix = params.get("QueueNamePrefix") or ""
    urls = sqs.list_queues(prefix if isinstance(prefix, str) else "")
    return {"QueueUrls": urls} if urls else {}


def delete_queue(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    sqs.delete_queue(_string(params, "QueueUrl"))
    return {}


def purge_queue(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    sqs.purge_queue(_string(params, "QueueUrl"))
    return {}


def get_queue_attributes(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    attributes = sqs.get_queue_attributes(_string(params, "QueueUrl"), list(_names(params, "AttributeNames")))
    return {"Attributes": attributes} if attributes else {}


def set_queue_attributes(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    if "Attributes" not in params:
        raise MissingParameter("Attributes")
    sqs.set_queue_attributes(_string(params, "QueueUrl"), _string_map(params, "Attributes"))
    return {}


def send_message(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    return _send(sqs, _string(params, "QueueUrl"), params, caller)


def _send(sqs: SqsBackend, url: str, params: Params, caller: Caller) -> Params:
    return sqs.send_message(url, _string(params, "MessageBody"), _integer(params, "DelaySeconds", 0, MAX_DELAY_SECONDS),
                            _message_attributes(params), caller.access_key or DEFAULT_ACCOUNT)


def send_message_batch(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    url = _string(params, "QueueUrl")
    sqs.queue(url)
    return _batch(params, lambda entry: _send(sqs, url, entry, caller))


def receive_message(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    messages = sqs.receive_message(
        _string(params, "QueueUrl"), _integer(params, "MaxNumberOfMessages", 1, MAX_MESSAGES) or 1,
        _integer(params, "WaitTimeSeconds", 0, MAX_WAIT_SECONDS),
        _integer(params, "VisibilityTimeout", 0, MAX_VISIBILITY_SECONDS),
        _names(params, "AttributeNames", "MessageSystemAttributeNames"), _names(params, "MessageAttributeNames"))
    return {"Messages": messages} if messages else {}


def delete_message(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    sqs.delete_message(_string(params, "QueueUrl"), _string(params, "ReceiptHandle"))
    return {}


def delete_message_batch(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    url = _string(params, "QueueUrl")
    sqs.queue(url)

    def delete(entry: Params) -> Params:
        sqs.delete_message(url, _string(entry, "ReceiptHandle"))
        return {}
    return _batch(params, delete)


def change_message_visibility(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    _change_visibility(sqs, _string(params, "QueueUrl"), params)
    return {}


def _change_visibility(sqs: SqsBackend, url: str, params: Params) -> Params:
    timeout = _integer(params, "VisibilityTimeout", 0, MAX_VISIBILITY_SECONDS)
    if timeout is None:
        raise MissingParameter("VisibilityTimeout")
    sqs.change_message_visibility(url, _string(params, "ReceiptHandle"), timeout)
    return {}


def change_message_visibility_batch(sqs: SqsBackend, params: Params, caller: Caller) -> Params:
    url = _string(params, "QueueUrl")
    sqs.queue(url)
    return _batch(params, lambda entry: _change_visibility(sqs, url, entry))


ACTIONS: dict[str, Action] = {
    "GetQueueUrl": get_queue_url, "CreateQueue": create_queue, "ListQueues": list_queues,
    "DeleteQueue": delete_queue, "PurgeQueue": purge_queue, "GetQueueAttributes": get_queue_attributes,
    "SetQueueAttributes": set_queue_attributes, "SendMessage": send_message, "SendMessageBatch": send_message_batch,
    "ReceiveMessage": receive_message, "DeleteMessage": delete_message, "DeleteMessageBatch": delete_message_batch,
    "ChangeMessageVisibility": change_message_visibility,
    "ChangeMessageVisibilityBatch": change_message_visibility_batch,
}
