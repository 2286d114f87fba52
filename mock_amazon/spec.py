"""Amazon's published models, read from `../shared/sp-api-models/` (or the folder in $SP_API_MODELS).

This is the one place where requests are checked against the models: every operation's path, query, header and
body parameters are parsed and validated here, so blueprints stay thin. `answer_problem` checks an answer against
the same models (the pipeline does it for every answer when `MockAmazon.check_answers` is on, as in the tests).
"""
from __future__ import annotations

import functools
import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import fastjsonschema
import jsonschema
import orjson

from mock_amazon.errors import InvalidInput

if TYPE_CHECKING:
    from werkzeug.datastructures import Headers, MultiDict

MODELS_ENV = "SP_API_MODELS"
RATE_LIMITS_ENV = "SP_API_RATE_LIMITS"  # a rate-limits.json elsewhere than beside the models


def models_dir() -> Path:
    configured = os.environ.get(MODELS_ENV)
    folder = Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "sp-api-models"
    if not (folder / "rate-limits.json").is_file():
        raise FileNotFoundError(f"Amazon's models are not at {folder}; put the shared folder beside the project "
                                f"or set {MODELS_ENV} to the folder that holds them")
    return folder


@functools.cache
def load_model(file_name: str) -> dict:
    return json.loads((models_dir() / file_name).read_text())


@functools.cache
def rate_limits() -> dict[str, dict[str, dict]]:
    """model file stem -> operationId -> {rate, burst, ...} (Amazon's default usage plans)."""
    path = os.environ.get(RATE_LIMITS_ENV) or models_dir() / "rate-limits.json"
    data = json.loads(Path(path).read_text())["models"]
    return {name.removesuffix(".json"): operations for name, operations in data.items()}


@dataclass(frozen=True)
class Operation:
    model: str          # model file stem, e.g. "ordersV0"
    operation_id: str
    method: str
    path: str           # as in the model, e.g. /orders/v0/orders/{orderId}
    parameters: tuple = field(repr=False)

    @property
    def key(self) -> str:
        return f"{self.model}.{self.operation_id}"

    @functools.cached_property
    def takes_body(self) -> bool:
        return any(parameter["in"] in ("body", "formData") for parameter in self.parameters)

    @functools.cached_property
    def header_names(self) -> tuple[str, ...]:
        return tuple(parameter["name"] for parameter in self.parameters if parameter["in"] == "header")

    @property
    def flask_rule(self) -> str:
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)

    @property
    def spec(self) -> dict:
        return load_model(self.model + ".json")

    def response_schema(self, status: int) -> dict | None:
        responses = self.spec["paths"][self.path][self.method.lower()]["responses"]
        entry = responses.get(str(status)) or responses.get("default")
        if entry is None:
            raise KeyError(f"{self.key} declares no response {status}")
        return entry.get("schema")


@functools.cache
def operation(model: str, operation_id: str) -> Operation:
    spec = load_model(model + ".json")
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, definition in item.items():
            if isinstance(definition, dict) and definition.get("operationId") == operation_id:
                parameters = [_resolve(spec, p) for p in shared + definition.get("parameters", [])]
                base = spec.get("basePath", "").rstrip("/")
                return Operation(model, operation_id, method.upper(), base + path, tuple(parameters))
    raise KeyError(f"{model}.json has no operation {operation_id}")


def _resolve(spec: dict, node: dict) -> dict:
    if "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return target
    return node


# Limits on what a request may carry, beyond what the models declare. Amazon publishes none of these; they keep
# every value the mock accepts storable (SQLite integers are 64-bit) and answerable (JSON has no NaN), and they are
# documented in docs/constraints.md.
MAX_JSON_DEPTH = 64                      # arrays and objects nested in a request body
INT32 = (-2 ** 31, 2 ** 31 - 1)          # `format: int32`
INT64 = (-2 ** 63, 2 ** 63 - 1)          # `format: int64`, and every integer the model gives no format
DRAFT_4 = "http://json-schema.org/draft-04/schema#"  # Swagger 2.0's schemas are JSON Schema draft 4: 1.0 is no integer


def with_implied_bounds(node: Any) -> Any:
    """A copy of a model's schema where every integer carries the range its format implies (int32, else int64),
    so validation refuses what the models' `format` promises and SQLite or JSON could not hold."""
    if isinstance(node, list):
        return [with_implied_bounds(item) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: with_implied_bounds(value) for key, value in node.items()}
    if copy.get("type") == "integer":
        low, high = INT32 if copy.get("format") == "int32" else INT64
        copy["minimum"] = max(copy.get("minimum", low), low)
        copy["maximum"] = min(copy.get("maximum", high), high)
    return copy


@functools.cache
def _definitions(model: str) -> dict:
    definitions: dict = with_implied_bounds(load_model(model + ".json").get("definitions", {}))
    return definitions


def schema_for(model: str, schema: dict) -> dict:
    """A self-contained JSON Schema (draft 4) for `schema` of `model`: its `#/definitions/...` refs resolve, and
    integers carry their implied bounds. Only the definitions it reaches come along: a validator compiled for a
    query parameter need not compile the whole model."""
    definitions = _definitions(model)
    reached: dict = {}
    waiting: list[Any] = [schema]
    while waiting:
        node = waiting.pop()
        if isinstance(node, list):
            waiting.extend(node)
        elif isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/definitions/"):
                name = reference.removeprefix("#/definitions/")
                if name not in reached and name in definitions:
                    reached[name] = definitions[name]
                    waiting.append(definitions[name])
            waiting.extend(value for key, value in node.items() if key != "$ref")
    return {**with_implied_bounds(schema), "$schema": DRAFT_4, "definitions": reached}


def is_date_time(value: object) -> bool:
    """`format: date-time` as Amazon reads it: ISO 8601, with or without a zone (without one it is UTC)."""
    if not isinstance(value, str):
        return True  # formats constrain strings only
    try:
        parse_time("date-time", value)
    except InvalidInput:
        return False
    return True


FORMAT_CHECKER = jsonschema.FormatChecker()
FORMAT_CHECKER.checks("date-time")(is_date_time)
FAST_FORMATS: dict[str, Callable[[Any], bool]] = {"date-time": is_date_time}


@functools.cache
def _validator(model: str, schema_json: str) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(schema_for(model, json.loads(schema_json)), format_checker=FORMAT_CHECKER)


def validator(model: str, schema: dict) -> jsonschema.Draft4Validator:
    return _validator(model, json.dumps(schema, sort_keys=True))


@functools.cache
def _fast_validator(model: str, schema_json: str) -> Callable[[Any], Any] | None:
    try:
        return fastjsonschema.compile(schema_for(model, json.loads(schema_json)), formats=FAST_FORMATS)
    except Exception:  # a schema it cannot compile is left to jsonschema alone
        return None


# Compiled checks by the schema object they were made for (the models' schemas live as long as the process):
# finding one costs a dictionary lookup, not a canonical JSON dump of the schema on every request.
_CHECKS_BY_SCHEMA: dict[tuple[str, int], tuple[dict, Callable[[Any], Any] | None]] = {}
_CHECKS_KEPT = 4096  # a caller passing a new schema object each time cannot grow the table without bound


def _fast_check(model: str, schema: dict, document: Any) -> bool:
    """A compiled pre-check (many times faster); jsonschema decides, and words the error, when it fails."""
    kept = _CHECKS_BY_SCHEMA.get((model, id(schema)))
    if kept is None or kept[0] is not schema:  # the schema kept alive beside its check, so its id stays its own
        if len(_CHECKS_BY_SCHEMA) >= _CHECKS_KEPT:
            _CHECKS_BY_SCHEMA.clear()
        kept = _CHECKS_BY_SCHEMA[(model, id(schema))] = (schema, _fast_validator(model, json.dumps(schema,
                                                                                                    sort_keys=True)))
    check = kept[1]
    if check is None:
        return False
    try:
        check(document)
        return True
    except fastjsonschema.JsonSchemaException:
        return False


def first_error(model: str, schema: dict, document: Any) -> tuple[str, str] | None:
    """The first way `document` breaks `schema` (fastest when it breaks none): (where, message), or None."""
    if _fast_check(model, schema, document):
        return None
    errors = sorted(validator(model, schema).iter_errors(document), key=lambda e: [str(p) for p in e.path])
    if not errors:
        return None
    first = errors[0]
    path = list(first.absolute_path)
    if first.validator == "required" and isinstance(first.instance, dict):
        path.append(next(p for p in first.validator_value if p not in first.instance))
    return json_path(path), first.message


# Answers -------------------------------------------------------------------------------------------------------

def answer_problem(op: Operation, status: int, body: Any) -> str | None:
    """How an answer breaks what `op`'s model declares for its status (its body's schema), or None."""
    try:
        schema = op.response_schema(status)
    except KeyError:
        return f"{op.key} declares no response {status}"
    if schema is None:
        return None if body in (None, b"", "") else f"{op.key} {status} declares no body"
    problem = first_error(op.model, schema, body)
    return None if problem is None else f"{op.key} {status} at '{problem[0]}': {problem[1]}"


@functools.cache
def answers_may_hold_key(operation_id: str, names: frozenset[str]) -> bool:
    """Whether an answer of the operation so named, in any of Amazon's models, may hold a key in `names`: one of its
    responses declares a property so named, or an object open to keys its model does not name (additionalProperties,
    or an object or value of no declared shape). True for a name no model has (Login with Amazon, documents)."""
    found = False
    for model in _swagger_models():
        spec = load_model(model)
        for item in spec["paths"].values():
            for definition in item.values():
                if isinstance(definition, dict) and definition.get("operationId") == operation_id:
                    found = True
                    for response in definition.get("responses", {}).values():
                        if _may_hold_key(spec, _resolve(spec, response).get("schema"), names, set()):
                            return True
    return not found


@functools.cache
def _swagger_models() -> tuple[str, ...]:
    return tuple(path.name for path in sorted(models_dir().glob("*.json")) if "swagger" in load_model(path.name))


def _may_hold_key(spec: dict, schema: Any, names: frozenset[str], seen: set[str]) -> bool:
    if schema is None:
        return False
    reference = schema.get("$ref")
    if reference is not None:
        if reference in seen:
            return False
        seen.add(reference)
        return _may_hold_key(spec, _resolve(spec, schema), names, seen)
    kind = schema.get("type")
    if kind == "array":
        return _may_hold_key(spec, schema.get("items"), names, seen)
    if kind in ("string", "number", "integer", "boolean"):
        return False
    parts = [part for key in ("allOf", "anyOf", "oneOf") for part in schema.get(key, [])]
    properties = schema.get("properties")
    if properties is None and not parts or schema.get("additionalProperties") not in (None, False):
        return True  # an object (or a value) of no declared shape, or open to more keys
    return any(name in names for name in properties or {}) or any(
        _may_hold_key(spec, part, names, seen) for part in [*(properties or {}).values(), *parts])


# Requests ------------------------------------------------------------------------------------------------------

PARSED_KEPT = 4096  # requests without a body whose parameters are kept parsed (the oldest is dropped first)
_parsed: dict[tuple, dict[str, Any]] = {}


def parse_request(op: Operation, path_args: dict, query: MultiDict[str, str], headers: Mapping[str, str] | Headers,
                  body: bytes | None) -> dict[str, Any]:
    """Parameters of `op`, typed as the model declares them; InvalidInput names the first bad one.

    Query parameters the model does not declare are ignored, as Amazon does (real clients add some). An operation
    that takes no body is parsed once per distinct path, query and header parameters, and the parse is kept (in a
    bounded table): a client asking the same again costs a lookup. Each caller gets its own dict and lists.
    """
    if op.takes_body:
        return _parse_request(op, path_args, query, headers, body)
    key = (op.model, op.operation_id, tuple(path_args.items()), tuple(query.items(multi=True)),
           tuple(headers.get(name) for name in op.header_names))
    parsed = _parsed.get(key)
    if parsed is None:
        parsed = _parse_request(op, path_args, query, headers, body)
        if len(_parsed) >= PARSED_KEPT:
            del _parsed[next(iter(_parsed))]
        _parsed[key] = parsed
    return {name: list(value) if isinstance(value, list) else value for name, value in parsed.items()}


def _parse_request(op: Operation, path_args: dict, query: MultiDict[str, str],
                   headers: Mapping[str, str] | Headers, body: bytes | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for parameter in op.parameters:
        name, where = parameter["name"], parameter["in"]
        if where == "body":
            values[name] = _parse_body(op, parameter, body)
            continue
        raw: list[Any]
        if where == "path":
            raw = [path_args.get(name)]
        elif where == "header":
            raw = [headers.get(name)] if headers.get(name) is not None else []
        else:
            raw = query.getlist(name)
        given = [r for r in raw if r not in (None, "")]
        if not given:
            if parameter.get("required"):
                raise InvalidInput(f"Missing required parameter '{name}'.", name)
            if raw:  # sent empty: still checked (an empty enum value is no value of the enum), then left out
                _coerce(op.model, parameter, [r for r in raw if r is not None])
            continue
        values[name] = _coerce(op.model, parameter, given)
    return values


def read_json(body: bytes, name: str) -> Any:
    """A request body as JSON within the mock's limits: UTF-8 text, no NaN or Infinity, nesting at most
    MAX_JSON_DEPTH deep, integers within 64 bits, finite numbers and strings that are Unicode (no lone
    surrogates). Anything else is InvalidInput naming `name`, never an error of the mock's own."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"The request body is not UTF-8 text: {exc.reason} at byte {exc.start}.", name) from None
    document = _read_quickly(body, text)
    if document is _NOT_READ:
        document = _read_carefully(text, name)
    if "\\u" in text or not _plainly_within_limits(document, 1):
        _check_within_limits(document, name)  # finds what breaks a limit, and where, for the error
    return document


_NOT_READ = object()
# orjson reads an integer beyond 64 bits as a float where json keeps it whole (for the limit's error to name it):
# a text with a run of 19 digits or more, anywhere, is left to json
_LONG_DIGITS = re.compile(r"[0-9]{19}")


def _read_quickly(body: bytes, text: str) -> Any:
    """The document as orjson reads it (several times faster than json, and it shares dictionary keys between
    documents, which a month of stored requests holds by the hundred thousand), where that is what json reads;
    _NOT_READ where orjson refuses the text or might read it otherwise: json then reads it, or words the error."""
    if _LONG_DIGITS.search(text) is not None:
        return _NOT_READ
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return _NOT_READ


def _read_carefully(text: str, name: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The request body is not valid JSON: {exc.msg} at position {exc.pos}.", name) from None
    except RecursionError:  # far deeper than MAX_JSON_DEPTH: the parser gave up before the limits are checked
        raise InvalidInput(f"The request body nests deeper than {MAX_JSON_DEPTH} levels.", name) from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise InvalidInput(f"The request body is not valid JSON: {exc}.", name) from None


def _no_constant(constant: str) -> Any:
    raise InvalidInput(f"The request body is not valid JSON: {constant} is not a JSON number.", "body")


_SURROGATE = re.compile(r"[\ud800-\udfff]")


_PLAIN = (str, bool, type(None))  # nothing to check in these once no \u escape could have made a lone surrogate


def _plainly_within_limits(node: Any, depth: int) -> bool:
    """The common case, quickly: True when nothing in `node` breaks a limit. A document whose text has no \\u
    escape holds no lone surrogate (UTF-8 cannot carry one), so only nesting and numbers are looked at."""
    kind = type(node)
    if kind is dict or kind is list:
        if depth > MAX_JSON_DEPTH:
            return False
        for value in node.values() if kind is dict else node:
            if type(value) not in _PLAIN and not _plainly_within_limits(value, depth + 1):
                return False
        return True
    if kind is int:
        return INT64[0] <= node <= INT64[1]
    return kind is not float or math.isfinite(node)


def _check_within_limits(document: Any, name: str) -> None:
    stack: list[tuple[Any, int, list]] = [(document, 1, [])]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise InvalidInput(f"The request body nests deeper than {MAX_JSON_DEPTH} levels.", name)
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, value in items:
                if isinstance(key, str) and _SURROGATE.search(key):
                    raise InvalidInput("The request body holds a key that is not Unicode text (a lone surrogate).",
                                       json_path(path) or name)
                stack.append((value, depth + 1, path + [key]))
        elif isinstance(node, bool):
            continue
        elif isinstance(node, int) and not INT64[0] <= node <= INT64[1]:
            raise InvalidInput(f"Invalid value in request body at '{json_path(path) or name}': {node} does not fit "
                               "in 64 bits.", json_path(path) or name)
        elif isinstance(node, float) and not math.isfinite(node):
            raise InvalidInput(f"Invalid value in request body at '{json_path(path) or name}': the number is too "
                               "large.", json_path(path) or name)
        elif isinstance(node, str) and _SURROGATE.search(node):
            raise InvalidInput(f"Invalid value in request body at '{json_path(path) or name}': not Unicode text "
                               "(a lone surrogate).", json_path(path) or name)


def _parse_body(op: Operation, parameter: dict, body: bytes | None) -> Any:
    name = parameter["name"]
    if not body:
        if parameter.get("required"):
            raise InvalidInput("The request body is missing.", name)
        return None
    document = read_json(body, name)
    if document in (None, {}) and not parameter.get("required"):
        return None  # an optional body sent empty, as SDKs do, is no body
    problem = first_error(op.model, parameter["schema"], document)
    if problem is not None:
        where = problem[0] or name
        raise InvalidInput(f"Invalid value in request body at '{where}': {problem[1]}", where)
    return document


def json_path(parts: list) -> str:
    """['packages', 0, 'weight'] -> 'packages[0].weight'."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# The keywords of a Swagger 2.0 query, path or header parameter that are JSON Schema.
PARAMETER_KEYWORDS = ("type", "format", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                      "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf")
INTEGER_TEXT = re.compile(r"-?[0-9]+")
NUMBER_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
TIME_SUFFIXES = ("After", "Before", "DateTime", "Since", "Until")  # v0 declares these without `format`


def parameter_schema(parameter: dict) -> dict:
    """The JSON Schema a query, path or header parameter's value must meet (its items' too, for an array); one
    object per parameter, so its compiled check is found by identity."""
    kept = _PARAMETER_SCHEMAS.get(id(parameter))
    if kept is None or kept[0] is not parameter:
        kept = _PARAMETER_SCHEMAS[id(parameter)] = (parameter, _parameter_schema(parameter))
    return kept[1]


_PARAMETER_SCHEMAS: dict[int, tuple[dict, dict]] = {}


def _parameter_schema(parameter: dict) -> dict:
    schema = {key: parameter[key] for key in PARAMETER_KEYWORDS if key in parameter}
    if "items" in parameter:
        schema["items"] = {key: parameter["items"][key] for key in PARAMETER_KEYWORDS if key in parameter["items"]}
    return schema


def _coerce(model: str, parameter: dict, raw: list[str]) -> Any:
    """A parameter's text, typed (integers, numbers, booleans, date-times) and checked against its schema."""
    name = parameter["name"]
    if parameter.get("type") == "array":
        # Comma-separated (`collectionFormat: csv`) or repeated; an empty piece is an item too (and counts)
        items = [piece.strip() for value in raw for piece in value.split(",")]
        value: Any = [_typed(name, parameter.get("items", {}), item) for item in items]
    else:
        value = _typed(name, parameter, raw[-1])
    problem = first_error(model, parameter_schema(parameter), value)
    if problem is not None:
        where, message = problem
        raise InvalidInput(f"Invalid value for '{name}'{' at ' + where if where else ''}: {message}", name)
    items_declared = parameter.get("items", parameter)
    if items_declared.get("format") == "date-time" or name.endswith(TIME_SUFFIXES):
        return [parse_time(name, v) for v in value] if isinstance(value, list) else parse_time(name, value)
    return value


def _typed(name: str, declared: dict, text: str) -> Any:
    """The text of one value as the type its schema declares; the schema's own checks come after."""
    if _SURROGATE.search(text):
        raise InvalidInput(f"'{name}' is not Unicode text.", name)
    kind = declared.get("type", "string")
    if kind == "integer":
        if not INTEGER_TEXT.fullmatch(text) or len(text) > 40:
            raise InvalidInput(f"'{name}' must be an integer, not {text[:40]!r}.", name)
        return int(text)
    if kind == "number":
        if not NUMBER_TEXT.fullmatch(text) or len(text) > 40 or not math.isfinite(float(text)):
            raise InvalidInput(f"'{name}' must be a number, not {text[:40]!r}.", name)
        return float(text)
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise InvalidInput(f"'{name}' must be true or false, not {text[:40]!r}.", name)
        return text.lower() == "true"
    return text


def parse_time(name: str, value: str) -> datetime:
    """An ISO 8601 date-time as Amazon accepts it; a value without a zone is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise InvalidInput(f"'{name}' is not an ISO 8601 date-time: {value[:40]!r}.", name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        moment.timestamp()
    except (OverflowError, ValueError):  # a year the clock cannot reach, such as 0001 less an offset
        raise InvalidInput(f"'{name}' is out of range: {value[:40]!r}.", name) from None
    return moment
