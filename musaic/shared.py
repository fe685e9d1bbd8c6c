"""Small rules every layer uses, written once: batching ids for IN (...) and release years."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
IN_CLAUSE_LIMIT = 900  # SQLite allows ~999 bound parameters per statement; stay under it


def chunks(items: Sequence[T], size: int = IN_CLAUSE_LIMIT) -> Iterator[Sequence[T]]:
    """Yield `items` in consecutive slices of at most `size` (an IN (...) list, a write batch)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def release_year(release_date: str | None) -> int | None:
    """Return the year of "2019-06-14", "2019-06" or "2019" (1000..2100), else None."""
    head = (release_date or "")[:4]
    return int(head) if head.isdigit() and 1000 <= int(head) <= 2100 else None
