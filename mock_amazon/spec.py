"""Amazon's published models, read from `../shared/sp-api-models/` (or the folder in $SP_API_MODELS).

This is the one place where requests are checked against the models: every operation's path, query, header and
body parameters are parsed and validated here, so blueprints stay thin. Tests use `response_validator` to check
every response the mock gives against the same models.
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import fastjsonschema
import jsonschema

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


def schema_for(model: str, schema: dict) -> dict:
    """A self-contained JSON Schema for `schema` of `model`: its `#/definitions/...` refs resolve."""
    return {**schema, "definitions": load_model(model + ".json").get("definitions", {})}


@functools.cache
def _validator(model: str, schema_json: str) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(schema_for(model, json.loads(schema_json)),
                                      format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def validator(model: str, schema: dict) -> jsonschema.Draft4Validator:
    return _validator(model, json.dumps(schema, sort_keys=True))


@functools.cache
def _fast_validator(model: str, schema_json: str) -> Callable[[Any], Any] | None:
    try:
        return fastjsonschema.compile(schema_for(model, json.loads(schema_json)))
    except Exception:  # a schema it cannot compile is left to jsonschema alone
        return None


def _fast_check(model: str, schema: dict, document: Any) -> bool:
    """A compiled pre-check (many times faster); jsonschema decides, and words the error, when it fails."""
    check = _fast_validator(model, json.dumps(schema, sort_keys=True))
    if check is None:
        return False
    try:
        check(document)
        return True
    except fastjsonschema.JsonSchemaException:
        return False


# Requests ------------------------------------------------------------------------------------------------------

def parse_request(op: Operation, path_args: dict, query: MultiDict[str, str], headers: Mapping[str, str] | Headers,
                  body: bytes | None) -> dict[str, Any]:
    """Parameters of `op`, typed as the model declares them; InvalidInput names the first bad one.

    Query parameters the model does not declare are ignored, as Amazon does (real clients add some).
    """
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
        raw = [r for r in raw if r not in (None, "")]
        if not raw:
            if parameter.get("required"):
                raise InvalidInput(f"Missing required parameter '{name}'.", name)
            continue
        values[name] = _coerce(parameter, raw)
    return values


def _parse_body(op: Operation, parameter: dict, body: bytes | None) -> Any:
    name = parameter["name"]
    if not body:
        if parameter.get("required"):
            raise InvalidInput("The request body is missing.", name)
        return None
    try:
        document = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The request body is not valid JSON: {exc.msg} at position {exc.pos}.", name) from None
    except UnicodeDecodeError as exc:  # bytes that are no Unicode text at all (json.loads decodes them first)
        raise InvalidInput(f"The request body is not valid JSON: {exc.reason} at position {exc.start}.",
                           name) from None
    if document in (None, {}) and not parameter.get("required"):
        return None  # an optional body sent empty, as SDKs do, is no body
    if _fast_check(op.model, parameter["schema"], document):
        return document
    errors = sorted(validator(op.model, parameter["schema"]).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        path = list(first.absolute_path)
        if first.validator == "required" and isinstance(first.instance, dict):
            path.append(next(p for p in first.validator_value if p not in first.instance))
        where = json_path(path) or name
        raise InvalidInput(f"Invalid value in request body at '{where}': {first.message}", where)
    return document


def json_path(parts: list) -> str:
    """['packages', 0, 'weight'] -> 'packages[0].weight'."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _coerce(parameter: dict, raw: list[str]) -> Any:
    name = parameter["name"]
    if parameter.get("type") == "array":
        items = [piece.strip() for value in raw for piece in value.split(",") if piece.strip()]
        limit = parameter.get("maxItems")
        if limit is not None and len(items) > limit:
            raise InvalidInput(f"'{name}' accepts at most {limit} values; {len(items)} were given.", name)
        if parameter.get("minItems") and len(items) < parameter["minItems"]:
            raise InvalidInput(f"'{name}' needs at least {parameter['minItems']} values.", name)
        return [_scalar(name, parameter.get("items", {}), item) for item in items]
    return _scalar(name, parameter, raw[-1])


def _scalar(name: str, declared: dict, value: str) -> Any:
    kind = declared.get("type", "string")
    if kind == "integer":
        try:
            number = int(value)
        except ValueError:
            raise InvalidInput(f"'{name}' must be an integer, not {value!r}.", name) from None
        if ("minimum" in declared and number < declared["minimum"]
                or "maximum" in declared and number > declared["maximum"]):
            raise InvalidInput(f"'{name}' must be between {declared.get('minimum')} and "
                               f"{declared.get('maximum')}, not {number}.", name)
        return number
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise InvalidInput(f"'{name}' must be true or false, not {value!r}.", name)
        return value.lower() == "true"
    if "enum" in declared and value not in declared["enum"]:
        raise InvalidInput(f"'{name}' has an unknown value {value!r}; expected one of "
                           f"{', '.join(declared['enum'])}.", name)
    if "maxLength" in declared and len(value) > declared["maxLength"]:
        raise InvalidInput(f"'{name}' is longer than {declared['maxLength']} characters.", name)
    if declared.get("format") == "date-time" or name.endswith(("After", "Before", "DateTime", "Since", "Until")):
        return parse_time(name, value)
    return value


def parse_time(name: str, value: str) -> datetime:
    """An ISO 8601 date-time as Amazon accepts it; a value without a zone is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise InvalidInput(f"'{name}' is not an ISO 8601 date-time: {value!r}.", name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment
