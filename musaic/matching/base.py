"""The matcher interface: a Seed goes in, scored Candidates with reasons come out."""

from __future__ import annotations

import heapq
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import ClassVar

from musaic.matching.reads import IndexReads
from musaic.matching.types import Candidate, Reason, Seed, reason

# Matchers import the value types from here or from musaic.matching.types.
__all__ = ["Candidate", "Matcher", "Reason", "Seed", "add_candidate", "reason", "top_k"]


class Matcher(ABC):
    """A strategy that ranks catalog tracks for a seed, reading only through `IndexReads`.

    Subclasses set `name` (the registry key), `description` (one sentence for listeners) and
    `signals` (what the index must hold for the matcher to shine), and implement `rank`.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    signals: ClassVar[tuple[str, ...]]

    def __init__(self, index: IndexReads) -> None:
        self.index = index

    @abstractmethod
    def rank(self, seed: Seed, k: int) -> list[Candidate]:
        """Rank up to `k` candidate tracks for `seed`, best first, BEFORE post-processing.

        Args:
            seed: The seed track. Matchers must not propose the seed itself.
            k: The most candidates to return (the offline evaluation uses K=100).

        Returns:
            Candidates with distinct track ids, sorted by descending score; every candidate
            carries at least one reason. An empty list when the signal is missing (the hybrid
            matcher then leans on the other signals); never raises for a missing index.
        """


def top_k(candidates: dict[int, Candidate], k: int) -> list[Candidate]:
    """Return the `k` best candidates by score (ties broken by track id, for stable output)."""
    pool: Iterable[Candidate] = candidates.values()
    if 0 < k < len(candidates):  # only what scores at least the k-th best score can make it
        floor = heapq.nlargest(k, (c.score for c in pool))[-1]
        pool = [c for c in pool if c.score >= floor]
    ordered = sorted(pool, key=lambda c: (-c.score, c.track_id))
    return ordered[:k]


def add_candidate(pool: dict[int, Candidate], track_id: int, score: float, why: Reason) -> None:
    """Add `score` to a pooled candidate and record `why` unless it is already there."""
    current = pool.get(track_id)
    if current is None:
        pool[track_id] = Candidate(track_id, score, [why])
        return
    current.score += score
    if why not in current.reasons:
        current.reasons.append(why)
