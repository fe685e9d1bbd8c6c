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

from flask import Flask, Response, g, request

REQUEST_ID_HEADER = "X-Request-ID"
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


def configure_logging(level: str) -> None:
    """Send Musaic's logs to stderr as JSON lines at `level`."""
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


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
    duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
    logger.info(
        "request",
        extra={
            "request_id": current_request_id(),
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "spotify_calls": g.get("spotify_calls", 0),
        },
    )
    return response


def init_app(app: Flask) -> None:
    """Give every request an id, echo it, and log one line when it ends."""
    configure_logging(app.config["LOG_LEVEL"])
    app.before_request(_start_request)
    app.after_request(_finish_request)
