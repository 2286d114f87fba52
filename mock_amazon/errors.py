"""Typed errors that map to Amazon's error bodies: `{"errors": [{"code", "message", "details"}]}`.

A backend raises the error that says what went wrong; the HTTP layer shapes it. External Fulfillment uses its
own codes for the same kinds of error (CLIENTS.md), so each error has a `kind` and each API a dialect.
"""
from __future__ import annotations


class ApiError(Exception):
    http_status = 500
    kind = "internal"
    code = "InternalFailure"
    keeps_changes = False  # True: the operation's changes stand although it answers this error (see pipeline.perform)

    def __init__(self, message: str, details: str = "", code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message, self.details = message, details
        if code:
            self.code = code
        if status:
            self.http_status = status

    def body(self, dialect: str = "sp-api") -> dict:
        code = DIALECTS.get(dialect, {}).get(self.kind, self.code) if dialect != "sp-api" else self.code
        return {"errors": [{"code": code, "message": self.message, "details": self.details}]}


class InvalidInput(ApiError):
    http_status, kind, code = 400, "invalid", "InvalidInput"

    def __init__(self, message: str, parameter: str = ""):
        super().__init__(message, details=parameter)
        self.parameter = parameter


class Unauthorized(ApiError):
    http_status, kind, code = 403, "unauthorized", "Unauthorized"

    def __init__(self, message: str = "Access to requested resource is denied.",
                 details: str = "The access token you provided is revoked, malformed or invalid."):
        super().__init__(message, details)


class NotFound(ApiError):
    http_status, kind, code = 404, "not_found", "NotFound"


class Conflict(ApiError):
    http_status, kind, code = 409, "conflict", "Conflict"


class Unprocessable(ApiError):
    http_status, kind, code = 422, "unprocessable", "UnprocessableEntity"


class QuotaExceeded(ApiError):
    http_status, kind, code = 429, "throttled", "QuotaExceeded"

    def __init__(self) -> None:
        super().__init__("You exceeded your quota for the requested resource.")


class ServiceUnavailable(ApiError):
    http_status, kind, code = 503, "unavailable", "ServiceUnavailable"


class RequestTimeout(ApiError):
    http_status, kind, code = 504, "timeout", "RequestTimeout"


# External Fulfillment's codes for the same kinds (CLIENTS.md).
DIALECTS = {
    "external-fulfillment": {
        "internal": "SC_00000", "unavailable": "SC_00001", "invalid": "SC_00002", "not_found": "SC_00003",
        "throttled": "SC_00007", "unauthorized": "SC_00004", "conflict": "SC_00005", "unprocessable": "SC_00006",
        "timeout": "SC_00001",
    },
}
