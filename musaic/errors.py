"""The MusaicError family: every failure a client can see, with its HTTP status and code."""

from __future__ import annotations

from typing import Any


class MusaicError(Exception):
    """Base of every error Musaic turns into a JSON error envelope."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.headers = headers or {}
        if code is not None:
            self.code = code


class ValidationError(MusaicError):
    """The request is malformed or a field is out of range (400)."""

    status_code = 400
    code = "validation_error"


class UnprocessableError(MusaicError):
    """The request is well formed but cannot be acted on (422)."""

    status_code = 422
    code = "unprocessable"


class UnauthorisedError(MusaicError):
    """The listener must log in (again) first (401)."""

    status_code = 401
    code = "unauthorised"


class NotFoundError(MusaicError):
    """The resource does not exist or is not visible to this listener (404)."""

    status_code = 404
    code = "not_found"


class ConflictError(MusaicError):
    """The request conflicts with the current state (409)."""

    status_code = 409
    code = "conflict"


class UpstreamError(MusaicError):
    """A service Musaic depends on failed or is unavailable (502/503)."""

    status_code = 502
    code = "upstream_error"


class ServiceUnavailableError(MusaicError):
    """A dependency of Musaic (database, Redis) is down (503)."""

    status_code = 503
    code = "service_unavailable"


class DatabaseUnavailableError(ServiceUnavailableError):
    """The database is unreachable or locked by another writer (503, retry shortly)."""

    code = "database_unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "The database is unavailable; try again shortly.",
            details={"dependency": "database", "reason": reason},
            headers={"Retry-After": "5"},
        )


def field_error(field: str, reason: str) -> ValidationError:
    """Build a validation error naming the offending field."""
    return ValidationError(f"{field}: {reason}", details={"field": field, "reason": reason})
