"""The typo vocabulary: indexed words with document counts, found again through deletion keys."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from musaic.catalog.search.backend import Alternative
from musaic.models import driver

CHUNK = 4000
_CACHE = "musaic.search.counts"
_KEY_CACHE = "musaic.search.keys"

_EXISTING = text("SELECT term FROM track_search_terms WHERE term IN :terms").bindparams(
    bindparam("terms", expanding=True)
)
_EXISTING_PG = (
    "SELECT t.term FROM unnest(CAST(%s AS text[])) AS u(term)"
    " JOIN track_search_terms AS t ON t.term = u.term"
)
_ADD_COUNT = (
    " ON CONFLICT (term) DO UPDATE"
    " SET doc_count = track_search_terms.doc_count + excluded.doc_count"
)
_UPSERT = "INSERT INTO track_search_terms (term, letters, doc_count) VALUES (?, ?, ?)" + _ADD_COUNT
# SQLite: every term in one statement, in array order. Row by row, each INSERT fired the trigger
# that feeds the trigram index as a statement of its own, and FTS5 wrote its pending terms out
# for each one (1.8 s for the 52,000 new terms of the MPD file; 0.4 s as one statement).
_UPSERT_ALL = (
    "INSERT INTO track_search_terms (term, letters, doc_count)"
    " SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true ORDER BY key"
    + _ADD_COUNT
)
_ADD_KEY = "INSERT INTO track_search_term_keys (key, term) VALUES (?, ?) ON CONFLICT DO NOTHING"
_DECREMENT = "UPDATE track_search_terms SET doc_count = doc_count - ? WHERE term = ?"
_DROP_KEY = "DELETE FROM track_search_term_keys WHERE key = ? AND term = ?"
_DROP_EMPTY = (  # SQLite's delete trigger takes the term out of the trigram index too
    "DELETE FROM track_search_terms WHERE doc_count <= 0"
    " AND term IN (SELECT value FROM json_each(?)) RETURNING term"
)
_DROP_EMPTY_PG = (
    "DELETE FROM track_search_terms WHERE doc_count <= 0"
    " AND term = ANY(CAST(%s AS text[])) RETURNING term"
)
_COUNTS_SQL = "SELECT term, doc_count FROM track_search_terms WHERE term IN :terms"
_COUNTS = text(_COUNTS_SQL).bindparams(bindparam("terms", expanding=True))
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


def _executemany(session: Session, sql: str, rows: Sequence[tuple[object, ...]]) -> None:
    """Run `sql` (qmark placeholders) once per row on the driver's cursor, in one call.

    SQLAlchemy's text() binds every row's dict itself: most of the time of a vocabulary of
    hundreds of thousands of keys.
    """
    connection = session.connection()
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    if rows:
        connection.exec_driver_sql(sql, rows)


def _existing(session: Session, terms: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(terms):
        found.update(session.scalars(_EXISTING, {"terms": list(chunk)}))
    return found


def _existing_pg(session: Session, terms: Sequence[str]) -> set[str]:
    """Return the terms the vocabulary holds, planned for the terms at hand (not prepared).

    `term IN (...)` and the generic plan of a prepared join both looked every term up through
    the trigram GIN index: 16-38 s a chunk of 4,000 terms where a hash join takes 0.02 s.
    """
    raw: Any = session.connection().connection.driver_connection
    found: set[str] = set()
    for chunk in _chunks(terms):
        rows = raw.execute(_EXISTING_PG, (list(chunk),), prepare=False).fetchall()
        found.update(row[0] for row in rows)
    return found


def add_terms(session: Session, counts: Mapping[str, int]) -> None:
    """Add `counts` (term -> documents holding it) to the vocabulary; new terms get keys.

    Terms go in sorted order (SQLite numbers new ones in that order); the keys of every new
    term go in one executemany.
    """
    terms = sorted(counts)
    sqlite = not _postgres(session)
    existing = _existing(session, terms) if sqlite else _existing_pg(session, terms)
    rows = [(t, "".join(sorted(t)), counts[t]) for t in terms]
    if sqlite:
        if rows:
            session.connection().exec_driver_sql(
                _UPSERT_ALL, (json.dumps(rows, ensure_ascii=False),)
            )
    else:
        _executemany(session, _UPSERT, rows)
    keys = [(k, t) for t in terms if t not in existing for k in term_keys(t)]
    _executemany(session, _ADD_KEY, keys)


def remove_terms(session: Session, counts: Mapping[str, int]) -> None:
    """Take `counts` (term -> documents no longer holding it) off the vocabulary.

    A term left in no document goes, with its deletion keys, so typo correction never
    suggests a word that finds nothing.
    """
    terms = sorted(t for t, n in counts.items() if n > 0)
    _executemany(session, _DECREMENT, [(counts[t], t) for t in terms])
    postgres, connection = _postgres(session), session.connection()
    raw: Any = connection.connection.driver_connection
    gone: list[str] = []
    for chunk in _chunks(terms):
        if postgres:
            rows = raw.execute(_DROP_EMPTY_PG, (list(chunk),), prepare=False).fetchall()
        else:
            arguments = (json.dumps(list(chunk), ensure_ascii=False),)
            rows = connection.exec_driver_sql(_DROP_EMPTY, arguments).all()
        gone.extend(row[0] for row in rows)
    _executemany(session, _DROP_KEY, [(k, t) for t in gone for k in term_keys(t)])


# Counts of terms and the terms under deletion keys in one round trip (key NULL: a count).
_COUNTS_AND_LOOKUP_SQL = (
    "SELECT NULL AS key, term, doc_count FROM track_search_terms WHERE term IN :terms"
    " UNION ALL SELECT k.key, k.term, t.doc_count FROM track_search_term_keys AS k"
    " JOIN track_search_terms AS t ON t.term = k.term WHERE k.key IN :keys"
)
_COUNTS_AND_LOOKUP = text(_COUNTS_AND_LOOKUP_SQL).bindparams(
    bindparam("terms", expanding=True), bindparam("keys", expanding=True)
)
# PostgreSQL: array parameters, so the text never changes and psycopg prepares it; each array
# behind a subquery, so the planner cannot see its length and keeps one generic plan (see
# `postgres.py`). The sums under prefixes come along too (key "*": no key is one).
_POSTGRES_READ = (
    _COUNTS_AND_LOOKUP_SQL.replace(
        "IN :terms", "= ANY((SELECT CAST(:terms AS text[]))::text[])"
    ).replace("IN :keys", "= ANY((SELECT CAST(:keys AS text[]))::text[])")
    + " UNION ALL SELECT '*', u.low, (SELECT coalesce(sum(doc_count), 0) FROM track_search_terms"
    " WHERE term >= u.low AND term < u.high)"
    " FROM unnest((SELECT CAST(:lows AS text[])), (SELECT CAST(:highs AS text[]))) AS u(low, high)"
)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _read_postgres(
    session: Session, terms: Sequence[str], keys: Sequence[str], prefixes: Sequence[str]
) -> list[tuple[str | None, str, int]]:
    """Counts (key None), terms under keys, and prefix sums (key "*") in one kept statement."""
    params = {
        "terms": list(terms) or [""],  # "": no term, no key
        "keys": list(keys) or [""],
        "lows": list(prefixes),
        "highs": [after(p) for p in prefixes],
    }
    return [(k, t, int(c)) for k, t, c in driver.rows(session, _POSTGRES_READ, params)]


def _cache_counts(
    cache: dict[str, int], terms: Sequence[str], rows: Iterable[tuple[str | None, str, int]]
) -> None:
    """Cache the counts read for `terms` (0 for a term not found) and the prefix sums read."""
    rows = list(rows)
    found = {t: c for k, t, c in rows if k is None}
    cache.update({t: found.get(t, 0) for t in terms})
    cache.update({t + "*": c for k, t, c in rows if k == "*"})


def lookup(session: Session, keys: Iterable[str]) -> list[tuple[str, str, int]]:
    """Return (key, term, documents holding the term) for every term found under these keys."""
    wanted = set(keys)
    known: dict[str, list[tuple[str, int]]] | None = session.info.get(_KEY_CACHE)
    missing = sorted(wanted - set(known or ()))
    if missing:
        if _postgres(session):
            rows = [(k, t, c) for k, t, c in _read_postgres(session, (), missing, ()) if k]
        else:
            rows = [(k, t, int(c)) for k, t, c in session.execute(_LOOKUP, {"keys": missing})]
        _remember(session, missing, rows)
        if known is None:
            return rows
    cached_keys: dict[str, list[tuple[str, int]]] = session.info[_KEY_CACHE]
    return [(k, t, c) for k in sorted(wanted) for t, c in cached_keys.get(k, ())]


def _remember(session: Session, keys: Iterable[str], rows: list[tuple[str, str, int]]) -> None:
    session.info.get(_CACHE, {}).update({t: c for _, t, c in rows})
    known = session.info.get(_KEY_CACHE)
    if known is not None:
        for key in keys:
            known.setdefault(key, [])
        for key, term, count in rows:
            known[key].append((term, count))


def prefetch(
    session: Session, terms: Iterable[str], keys: Iterable[str], prefixes: Iterable[str] = ()
) -> None:
    """Cache these terms' counts and the terms under these keys (PostgreSQL: and prefix sums)."""
    cache: dict[str, int] | None = session.info.get(_CACHE)
    known: dict[str, list[tuple[str, int]]] | None = session.info.get(_KEY_CACHE)
    if cache is None or known is None:
        return
    wanted_terms, wanted_keys = sorted(set(terms) - set(cache)), sorted(set(keys) - set(known))
    if not wanted_terms and not wanted_keys:
        return
    if _postgres(session):
        starts = sorted(p for p in set(prefixes) if p + "*" not in cache)
        rows = _read_postgres(session, wanted_terms, wanted_keys, starts)
    else:
        params = {"terms": wanted_terms or [""], "keys": wanted_keys or [""]}
        rows = [(k, t, int(c)) for k, t, c in session.execute(_COUNTS_AND_LOOKUP, params)]
    _cache_counts(cache, wanted_terms, rows)
    _remember(session, wanted_keys, [(k, t, c) for k, t, c in rows if k is not None and k != "*"])


@contextmanager
def cached(session: Session) -> Iterator[None]:
    """Remember document counts for the length of one search (the vocabulary holds still)."""
    session.info[_CACHE] = {}
    session.info[_KEY_CACHE] = {}
    try:
        yield
    finally:
        session.info.pop(_CACHE, None)
        session.info.pop(_KEY_CACHE, None)


def counts(session: Session, terms: Iterable[str]) -> dict[str, int]:
    """Return how many documents hold each of these terms (absent terms are left out)."""
    cache: dict[str, int] = session.info.get(_CACHE, {})
    wanted = sorted(set(terms) - set(cache))
    if wanted:
        if _postgres(session):
            found = {t: c for k, t, c in _read_postgres(session, wanted, (), ()) if k is None}
        else:
            found = {t: int(c) for t, c in session.execute(_COUNTS, {"terms": wanted})}
        cache.update({t: found.get(t, 0) for t in wanted})
        if _CACHE not in session.info:
            return found
    return {t: cache[t] for t in set(terms) if cache.get(t)}


def _prefix_sum(session: Session, prefix: str) -> int:
    cache: dict[str, int] = session.info.get(_CACHE, {})
    key = prefix + "*"  # a key no term can be (terms are letters and digits)
    if key not in cache:
        bounds = {"low": prefix, "high": after(prefix)}
        cache[key] = int(session.execute(_PREFIX_SUM, bounds).scalar_one())
    return cache[key]


_PREFIX_SUM = text(
    "SELECT coalesce(sum(doc_count), 0) FROM track_search_terms WHERE term >= :low AND term < :high"
)
MIN_BOUNDED_PREFIX = 3  # shorter prefixes start too many terms to add up


def after(prefix: str) -> str:
    """Return the first string after every string that starts with `prefix` (a range's end)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _fill(session: Session, terms: set[str], prefixes: set[str]) -> None:
    """Cache the counts of these terms and the sums under these prefixes in one round trip."""
    cache: dict[str, int] | None = session.info.get(_CACHE)
    if cache is None:
        return
    wanted, starts = sorted(terms - set(cache)), sorted(p for p in prefixes if p + "*" not in cache)
    if not starts:
        return  # counts alone: `counts` reads them as before
    if _postgres(session):
        _cache_counts(cache, wanted, _read_postgres(session, wanted, (), starts))
        return
    params: dict[str, object] = {"terms": wanted or [""]}
    sums = []
    for i, prefix in enumerate(starts):
        params.update({f"p{i}": prefix + "*", f"low{i}": prefix, f"high{i}": after(prefix)})
        sums.append(
            f" UNION ALL SELECT :p{i}, coalesce(sum(doc_count), 0) FROM track_search_terms"
            f" WHERE term >= :low{i} AND term < :high{i}"
        )
    statement = text(_COUNTS_SQL + "".join(sums)).bindparams(bindparam("terms", expanding=True))
    found = {t: int(c) for t, c in session.execute(statement, params)}
    cache.update({t: found.get(t, 0) for t in wanted})
    cache.update({p + "*": found.get(p + "*", 0) for p in starts})


def bound(session: Session, groups: Sequence[Sequence[Alternative]]) -> int | None:
    """Return at most how many documents match all groups (vocabulary counts), None if unknown."""
    exact = {t for g in groups for a in g if not a.prefix for t in a.terms}
    starts = {
        a.terms[-1]
        for g in groups
        for a in g
        if a.prefix and len(a.terms[-1]) >= MIN_BOUNDED_PREFIX
    }
    _fill(session, exact, starts)
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
