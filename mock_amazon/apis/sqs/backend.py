"""SQS queues and their messages, by SQS's rules for standard queues.

A queue is named by its ARN (`arn:aws:sqs:REGION:ACCOUNT:NAME`): a notification destination that names an ARN
makes its queue exist, and so does CreateQueue. Amazon's notifications land here when the notifications backend
delivers them, and a connector reads them as in production, with an AWS SDK:

- at least once: a received message is invisible for its visibility timeout, then comes back with its receive
  count one higher, until it is deleted with the receipt handle of its latest receive. A deleted message never
  comes back; a handle from an earlier receive deletes nothing (SQS warns that it may not).
- a queue whose RedrivePolicy says `{"deadLetterTargetArn": ARN, "maxReceiveCount": N}` moves a message that was
  received N times to that queue instead of handing it out again.
- visibility timeouts, delays, retention and long polls run on the wire's time (`MockAmazon.wire_clock`: wall
  time on the standalone server), never on the marketplace's scaled clock.

State lives in the store's `sqs_queues` and `sqs_messages` tables. Every method but `receive_message` expects
its caller to hold `amazon.lock`; `receive_message` takes the lock for each look at the queue and waits outside
it, so a long poll never blocks another request.

Not processed: FIFO queues, tags, permissions, message move tasks, ListQueues paging, the 12-hour cap on a
message's total visibility, and a queue's Policy and encryption attributes (kept and returned, never enforced).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import struct
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mock_amazon.entities import iso

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

DEFAULT_ACCOUNT = "000000000000"   # CreateQueue's account, as local AWS emulators use
DEFAULT_REGION = "us-east-1"
SP_API_SENDER = "437568002678"     # the AWS account Amazon's Selling Partner API sends notifications from
UUID = "hhhhhhhh-hhhh-4hhh-hhhh-hhhhhhhhhhhh"
MAX_WAIT_SECONDS = 20
MAX_MESSAGES = 10
MAX_DELAY_SECONDS = 900
MAX_VISIBILITY_SECONDS = 43_200
POLL_SLICE = 0.2  # real seconds: a waiting long poll looks again this often, for timers that have come due
QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
QUEUE_ARN = re.compile(r"arn:aws:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80})")
REGION_IN_HOST = re.compile(r"(?:sqs|queue)\.([a-z0-9-]+)\.")
# XML 1.0's characters, the only ones SQS takes in a message
MESSAGE_CHARACTERS = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")

# name -> (default, lowest, highest), for the queue attributes that are numbers
NUMERIC_ATTRIBUTES = {
    "VisibilityTimeout": (30, 0, MAX_VISIBILITY_SECONDS),
    "DelaySeconds": (0, 0, MAX_DELAY_SECONDS),
    "ReceiveMessageWaitTimeSeconds": (0, 0, MAX_WAIT_SECONDS),
    "MessageRetentionPeriod": (345_600, 60, 1_209_600),
    "MaximumMessageSize": (262_144, 1_024, 1_048_576),
}
KEPT_ATTRIBUTES = ("Policy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
                   "SqsManagedSseEnabled")
COMPUTED_ATTRIBUTES = ("QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                       "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp")
QUEUE_ATTRIBUTES = (*NUMERIC_ATTRIBUTES, "RedrivePolicy", *KEPT_ATTRIBUTES, *COMPUTED_ATTRIBUTES)
# message system attributes this mock sets, and those it accepts in a request but never sets (FIFO, X-Ray)
MESSAGE_ATTRIBUTES = ("SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
                      "DeadLetterQueueSourceArn")
UNSET_MESSAGE_ATTRIBUTES = ("SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader")


# errors, as SQS names them: the shape in the JSON protocol's `__type`, and the code of SQS's query protocol,
# which the JSON protocol carries in the x-amzn-query-error header and botocore reports as the error code

class SqsError(Exception):
    shape = "InternalError"
    query_code = "InternalError"
    sender_fault = True
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, str]:
        return {"__type": f"com.amazonaws.sqs#{self.shape}", "message": self.message}

    def headers(self) -> dict[str, str]:
        return {"x-amzn-query-error": f"{self.query_code};{'Sender' if self.sender_fault else 'Receiver'}"}


class QueueDoesNotExist(SqsError):
    shape, query_code = "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"

    def __init__(self, message: str = "The specified queue does not exist."):
        super().__init__(message)


class QueueNameExists(SqsError):
    shape, query_code = "QueueNameExists", "QueueAlreadyExists"


class ReceiptHandleIsInvalid(SqsError):
    shape = query_code = "ReceiptHandleIsInvalid"

    def __init__(self, handle: str):
        super().__init__(f'The input receipt handle "{handle}" is not a valid receipt handle.')


class MessageNotInflight(SqsError):
    shape, query_code = "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight"

    def __init__(self) -> None:
        super().__init__("The message referred to isn't in flight.")


class InvalidParameterValue(SqsError):
    shape = query_code = "InvalidParameterValue"


class MissingParameter(SqsError):
    shape = query_code = "MissingParameter"

    def __init__(self, name: str):
        super().__init__(f"The request must contain the parameter {name}.")


class InvalidAttributeName(SqsError):
    shape = query_code = "InvalidAttributeName"

    def __init__(self, name: str):
        super().__init__(f"Unknown Attribute {name}.")


class InvalidAttributeValue(SqsError):
    shape = query_code = "InvalidAttributeValue"


class InvalidMessageContents(SqsError):
    shape = query_code = "InvalidMessageContents"


class EmptyBatchRequest(SqsError):
    shape, query_code = "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest"

    def __init__(self) -> None:
        super().__init__("There should be at least one entry in the request.")


class TooManyEntriesInBatchRequest(SqsError):
    shape, query_code = "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"

    def __init__(self, count: int):
        super().__init__(f"Maximum number of entries per request are {MAX_MESSAGES}. You have sent {count}.")


class BatchEntryIdsNotDistinct(SqsError):
    shape, query_code = "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"

    def __init__(self, entry_id: str):
        super().__init__(f"Id {entry_id} repeated.")


class InvalidBatchEntryId(SqsError):
    shape, query_code = "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId"

    def __init__(self) -> None:
        super().__init__("A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                         "It can be at most 80 letters long.")


class InvalidAction(SqsError):
    shape = query_code = "InvalidAction"


class SerializationError(SqsError):
    shape = query_code = "SerializationException"


class InternalError(SqsError):
    shape = query_code = "InternalError"
    sender_fault, status = False, 500


def parse_queue_arn(arn: str) -> tuple[str, str, str]:
    """(region, account, name) of an SQS queue ARN; ValueError if it is none."""
    match = QUEUE_ARN.fullmatch(arn)
    if match is None:
        raise ValueError(f"{arn} is not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME, a 12-digit account, "
                         "a name of letters, digits, hyphens and underscores)")
    region, account, name = match.groups()
    return region, account, name


def md5_of_attributes(attributes: dict[str, dict[str, str]]) -> str:
    """MD5OfMessageAttributes, by SQS's encoding: per attribute in name order, name, type and value, each with
    its length in four bytes, and the value after a byte saying string (1) or binary (2)."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        for part in (name.encode(), value["DataType"].encode()):
            digest.update(struct.pack(">I", len(part)) + part)
        if "BinaryValue" in value:
            raw, transport = base64.b64decode(value["BinaryValue"]), b"\x02"
        else:
            raw, transport = value["StringValue"].encode(), b"\x01"
        digest.update(transport + struct.pack(">I", len(raw)) + raw)
    return digest.hexdigest()


def _milliseconds(seconds: float) -> str:
    return str(int(seconds * 1000))


@dataclass
class Queue:
    arn: str
    region: str
    account: str
    name: str
    attributes: dict[str, str]  # those set; defaults fill in the rest
    created: float
    modified: float

    def number(self, name: str) -> int:
        return int(self.attributes.get(name, NUMERIC_ATTRIBUTES[name][0]))

    def redrive(self) -> tuple[str, int] | None:
        """(dead-letter queue ARN, maxReceiveCount) if the queue says so."""
        policy = self.attributes.get("RedrivePolicy")
        if not policy:
            return None
        parsed = json.loads(policy)
        return parsed["deadLetterTargetArn"], int(parsed["maxReceiveCount"])


@dataclass(frozen=True)
class Origin:
    """Where a notification in a queue came from, for the testbed's own read path (`/_testbed/notifications`)."""
    seller_id: str
    destination_id: str
    notification_type: str
    via: str            # "sqs", or "eventBridge" when the body is an EventBridge event around the notification
    delivered: float    # the marketplace's time of delivery


@dataclass
class StoredMessage:
    sequence: int
    message_id: str
    body: str
    attributes: str | None
    sender: str
    sent: float
    visible_at: float
    receive_count: int
    first_received: float | None
    dead_letter_source: str | None


MESSAGE_COLUMNS = ("sequence, message_id, body, attributes, sender, sent, visible_at, receive_count, first_received, "
                   "dead_letter_source")
QUEUE_COLUMNS = "arn, region, account, name, attributes, created, modified"


class SqsBackend:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon
        self.changed = threading.Condition()  # notified whenever a queue may have a message to hand out
        self._changes = 0

    def now(self) -> float:
        return self.amazon.wire_clock.seconds()

    def _signal(self) -> None:
        with self.changed:
            self._changes += 1
            self.changed.notify_all()

    # queues
    def queue_url(self, queue: Queue) -> str:
        """Built from the mock's configured base URL (never from a request's Host header)."""
        return f"{self.amazon.base_url}/sqs/{queue.region}/{queue.account}/{queue.name}"

    def ensure_queue(self, arn: str) -> Queue:
        """The queue an ARN names, made if it does not exist yet (a destination's, or where a delivery goes)."""
        queue = self._find("arn=?", (arn,))
        if queue is not None:
            return queue
        region, account, name = parse_queue_arn(arn)
        return self._create(region, account, name, {})

    def create_queue(self, name: str, attributes: dict[str, str], region: str | None) -> Queue:
        if name.endswith(".fifo") or attributes.get("FifoQueue", "false") != "false":
            raise InvalidParameterValue("FIFO queues are not supported by this mock; use a standard queue.")
        if not QUEUE_NAME.fullmatch(name):
            raise InvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. "
                                        "1 to 80 in length")
        checked = self._checked_attributes({k: v for k, v in attributes.items() if k != "FifoQueue"})
        region = region or DEFAULT_REGION
        existing = self._find("region=? AND account=? AND name=?", (region, DEFAULT_ACCOUNT, name))
        if existing is not None:
            for key, value in checked.items():
                default = str(NUMERIC_ATTRIBUTES[key][0]) if key in NUMERIC_ATTRIBUTES else ""
                if existing.attributes.get(key, default) != value:
                    raise QueueNameExists(f"A queue already exists with the same name and a different value for "
                                          f"attribute {key}")
            return existing
        return self._create(region, DEFAULT_ACCOUNT, name, checked)

    def get_queue_url(self, name: str, account: str | None, region: str | None) -> str:
        """The queue of that name (in that account, if given); where names repeat, the one in the signed region."""
        sql, args = "name=?", [name]
        if account:
            sql, args = sql + " AND account=?", args + [account]
        rows = self.amazon.store.execute(f"SELECT {QUEUE_COLUMNS} FROM sqs_queues WHERE {sql} ORDER BY created, arn",
                                         tuple(args)).fetchall()
        queues = [self._queue(row) for row in rows]
        if not queues:
            raise QueueDoesNotExist()
        return self.queue_url(next((q for q in queues if q.region == region), queues[0]))

    def list_queues(self, prefix: str = "") -> list[str]:
        rows = self.amazon.store.execute(f"SELECT {QUEUE_COLUMNS} FROM sqs_queues ORDER BY created, arn").fetchall()
        return [self.queue_url(q) for q in map(self._queue, rows) if q.name.startswith(prefix)]

    def delete_queue(self, url: str) -> None:
        queue = self.queue(url)
        self.amazon.store.execute("DELETE FROM sqs_messages WHERE queue=?", (queue.arn,))
        self.amazon.store.execute("DELETE FROM sqs_queues WHERE arn=?", (queue.arn,))

    def purge_queue(self, url: str) -> None:
        self.amazon.store.execute("DELETE FROM sqs_messages WHERE queue=?", (self.queue(url).arn,))

    def get_queue_attributes(self, url: str, names: list[str]) -> dict[str, str]:
        queue = self.queue(url)
        for name in names:
            if name != "All" and name not in QUEUE_ATTRIBUTES:
                raise InvalidAttributeName(name)
        if not names:
            return {}
        now = self.now()
        visible, in_flight, delayed = self.amazon.store.execute(
            "SELECT COALESCE(SUM(visible_at <= ?), 0), COALESCE(SUM(visible_at > ? AND receive_count > 0), 0), "
            "COALESCE(SUM(visible_at > ? AND receive_count = 0), 0) FROM sqs_messages WHERE queue=?",
            (now, now, now, queue.arn)).fetchone()
        values = {name: str(default) for name, (default, _, _) in NUMERIC_ATTRIBUTES.items()}
        values.update(queue.attributes)
        values.update({"QueueArn": queue.arn, "ApproximateNumberOfMessages": str(visible),
                       "ApproximateNumberOfMessagesNotVisible": str(in_flight),
                       "ApproximateNumberOfMessagesDelayed": str(delayed), "CreatedTimestamp": str(int(queue.created)),
                       "LastModifiedTimestamp": str(int(queue.modified))})
        return {name: value for name, value in values.items() if "All" in names or name in names}

    def set_queue_attributes(self, url: str, attributes: dict[str, str]) -> None:
        queue = self.queue(url)
        if "FifoQueue" in attributes:
            raise InvalidAttributeName("FifoQueue")
        checked = self._checked_attributes(attributes)
        merged = {k: v for k, v in {**queue.attributes, **checked}.items() if v != ""}
        self.amazon.store.execute("UPDATE sqs_queues SET attributes=?, modified=? WHERE arn=?",
                                  (json.dumps(merged), self.now(), queue.arn))

    def queue(self, url: str) -> Queue:
        """The queue a queue URL names: the mock's own URL, or an AWS one (`https://sqs.REGION.amazonaws.com/
        ACCOUNT/NAME`) from a connector's production settings."""
        parts = urlsplit(url)
        path = [p for p in parts.path.split("/") if p]
        if len(path) < 2:
            raise QueueDoesNotExist()
        account, name = path[-2], path[-1]
        in_host = REGION_IN_HOST.match(parts.hostname or "")
        region = path[-3] if len(path) >= 4 and path[-4] == "sqs" else in_host.group(1) if in_host else None
        queue = (self._find("region=? AND account=? AND name=?", (region, account, name)) if region else
                 self._find("account=? AND name=?", (account, name)))
        if queue is None:
            raise QueueDoesNotExist()
        return queue

    def _create(self, region: str, account: str, name: str, attributes: dict[str, str]) -> Queue:
        now = self.now()
        queue = Queue(f"arn:aws:sqs:{region}:{account}:{name}", region, account, name, attributes, now, now)
        self.amazon.store.execute(f"INSERT INTO sqs_queues ({QUEUE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                  (queue.arn, region, account, name, json.dumps(attributes), now, now))
        return queue

    def _find(self, where: str, args: tuple[Any, ...]) -> Queue | None:
        row = self.amazon.store.execute(f"SELECT {QUEUE_COLUMNS} FROM sqs_queues WHERE {where} "
                                        "ORDER BY created, arn LIMIT 1", args).fetchone()
        return None if row is None else self._queue(row)

    @staticmethod
    def _queue(row: tuple[Any, ...]) -> Queue:
        arn, region, account, name, attributes, created, modified = row
        return Queue(arn, region, account, name, json.loads(attributes), created, modified)

    def _checked_attributes(self, attributes: dict[str, str]) -> dict[str, str]:
        """Settable queue attributes, validated as SQS does; values stay strings, as SQS keeps them."""
        checked = {}
        for name, value in attributes.items():
            if name in NUMERIC_ATTRIBUTES:
                _, lowest, highest = NUMERIC_ATTRIBUTES[name]
                if not (value.isdigit() and lowest <= int(value) <= highest):
                    raise InvalidAttributeValue(f"Invalid value for the parameter {name}. Reason: Must be an integer "
                                                f"from {lowest} to {highest}.")
                checked[name] = str(int(value))
            elif name == "RedrivePolicy":
                checked[name] = self._checked_redrive_policy(value)
            elif name in KEPT_ATTRIBUTES:
                checked[name] = value
            else:
                raise InvalidAttributeName(name)
        return checked

    def _checked_redrive_policy(self, value: str) -> str:
        if value == "":
            return ""  # removes the policy
        try:
            policy = json.loads(value)
            target, count = policy["deadLetterTargetArn"], int(policy["maxReceiveCount"])
        except (ValueError, TypeError, KeyError):
            raise InvalidAttributeValue('Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is '
                                        'not a JSON object with "deadLetterTargetArn" and "maxReceiveCount".') from None
        if not 1 <= count <= 1000:
            raise InvalidAttributeValue("Invalid value for the parameter RedrivePolicy. Reason: maxReceiveCount must "
                                        "be from 1 to 1000.")
        if not isinstance(target, str) or self._find("arn=?", (target,)) is None:
            raise InvalidAttributeValue("Invalid value for the parameter RedrivePolicy. Reason: Dead letter target "
                                        "does not exist.")
        return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": count}, separators=(",", ":"))

    # messages
    def send_message(self, url: str, body: str, delay: int | None = None,
                     attributes: dict[str, dict[str, str]] | None = None, sender: str = DEFAULT_ACCOUNT) -> dict:
        queue = self.queue(url)
        if not body:
            raise MissingParameter("MessageBody")
        if not MESSAGE_CHARACTERS.fullmatch(body):
            raise InvalidMessageContents("Invalid binary character in the message body; SQS takes the characters "
                                         "of XML 1.0 only.")
        size = len(body.encode()) + sum(len(name) + len(json.dumps(value)) for name, value in
                                        (attributes or {}).items())
        if size > queue.number("MaximumMessageSize"):
            raise InvalidParameterValue(f"One or more parameters are invalid. Reason: Message must be shorter than "
                                        f"{queue.number('MaximumMessageSize')} bytes.")
        message_id = self.amazon.new_id(UUID)
        self._enqueue(queue, message_id, body, attributes or None, sender,
                      queue.number("DelaySeconds") if delay is None else delay, None)
        answer = {"MessageId": message_id, "MD5OfMessageBody": hashlib.md5(body.encode()).hexdigest()}
        if attributes:
            answer["MD5OfMessageAttributes"] = md5_of_attributes(attributes)
        return answer

    def deliver(self, arn: str, body: str, message_id: str, origin: Origin) -> None:
        """Amazon puts a notification into the queue an ARN names (made if it is missing)."""
        queue = self.ensure_queue(arn)
        self._enqueue(queue, message_id, body, None, SP_API_SENDER, queue.number("DelaySeconds"), origin)

    def _enqueue(self, queue: Queue, message_id: str, body: str, attributes: dict | None, sender: str, delay: int,
                 origin: Origin | None) -> None:
        now = self.now()
        self.amazon.store.execute(
            "INSERT INTO sqs_messages (queue, message_id, body, attributes, sender, sent, visible_at, seller_id, "
            "destination_id, notification_type, via, delivered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (queue.arn, message_id, body, None if attributes is None else json.dumps(attributes), sender, now,
             now + delay, *((origin.seller_id, origin.destination_id, origin.notification_type, origin.via,
                             origin.delivered) if origin else (None,) * 5)))
        self._signal()

    def receive_message(self, url: str, max_messages: int = 1, wait_seconds: int | None = None,
                        visibility: int | None = None, system_attributes: tuple[str, ...] = (),
                        message_attributes: tuple[str, ...] = ()) -> list[dict]:
        """ReceiveMessage, long polling included. Each look at the queue runs the mock's due timers and takes
        `amazon.lock`; while a look finds nothing, the call waits outside the lock until a delivery (or, every
        POLL_SLICE, a timer come due) may have put something there, and gives up after `wait_seconds` of wire
        time. It never waits longer than that in real time either, whatever the wire's clock says."""
        for name in system_attributes:
            if name != "All" and name not in MESSAGE_ATTRIBUTES + UNSET_MESSAGE_ATTRIBUTES:
                raise InvalidAttributeName(name)
        amazon, deadline, waited = self.amazon, None, 0.0
        while True:
            with amazon.lock:
                amazon.run_due()
                with amazon.store.transaction():
                    queue = self.queue(url)
                    wait = queue.number("ReceiveMessageWaitTimeSeconds") if wait_seconds is None else wait_seconds
                    now = self.now()
                    deadline = now + wait if deadline is None else deadline
                    taken = self._take(queue, max_messages,
                                       queue.number("VisibilityTimeout") if visibility is None else visibility,
                                       system_attributes, message_attributes)
                seen = self._changes
            if taken:
                return taken
            pause = min(POLL_SLICE, deadline - now, wait - waited)
            if pause <= 0:
                return []
            with self.changed:
                if self._changes == seen and not self.changed.wait(pause):
                    waited += pause

    def _take(self, queue: Queue, max_messages: int, visibility: int, system_attributes: tuple[str, ...],
              message_attributes: tuple[str, ...]) -> list[dict]:
        """Hand out up to `max_messages` visible messages, oldest first, making each invisible for `visibility`
        seconds; messages past the queue's retention are dropped and those received too often are redriven."""
        store, now = self.amazon.store, self.now()
        oldest = now - queue.number("MessageRetentionPeriod")
        redrive = queue.redrive()
        dead_letter = self._find("arn=?", (redrive[0],)) if redrive else None
        taken: list[dict] = []
        after = 0
        while len(taken) < max_messages:
            rows = store.execute(f"SELECT {MESSAGE_COLUMNS} FROM sqs_messages WHERE queue=? AND visible_at<=? AND "
                                 "sequence>? ORDER BY sequence LIMIT ?",
                                 (queue.arn, now, after, max_messages - len(taken))).fetchall()
            if not rows:
                break
            for message in (StoredMessage(*row) for row in rows):
                after = message.sequence
                if message.sent < oldest:
                    store.execute("DELETE FROM sqs_messages WHERE sequence=?", (message.sequence,))
                elif redrive and dead_letter and message.receive_count >= redrive[1]:
                    store.execute("UPDATE sqs_messages SET queue=?, dead_letter_source=?, visible_at=? "
                                  "WHERE sequence=?", (dead_letter.arn, queue.arn, now, message.sequence))
                    self._signal()
                else:
                    message.receive_count += 1
                    message.first_received = message.first_received or now
                    store.execute("UPDATE sqs_messages SET visible_at=?, receive_count=?, first_received=? "
                                  "WHERE sequence=?",
                                  (now + visibility, message.receive_count, message.first_received, message.sequence))
                    taken.append(self._message_json(queue, message, system_attributes, message_attributes))
        return taken

    @staticmethod
    def _message_json(queue: Queue, message: StoredMessage, system_attributes: tuple[str, ...],
                      message_attributes: tuple[str, ...]) -> dict:
        answer: dict[str, Any] = {"MessageId": message.message_id,
                                  "ReceiptHandle": receipt_handle(queue.arn, message.sequence, message.receive_count),
                                  "MD5OfBody": hashlib.md5(message.body.encode()).hexdigest(), "Body": message.body}
        system = {"SenderId": message.sender, "SentTimestamp": _milliseconds(message.sent),
                  "ApproximateReceiveCount": str(message.receive_count),
                  "ApproximateFirstReceiveTimestamp": _milliseconds(message.first_received or message.sent)}
        if message.dead_letter_source:
            system["DeadLetterQueueSourceArn"] = message.dead_letter_source
        chosen = {k: v for k, v in system.items() if "All" in system_attributes or k in system_attributes}
        if chosen:
            answer["Attributes"] = chosen
        stored = json.loads(message.attributes) if message.attributes else {}
        wanted = {name: value for name, value in stored.items()
                  if any(pattern in ("All", ".*") or pattern == name or pattern.endswith(".*")
                         and name.startswith(pattern[:-1]) for pattern in message_attributes)}
        if wanted:
            answer["MessageAttributes"] = wanted
            answer["MD5OfMessageAttributes"] = md5_of_attributes(wanted)
        return answer

    def delete_message(self, url: str, handle: str) -> None:
        """Deletes the message if `handle` is from its latest receive; a handle from an earlier one deletes
        nothing, and neither does one of a message already deleted (both succeed, as in SQS)."""
        queue = self.queue(url)
        sequence, receive_count = self._read_handle(queue, handle)
        self.amazon.store.execute("DELETE FROM sqs_messages WHERE sequence=? AND queue=? AND receive_count=?",
                                  (sequence, queue.arn, receive_count))

    def change_message_visibility(self, url: str, handle: str, timeout: int) -> None:
        queue = self.queue(url)
        sequence, receive_count = self._read_handle(queue, handle)
        row = self.amazon.store.execute("SELECT receive_count, visible_at FROM sqs_messages WHERE sequence=? AND "
                                        "queue=?", (sequence, queue.arn)).fetchone()
        if row is None or row[0] != receive_count:
            raise InvalidParameterValue(f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does "
                                        "not exist or is not available for visibility timeout change.")
        now = self.now()
        if row[1] <= now:
            raise MessageNotInflight()
        self.amazon.store.execute("UPDATE sqs_messages SET visible_at=? WHERE sequence=?", (now + timeout, sequence))
        self._signal()

    @staticmethod
    def _read_handle(queue: Queue, handle: str) -> tuple[int, int]:
        """(message sequence, receive count) of a receipt handle that this queue gave out."""
        try:
            sequence, receive_count, arn = base64.urlsafe_b64decode(handle.encode()).decode().split(":", 2)
            if arn == queue.arn:
                return int(sequence), int(receive_count)
        except (ValueError, binascii.Error, UnicodeError):
            pass
        raise ReceiptHandleIsInvalid(handle)

    # the testbed's read path
    def notifications(self, seller_id: str | None = None, destination_id: str | None = None, consume: bool = True,
                      limit: int = 100) -> list[dict]:
        """The notifications still in any queue (in flight or not), in delivery order; `consume` deletes them."""
        sql, args = ["SELECT sequence, message_id, body, destination_id, notification_type, via, delivered "
                     "FROM sqs_messages WHERE notification_type IS NOT NULL"], []
        if seller_id:
            sql.append("AND seller_id=?")
            args.append(seller_id)
        if destination_id:
            sql.append("AND destination_id=?")
            args.append(destination_id)
        rows = self.amazon.store.execute(" ".join(sql) + " ORDER BY sequence LIMIT ?", (*args, limit)).fetchall()
        if consume:
            with self.amazon.store.transaction():
                for row in rows:
                    self.amazon.store.execute("DELETE FROM sqs_messages WHERE sequence=?", (row[0],))
        found = []
        for _, message_id, body, destination, notification_type, via, delivered in rows:
            notification = json.loads(body)
            found.append({"message_id": message_id, "destination_id": destination, "type": notification_type,
                          "delivered": iso(delivered),
                          "body": notification["detail"] if via == "eventBridge" else notification})
        return found


def receipt_handle(arn: str, sequence: int, receive_count: int) -> str:
    """Names one receive of one message: a later receive of the same message gets another handle."""
    return base64.urlsafe_b64encode(f"{sequence}:{receive_count}:{arn}".encode()).decode()
