"""Listener: who is asking, as plain values the services can check ownership against."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Listener:
    """A logged-in user id, an anonymous session's history key, or both (or neither)."""

    user_id: int | None = None
    history_key: str | None = None
