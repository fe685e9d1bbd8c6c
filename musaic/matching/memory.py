"""Memory: what one reader has already read, by id, so a later read of the same rows is free."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")

# One generation reads a few hundred tracks and ~50 artists; evaluation keeps one reader for
# thousands of cases, so what a reader remembers is bounded: past this it starts afresh.
MEMORY_LIMIT = 4096


class Memory(Generic[V]):
    """Values read by id (and the ids found missing), forgotten all at once past `limit`.

    A reader serves one request (or one evaluation over a catalog that does not change), so
    what it read once is still true when a later step asks again.
    """

    def __init__(self, limit: int = MEMORY_LIMIT) -> None:
        self.limit = limit
        self._known: dict[int, V | None] = {}  # None: read, and not in the database

    def lookup(
        self, ids: Iterable[int], read: Callable[[list[int]], Mapping[int, V]]
    ) -> dict[int, V]:
        """Return the value of each id that exists, calling `read` only for ids not yet read."""
        wanted = sorted(set(ids))
        if len(self._known) > self.limit:
            self._known.clear()
        unknown = [i for i in wanted if i not in self._known]
        if unknown:
            self._known.update(dict.fromkeys(unknown))
            self._known.update(read(unknown))
        known = self._known
        return {i: value for i in wanted if (value := known[i]) is not None}

    def remember(self, ids: Iterable[int], found: Mapping[int, V]) -> None:
        """Record what a read of `ids` found (ids it did not find are missing)."""
        self._known.update(dict.fromkeys(ids))
        self._known.update(found)
