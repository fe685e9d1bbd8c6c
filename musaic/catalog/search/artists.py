"""The `artist:` filter: the exact normalised name, else the names one typo per word away."""

from __future__ import annotations

from itertools import product

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from musaic.catalog.search import fuzzy, vocabulary

MAX_NAMES = 40
PER_WORD = 4

_EXISTING = text(
    "SELECT DISTINCT normalised_name FROM artists WHERE normalised_name IN :names"
).bindparams(bindparam("names", expanding=True))


def _known(session: Session, names: list[str]) -> list[str]:
    return sorted(session.scalars(_EXISTING, {"names": names}))


def artist_names(session: Session, artist: str) -> list[str]:
    """Return the catalog artist names the filter value means (itself when it is known)."""
    if _known(session, [artist]):
        return [artist]
    words = artist.split()
    keys = set(words) | {k for w in words for k in vocabulary.deletions(w)}
    found, counts = fuzzy.lookup(session, keys)
    options = [
        [word, *fuzzy.close_terms(word, fuzzy.neighbours(word, found), counts)[:PER_WORD]]
        if len(word) >= 3
        else [word]
        for word in words
    ]
    names = [" ".join(combo) for combo in product(*options)][:MAX_NAMES]
    known = _known(session, names) if len(names) > 1 else []
    return known or [artist]
