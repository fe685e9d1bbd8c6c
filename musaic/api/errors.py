"""One JSON error envelope for every failure: Musaic errors, HTTP errors, and crashes."""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask, Response, g, has_request_context, jsonify, request, session
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from musaic.errors import DatabaseUnavailableError, MusaicError
from musaic.extensions import db
from musaic.observability import current_request_id, logger

MAX_MESSAGE = 500  # characters of a message; input is never echoed beyond this
MAX_FIELD = 100  # characters of a field path (a 1 MB key must not come back)
MAX_REASON = 200
MAX_ERRORS = 10  # field errors listed; details.error_count says how many there were
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeoutError)


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
            "message": clip(message, MAX_MESSAGE),
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
    headers: dict[str, str] = {}
    allowed = getattr(exc, "valid_methods", None)
    if exc.code == 405 and allowed:
        details["allowed_methods"] = sorted(allowed)
        headers["Allow"] = ", ".join(sorted(allowed))
    return error_response(exc.code or 500, _http_code(exc), exc.description or "", details, headers)


def handle_database_down(exc: BaseException) -> Response:
    """Answer 503 database_unavailable when the database is unreachable, locked or exhausted."""
    db.session.rollback()  # nothing of this request is committed
    logger.warning(
        "database unavailable",
        extra={"request_id": current_request_id(), "reason": type(exc).__name__},
    )
    return handle_musaic_error(DatabaseUnavailableError(type(exc).__name__))


def handle_unexpected_error(exc: BaseException) -> Response:
    """Log a crash with its traceback and answer 500 without leaking it."""
    if isinstance(exc, DATABASE_DOWN):
        return handle_database_down(exc)
    logger.error(
        "unhandled exception",
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"request_id": current_request_id(), "path": request.path},
    )
    return error_response(500, "internal_error", "Something went wrong on our side.")


def validation_error_response(exc: PydanticValidationError) -> Response:
    """Render a request that failed schema validation as a 400 naming each field."""
    if g.get("json_error"):
        return error_response(
            400, "malformed_json", f"The request body is refused: {g.json_error}."
        )
    if request.content_length and request.is_json and request.get_json(silent=True) is None:
        return error_response(400, "malformed_json", "The request body is not valid JSON.")
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    fields = [
        {
            "field": clip(".".join(str(part) for part in err["loc"]) or "body", MAX_FIELD),
            "reason": clip(err["msg"], MAX_REASON),
        }
        for err in errors[:MAX_ERRORS]
    ]
    first = fields[0] if fields else {"field": "body", "reason": "invalid"}
    return error_response(
        400,
        "validation_error",
        f"{first['field']}: {first['reason']}",
        {
            "field": first["field"],
            "reason": first["reason"],
            "errors": fields,
            "error_count": len(errors),
        },
    )


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Declare the envelope on every operation's 400 (not a list), 503 and 413 (bodies)."""
    envelope = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
    document = copy.deepcopy(document)
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses["400"] = {"description": "Bad Request", "content": envelope}
            if path != "/api/health":
                responses.setdefault("503", {"description": "A dependency is down"})
                responses["503"]["content"] = envelope
            if "requestBody" in operation:
                responses["413"] = {"description": "Body over the size limit", "content": envelope}
    return document


def init_app(app: Flask) -> None:
    """Register the handlers that turn every error into the envelope."""
    app.register_error_handler(MusaicError, handle_musaic_error)
    app.register_error_handler(HTTPException, handle_http_error)
    for error in DATABASE_DOWN:
        app.register_error_handler(error, handle_database_down)
    app.register_error_handler(Exception, handle_unexpected_error)
