"""JSON log lines, request ids, and one access-log line per request."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request, session

from musaic import metrics

REQUEST_ID_HEADER = "X-Request-ID"
_QUERY_IN_REQUEST_LINE = re.compile(r"\?[^ ]*")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({})))

logger = logging.getLogger("musaic")


class JsonFormatter(logging.Formatter):
    """Format each record as one JSON object, with any `extra=` fields included."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a single JSON line."""
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(
            {
                k: v
                for k, v in vars(record).items()
                if k not in _RECORD_ATTRIBUTES and k != "message"
            }
        )
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Write to whatever sys.stderr is now (test runners and daemons swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Emit the record on the current stderr."""
        self.stream = sys.stderr
        super().emit(record)


class DropQueryStrings(logging.Filter):
    """Cut query strings out of server access lines (an OAuth callback carries code and state)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's arguments in place; never drop the record."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY_IN_REQUEST_LINE.sub("", a) if isinstance(a, str) else a for a in record.args
            )
        record.msg = _QUERY_IN_REQUEST_LINE.sub("", str(record.msg))
        return True


def configure_logging(level: str) -> None:
    """Send Musaic's logs to stderr as JSON lines at `level`."""
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    server_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropQueryStrings) for f in server_log.filters):
        server_log.addFilter(DropQueryStrings())


def current_user_id() -> int | None:
    """Return the logged-in user's id, if the request loaded a session with one."""
    try:
        raw = session.get("user_id")
    except RuntimeError:
        return None
    return int(raw) if raw is not None else None


def security_event(event: str, **fields: Any) -> None:
    """Log a security event (login, logout, bad state, CSRF or rate-limit refusal...) as such."""
    logger.warning(
        "security event",
        extra={
            "security_event": event,
            "request_id": current_request_id(),
            "user_id": current_user_id(),
            "remote_addr": request.remote_addr,
            "path": request.path,
            **fields,
        },
    )


def current_request_id() -> str:
    """Return the id of the request being served ("-" outside a request)."""
    return str(g.get("request_id", "-"))


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    started = g.get("request_started")
    seconds = (time.perf_counter() - started) if started else 0.0
    logger.info(
        "request",
        extra={
            "request_id": current_request_id(),
            "user_id": current_user_id(),
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2),
            "spotify_calls": g.get("spotify_calls", 0),
        },
    )
    endpoint = request.endpoint or "unmatched"
    metrics.record_request(endpoint, request.method, response.status_code, seconds)
    if endpoint == metrics.GENERATE_ENDPOINT and "Server-Timing" in response.headers:
        metrics.record_generation(response.headers["Server-Timing"])
    return response


def init_app(app: Flask) -> None:
    """Give every request an id, echo it, and log one line when it ends."""
    configure_logging(app.config["LOG_LEVEL"])
    app.before_request(_start_request)
    app.after_request(_finish_request)
