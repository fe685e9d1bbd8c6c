"""Fault injection for the stand-in: 429s, quota walls, 5xx, slow answers, dropped sockets."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.spotify_standin.wire import error_body

DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Fault:
    """What to do instead of (or before) the normal answer to one request."""

    status: int | None = None
    retry_after: int | None = None
    body: Any = None
    delay: float = 0.0
    drop: bool = False
    path_prefix: str = "/v1/"

    @classmethod
    def rate_limit(cls, retry_after: int) -> Fault:
        """Return Spotify's rolling-window 429 with Retry-After."""
        return cls(429, retry_after, error_body(429, "API rate limit exceeded"))

    @classmethod
    def quota(cls, retry_after: int = DAY_SECONDS // 3) -> Fault:
        """Return the daily-quota 429 (reason QUOTA_EXCEEDED)."""
        body = error_body(429, "Daily quota exceeded", reason="QUOTA_EXCEEDED")
        return cls(429, retry_after, body)

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        """Return a 5xx answer."""
        return cls(status, body=error_body(status, "Server error"))


@dataclass
class _Rule:
    """Apply `fault` to calls number `first`..`last` of `method` on paths matching `pattern`."""

    method: str
    pattern: re.Pattern[str]
    first: int
    last: int
    fault: Fault
    seen: int = field(default=0)


class FaultQueue:
    """A thread-safe FIFO of faults; each request takes the first fault whose prefix matches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._rules: list[_Rule] = []

    def on(self, method: str, path: str, fault: Fault, *, nth: int = 1, times: int = 1) -> None:
        """Fail calls nth..nth+times-1 (counted from now) of `method` on `path` (a regex).

        `path` is matched against the whole request path, e.g. r"/v1/playlists/[^/]+/items".
        """
        rule = _Rule(method.upper(), re.compile(path), nth, nth + times - 1, fault)
        with self._lock:
            self._rules.append(rule)

    def queue(self, *, times: int = 1, **fault: Any) -> None:
        """Queue `times` copies of Fault(**fault): status, retry_after, body, delay, drop."""
        with self._lock:
            self._faults.extend(Fault(**fault) for _ in range(times))

    def rate_limited(self, retry_after: int, *, times: int = 1) -> None:
        """Answer the next requests with 429 and Retry-After (the rolling 30 s window)."""
        body = error_body(429, "API rate limit exceeded")
        self.queue(status=429, retry_after=retry_after, body=body, times=times)

    def quota_exceeded(self, retry_after: int = DAY_SECONDS // 3, *, times: int = 1) -> None:
        """Answer the next requests with the daily-quota 429 (reason QUOTA_EXCEEDED)."""
        body = error_body(429, "Daily quota exceeded", reason="QUOTA_EXCEEDED")
        self.queue(status=429, retry_after=retry_after, body=body, times=times)

    def server_error(self, status: int = 500, *, times: int = 1) -> None:
        """Answer the next requests with a 5xx."""
        self.queue(status=status, body=error_body(status, "Server error"), times=times)

    def slow(self, delay: float, *, times: int = 1) -> None:
        """Wait `delay` seconds before answering the next requests normally."""
        self.queue(delay=delay, times=times)

    def drop_connection(self, *, times: int = 1) -> None:
        """Close the connection without any answer for the next requests."""
        self.queue(drop=True, times=times)

    def take(self, path: str, method: str = "GET") -> Fault | None:
        """Return the fault for this call: a counted rule first, else the first queued fault."""
        with self._lock:
            for rule in self._rules:
                if rule.method == method and rule.pattern.fullmatch(path):
                    rule.seen += 1
                    if rule.first <= rule.seen <= rule.last:
                        return rule.fault
            for index, fault in enumerate(self._faults):
                if path.startswith(fault.path_prefix):
                    return self._faults.pop(index)
        return None

    @property
    def pending(self) -> int:
        """Return how many faults are still queued."""
        with self._lock:
            rules = sum(max(0, r.last - max(r.seen, r.first - 1)) for r in self._rules)
            return len(self._faults) + rules

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._faults.clear()
            self._rules.clear()
