"""Run a parsed query: the strict reading, then the corrected one when the strict one is weak."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from musaic.catalog.search import fuzzy, ranking, totals
from musaic.catalog.search.artists import artist_names
from musaic.catalog.search.backend import Alternative, MatchGroups, SearchBackend
from musaic.catalog.search.query import ParsedQuery
from musaic.catalog.search.ranking import Candidate
from musaic.models import driver

CANDIDATE_POOL = 100


@dataclass(frozen=True)
class CatalogHits:
    """One page of matching track ids, best first, and how many tracks matched in all."""

    track_ids: list[int]
    total: int


@dataclass(frozen=True)
class _Fetched:
    candidates: list[Candidate]
    saturated: bool  # more documents matched than were fetched


def _filters(session: Session, query: ParsedQuery) -> tuple[list[str], dict[str, Any]]:
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if query.year_from is not None:
        conditions.append("t.release_year BETWEEN :year_from AND :year_to")
        params.update(year_from=query.year_from, year_to=query.year_to)
    if query.artist is not None:
        names = artist_names(session, query.artist)
        marks = ", ".join(f":artist_{i}" for i in range(len(names))) or "NULL"
        conditions.append(
            "t.id IN (SELECT ta.track_id FROM track_artists ta JOIN artists a"
            f" ON a.id = ta.artist_id WHERE a.normalised_name IN ({marks}))"
        )
        params.update({f"artist_{i}": name for i, name in enumerate(names)})
    return conditions, params


def _where(
    backend: SearchBackend,
    groups: MatchGroups,
    filters: tuple[list[str], dict[str, Any]],
    title_only: bool = False,
) -> tuple[str, dict[str, Any]]:
    conditions, params = list(filters[0]), dict(filters[1])
    if groups:
        clause, match_params = backend.match_clause(groups, title_only)
        conditions.append(clause)
        params.update(match_params)
    return " AND ".join(conditions) or "1 = 1", params


def _source(backend: SearchBackend, where: str) -> str:
    return (
        f"FROM {backend.documents_table} AS s JOIN tracks AS t"
        f" ON t.id = s.{backend.document_id_column} WHERE {where}"
    )


def _fetch(
    session: Session,
    backend: SearchBackend,
    where: tuple[str, dict[str, Any]],
    pool: int,
    groups: MatchGroups,
    filtered: bool,
) -> _Fetched:
    """Fetch the `pool` most prominent matches with what ranking needs to know of them.

    `filtered`: `where` tests the track too (artist:, year:).
    """
    plan = backend.plan_for(session, groups)
    statement = backend.candidates(where[0], plan, filtered, pool + 1)
    rows = driver.rows(session, statement, where[1])
    rows.sort(key=lambda row: (-row[4], row[0]))
    return _Fetched([Candidate(*row) for row in rows[:pool]], len(rows) > pool)


def strict_groups(query: ParsedQuery) -> list[list[Alternative]]:
    """Every word matched whole; the last one also as a prefix while it is being typed."""
    last = len(query.tokens) - 1
    return [
        [Alternative(word, prefix=index == last and query.prefix_last)]
        for index, word in enumerate(query.tokens)
    ]


def search(
    session: Session, backend: SearchBackend, query: ParsedQuery, *, limit: int, offset: int
) -> CatalogHits:
    """Return one page of catalog tracks matching `query`, best first, versions grouped."""
    pool = max(CANDIDATE_POOL, offset + limit)
    filters = _filters(session, query)
    strict = _where(backend, strict_groups(query), filters)
    filtered = bool(filters[0])
    fetched = _fetch(session, backend, strict, pool, strict_groups(query), filtered)
    candidates, counted, groups = fetched.candidates, strict, strict_groups(query)
    alternatives: dict[str, tuple[str, ...]] = {}
    # The strict reading is weak when it fills less than the page and no hit is complete.
    weak = len(candidates) < offset + limit and not ranking.complete(candidates, query)
    if query.tokens and weak:
        for eager in (False, True):  # correct the likeliest typos, then one more word
            reading = fuzzy.read(session, backend, query.tokens, query.prefix_last, eager)
            if not (reading.corrected or not candidates):
                continue  # nothing to correct yet: the eager round picks the likeliest word
            alternatives, groups = reading.alternatives, reading.groups
            counted = _where(backend, reading.groups, filters)
            fetched = _fetch(session, backend, counted, pool, reading.groups, filtered)
            seen = {c.track_id for c in candidates}
            candidates = candidates + [c for c in fetched.candidates if c.track_id not in seen]
            if candidates:
                break
    if fetched.saturated and query.tokens:  # too many to rank them all: add the title matches
        title_only = _where(backend, groups, filters, True)
        titled = _fetch(session, backend, title_only, pool, groups, filtered)
        seen = {c.track_id for c in candidates}
        candidates = candidates + [c for c in titled.candidates if c.track_id not in seen]
    grouped = ranking.group_versions(ranking.rank(candidates, query, alternatives))
    # The same recording is often on several releases (album, compilation, single): show one.
    ordered = ranking.drop_identical(grouped)
    total = len(ordered)
    if fetched.saturated:
        source = _source(backend, counted[0])
        total = max(total, totals.estimate(session, groups, filtered, source, counted[1]))
    return CatalogHits([c.track_id for c in ordered[offset : offset + limit]], total)
