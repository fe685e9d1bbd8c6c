"""One JSON error envelope for every failure: Musaic errors, HTTP errors, and crashes."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, has_request_context, jsonify, request, session
from pydantic import ValidationError as PydanticValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from musaic.errors import MusaicError
from musaic.observability import current_request_id, logger


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Shape the one error envelope every failing request gets."""
    body = {
        "error": {
            "code": code,
            "message": message,
            "details": details or {},
            "request_id": current_request_id(),
        }
    }
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_code(exc: HTTPException) -> str:
    name = (exc.name or "error").lower()
    return "".join(ch if ch.isalnum() else "_" for ch in name).strip("_")


def handle_musaic_error(exc: MusaicError) -> Response:
    """Render a MusaicError with its own status and code."""
    if exc.code == "spotify_reauth_required" and has_request_context():
        session.pop("user_id", None)  # Spotify revoked or expired the grant: log out
    return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)


def handle_http_error(exc: HTTPException) -> Response:
    """Render Werkzeug's 404/405/413/... as the envelope instead of HTML."""
    original = getattr(exc, "original_exception", None)
    if isinstance(original, MusaicError):
        return handle_musaic_error(original)
    if isinstance(exc, InternalServerError):
        return handle_unexpected_error(original or exc)
    details: dict[str, Any] = {}
    allowed = getattr(exc, "valid_methods", None)
    if exc.code == 405 and allowed:
        details["allowed_methods"] = sorted(allowed)
    return error_response(exc.code or 500, _http_code(exc), exc.description or "", details)


def handle_unexpected_error(exc: BaseException) -> Response:
    """Log a crash with its traceback and answer 500 without leaking it."""
    logger.error(
        "unhandled exception",
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"request_id": current_request_id(), "path": request.path},
    )
    return error_response(500, "internal_error", "Something went wrong on our side.")


def validation_error_response(exc: PydanticValidationError) -> Response:
    """Render a request that failed schema validation as a 400 naming each field."""
    if request.content_length and request.is_json and request.get_json(silent=True) is None:
        return error_response(400, "malformed_json", "The request body is not valid JSON.")
    fields = [
        {
            "field": ".".join(str(part) for part in err["loc"]) or "body",
            "reason": err["msg"],
        }
        for err in exc.errors(include_url=False)
    ]
    first = fields[0] if fields else {"field": "body", "reason": "invalid"}
    return error_response(
        400,
        "validation_error",
        f"{first['field']}: {first['reason']}",
        {"field": first["field"], "reason": first["reason"], "errors": fields},
    )


def init_app(app: Flask) -> None:
    """Register the handlers that turn every error into the envelope."""
    app.register_error_handler(MusaicError, handle_musaic_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
