"""Typo tolerance: expand a query word into indexed terms a few edits away."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from musaic.catalog.search.backend import SearchBackend

MIN_FUZZY_LENGTH = 4
MAX_ALTERNATIVES = 6
TRIGRAM_CANDIDATES = 60


def allowed_edits(word: str) -> int:
    """Return how many edits a word of this length may carry and still count as a typo."""
    return 1 if len(word) < 8 else 2


def edit_distance(a: str, b: str, ceiling: int) -> int:
    """Return the edit distance (with transpositions) of a and b, capped at ceiling + 1."""
    if abs(len(a) - len(b)) > ceiling:
        return ceiling + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > ceiling:
            return ceiling + 1
        previous2, previous = previous, current
    return min(previous[-1], ceiling + 1)


def close_terms(word: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """Keep the candidates within the allowed edits of `word`, closest (then A-Z) first."""
    ceiling = allowed_edits(word)
    scored = sorted(
        (distance, term)
        for term in set(candidates)
        if term != word and (distance := edit_distance(word, term, ceiling)) <= ceiling
    )
    return tuple(term for _, term in scored[:MAX_ALTERNATIVES])


def _anagrams(session: Session, word: str) -> list[str]:
    """Return terms with the same letters: transposed short words share no trigram."""
    rows = session.execute(
        text("SELECT term FROM track_search_terms WHERE letters = :letters LIMIT 20"),
        {"letters": "".join(sorted(word))},
    )
    return [row[0] for row in rows]


def expand_typos(
    session: Session, backend: SearchBackend, words: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Map each long enough word to the indexed terms it may be a typo of."""
    expansions: dict[str, tuple[str, ...]] = {}
    for word in dict.fromkeys(words):
        if len(word) >= MIN_FUZZY_LENGTH and not word.isdigit():
            candidates = backend.similar_terms(session, word, TRIGRAM_CANDIDATES)
            expansions[word] = close_terms(word, [*candidates, *_anagrams(session, word)])
    return expansions
