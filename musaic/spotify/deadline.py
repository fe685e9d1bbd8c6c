"""A request's time budget for Spotify: every call and wait must end before the deadline."""

from __future__ import annotations

import time
from collections.abc import Callable

from musaic.spotify.errors import SpotifyUnavailableError

Deadline = Callable[[], float | None]
"""Returns the time.monotonic() by which every Spotify call of this request must be over."""


def bounded_timeout(
    timeout: tuple[float, float], deadline: Deadline | None, what: str
) -> tuple[float, float]:
    """Shrink (connect, read) to what is left before `deadline`; 503 when nothing is left."""
    end = deadline() if deadline is not None else None
    if end is None:
        return timeout
    remaining = end - time.monotonic()
    if remaining < 0.2:
        raise SpotifyUnavailableError(
            f"Spotify did not answer {what} within this request's time budget",
            details={"endpoint": what, "reason": "time_budget"},
        )
    return (min(timeout[0], remaining), min(timeout[1], remaining))
