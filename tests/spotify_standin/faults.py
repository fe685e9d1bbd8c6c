"""Fault injection for the stand-in: 429s, quota walls, 5xx, slow answers, dropped sockets."""

from __future__ import annotations

import threading
from dataclasses import dataclass
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


class FaultQueue:
    """A thread-safe FIFO of faults; each request takes the first fault whose prefix matches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

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

    def take(self, path: str) -> Fault | None:
        """Remove and return the first fault that applies to `path`."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if path.startswith(fault.path_prefix):
                    return self._faults.pop(index)
        return None

    @property
    def pending(self) -> int:
        """Return how many faults are still queued."""
        with self._lock:
            return len(self._faults)

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._faults.clear()
