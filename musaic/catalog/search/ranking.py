"""Rank candidate documents (exact > prefix > fuzzy, then prominence) and group versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from musaic.catalog.search.query import ParsedQuery

EXACT, PREFIX, FUZZY, MISSING = 3, 2, 1, 0
FIELD_WEIGHTS = (("title", 1.0), ("artists", 0.8), ("album", 0.5))
MIN_PREFIX_LENGTH = 2


@dataclass(frozen=True)
class Candidate:
    """A document the database matched, with what ranking and grouping need."""

    track_id: int
    title: str
    artists: str
    album: str
    prominence: float
    song_key: str
    normalised_title: str
    release_year: int | None

    @property
    def is_original(self) -> bool:
        """Say whether this is the plain version of its song (no remaster/live/edit suffix)."""
        return self.normalised_title == self.song_key.partition("|")[2]


def _quality(word: str, tokens: Sequence[str], prefix: bool, typos: Sequence[str]) -> int:
    if word in tokens:
        return EXACT
    if prefix and any(token.startswith(word) for token in tokens):
        return PREFIX
    if any(token in typos for token in tokens):
        return FUZZY
    return MISSING


def _sort_key(
    candidate: Candidate, query: ParsedQuery, typos: Mapping[str, Sequence[str]]
) -> tuple[float, ...]:
    words = query.tokens
    fields = {name: getattr(candidate, name).split() for name, _ in FIELD_WEIGHTS}
    weakest, relevance = EXACT, 0.0
    for index, word in enumerate(words):
        prefix = len(word) >= MIN_PREFIX_LENGTH and (
            len(word) >= 3 or (query.prefix_last and index == len(words) - 1)
        )
        qualities = [
            (_quality(word, fields[name], prefix, typos.get(word, ())), weight)
            for name, weight in FIELD_WEIGHTS
        ]
        weakest = min(weakest, max(q for q, _ in qualities))
        relevance += max(q * weight for q, weight in qualities)
    title = fields["title"]
    song_title = candidate.song_key.partition("|")[2].split()  # the title without version suffix
    if words and list(words) in (title, song_title):
        relevance += 3.0
    elif words and title[: len(words) - 1] == list(words[:-1]) and len(title) >= len(words):
        relevance += 1.0 if title[len(words) - 1].startswith(words[-1]) else 0.0
    return (-weakest, -relevance, -candidate.prominence, candidate.track_id)


def rank(
    candidates: Sequence[Candidate],
    query: ParsedQuery,
    typos: Mapping[str, Sequence[str]],
) -> list[Candidate]:
    """Order candidates: every word exact > some prefix > some typo, then relevance, prominence."""
    if not query.tokens:
        return sorted(candidates, key=lambda c: (-c.prominence, c.track_id))
    return sorted(candidates, key=lambda c: _sort_key(c, query, typos))


def group_versions(ranked: Sequence[Candidate]) -> list[Candidate]:
    """Keep the versions of one song together where the best one ranks, the original first."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in ranked:
        groups.setdefault(candidate.song_key or f"#{candidate.track_id}", []).append(candidate)
    ordered: list[Candidate] = []
    for members in groups.values():
        original = min(
            members,
            key=lambda c: (not c.is_original, c.release_year or 9999, -c.prominence, c.track_id),
        )
        ordered.append(original)
        ordered.extend(member for member in members if member is not original)
    return ordered


def drop_identical(ordered: Sequence[Candidate]) -> list[Candidate]:
    """Keep the first of several releases that look the same (same artists and title)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for candidate in ordered:
        key = (candidate.artists, candidate.normalised_title)
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept
