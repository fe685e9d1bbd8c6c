"""Plain request and reply values shared by the stand-in's routes and its HTTP server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    """Return Spotify's Web API error envelope."""
    return {"error": {"status": status, "message": message, **extra}}


@dataclass(frozen=True)
class Incoming:
    """One HTTP request as the routes see it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""

    def arg(self, name: str) -> str | None:
        """Return the first value of query parameter `name`."""
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str:
        """Return a header value ('' when absent), case-insensitively."""
        return self.headers.get(name.lower(), "")

    def json(self) -> Any:
        """Decode the body as JSON (None when empty or invalid)."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        """Decode an application/x-www-form-urlencoded body."""
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}


@dataclass
class Reply:
    """What a route answers: status, JSON body (or none) and headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedRequest:
    """A request the stand-in received (headers are not kept: they carry tokens)."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes = b""

    def json(self) -> Any:
        """Decode the recorded body as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None


def read_limits(
    request: Incoming, default: int, maximum: int, max_offset: int = 100_000
) -> tuple[int, int] | Reply:
    """Read limit and offset, or return Spotify's 400 for values out of range."""
    try:
        limit = int(request.arg("limit") or default)
        offset = int(request.arg("offset") or 0)
    except ValueError:
        return Reply(400, error_body(400, "Invalid limit"))
    if not 1 <= limit <= maximum:
        return Reply(400, error_body(400, "Invalid limit"))
    if not 0 <= offset <= max_offset:
        return Reply(400, error_body(400, "Invalid offset"))
    return limit, offset
