"""The typo vocabulary: indexed words with document counts, found again through deletion keys."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from musaic.catalog.search.backend import Alternative

CHUNK = 4000
_CACHE = "musaic.search.counts"

_EXISTING = text("SELECT term FROM track_search_terms WHERE term IN :terms").bindparams(
    bindparam("terms", expanding=True)
)
_UPSERT = text(
    "INSERT INTO track_search_terms (term, letters, doc_count) VALUES (:term, :letters, :count)"
    " ON CONFLICT (term) DO UPDATE"
    " SET doc_count = track_search_terms.doc_count + excluded.doc_count"
)
_ADD_KEY = text(
    "INSERT INTO track_search_term_keys (key, term) VALUES (:key, :term) ON CONFLICT DO NOTHING"
)
_COUNTS = text("SELECT term, doc_count FROM track_search_terms WHERE term IN :terms").bindparams(
    bindparam("terms", expanding=True)
)
_LOOKUP = text(
    "SELECT k.key, k.term, t.doc_count FROM track_search_term_keys AS k"
    " JOIN track_search_terms AS t ON t.term = k.term WHERE k.key IN :keys"
).bindparams(bindparam("keys", expanding=True))


def deletions(word: str) -> set[str]:
    """Return every string one letter shorter than `word` (the SymSpell deletion keys)."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))} - {""}


def term_keys(term: str) -> set[str]:
    """Return the keys a term is found under: itself and, for words, its deletions."""
    if len(term) < 2 or term.isdigit():
        return {term}
    return {term} | deletions(term)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def add_terms(session: Session, counts: Mapping[str, int]) -> None:
    """Add `counts` (term -> documents holding it) to the vocabulary; new terms get keys."""
    for chunk in _chunks(sorted(counts)):
        existing = set(session.scalars(_EXISTING, {"terms": list(chunk)}))
        session.execute(
            _UPSERT,
            [{"term": t, "letters": "".join(sorted(t)), "count": counts[t]} for t in chunk],
        )
        keys = [{"key": k, "term": t} for t in chunk if t not in existing for k in term_keys(t)]
        if keys:
            session.execute(_ADD_KEY, keys)


def lookup(session: Session, keys: Iterable[str]) -> list[tuple[str, str, int]]:
    """Return (key, term, documents holding the term) for every term found under these keys."""
    wanted = sorted(set(keys))
    if not wanted:
        return []
    rows = [(k, t, int(c)) for k, t, c in session.execute(_LOOKUP, {"keys": wanted})]
    session.info.get(_CACHE, {}).update({t: c for _, t, c in rows})
    return rows


@contextmanager
def cached(session: Session) -> Iterator[None]:
    """Remember document counts for the length of one search (the vocabulary holds still)."""
    session.info[_CACHE] = {}
    try:
        yield
    finally:
        session.info.pop(_CACHE, None)


def counts(session: Session, terms: Iterable[str]) -> dict[str, int]:
    """Return how many documents hold each of these terms (absent terms are left out)."""
    cache: dict[str, int] = session.info.get(_CACHE, {})
    wanted = sorted(set(terms) - set(cache))
    if wanted:
        found = {t: int(c) for t, c in session.execute(_COUNTS, {"terms": wanted})}
        cache.update({t: found.get(t, 0) for t in wanted})
        if _CACHE not in session.info:
            return found
    return {t: cache[t] for t in set(terms) if cache.get(t)}


def _prefix_sum(session: Session, prefix: str) -> int:
    cache: dict[str, int] = session.info.get(_CACHE, {})
    key = prefix + "*"  # a key no term can be (terms are letters and digits)
    if key not in cache:
        bounds = {"low": prefix, "high": _after(prefix)}
        cache[key] = int(session.execute(_PREFIX_SUM, bounds).scalar_one())
    return cache[key]


_PREFIX_SUM = text(
    "SELECT coalesce(sum(doc_count), 0) FROM track_search_terms WHERE term >= :low AND term < :high"
)
MIN_BOUNDED_PREFIX = 3  # shorter prefixes start too many terms to add up


def _after(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def bound(session: Session, groups: Sequence[Sequence[Alternative]]) -> int | None:
    """Return at most how many documents match all groups (vocabulary counts), None if unknown."""
    exact = {t for g in groups for a in g if not a.prefix for t in a.terms}
    found = counts(session, exact)
    bounds = []
    for group in groups:
        total = 0
        for alternative in group:
            *whole, last = alternative.terms
            if alternative.prefix and len(last) < MIN_BOUNDED_PREFIX:
                break
            parts = [found.get(t, 0) for t in whole]
            if alternative.prefix:
                parts.append(_prefix_sum(session, last))
            else:
                parts.append(found.get(last, 0))
            total += min(parts)
        else:
            bounds.append(total)
    return min(bounds) if bounds else None
