"""Run a parsed query: strict match first, typo-tolerant match when that finds too little."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from musaic.catalog.search import ranking
from musaic.catalog.search.backend import Alternative, MatchGroups, SearchBackend
from musaic.catalog.search.fuzzy import expand_typos
from musaic.catalog.search.query import ParsedQuery
from musaic.catalog.search.ranking import Candidate

CANDIDATE_POOL = 200


@dataclass(frozen=True)
class CatalogHits:
    """One page of matching track ids, best first, and how many tracks matched in all."""

    track_ids: list[int]
    total: int


def _filters(query: ParsedQuery) -> tuple[list[str], dict[str, Any]]:
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if query.year_from is not None:
        conditions.append("t.release_year BETWEEN :year_from AND :year_to")
        params.update(year_from=query.year_from, year_to=query.year_to)
    if query.artist is not None:
        conditions.append(
            "t.id IN (SELECT ta.track_id FROM track_artists ta JOIN artists a"
            " ON a.id = ta.artist_id WHERE a.normalised_name = :artist)"
        )
        params["artist"] = query.artist
    return conditions, params


def _fetch(
    session: Session,
    backend: SearchBackend,
    groups: MatchGroups | None,
    query: ParsedQuery,
    pool: int,
) -> tuple[list[Candidate], int]:
    conditions, params = _filters(query)
    if groups:
        clause, match_params = backend.match_clause(groups)
        conditions.append(clause)
        params.update(match_params)
    where = " AND ".join(conditions) or "1 = 1"
    source = (
        f"FROM {backend.documents_table} AS s JOIN tracks AS t"
        f" ON t.id = s.{backend.document_id_column} WHERE {where}"
    )
    total = session.execute(text(f"SELECT count(*) {source}"), params).scalar_one()
    rows = session.execute(
        text(
            f"SELECT t.id, s.title, s.artists, s.album, s.prominence, t.song_key,"
            f" t.normalised_title, t.release_year {source}"
            " ORDER BY s.prominence DESC, t.id LIMIT :pool"
        ),
        {**params, "pool": pool},
    )
    return [Candidate(*row) for row in rows], int(total)


def strict_groups(query: ParsedQuery) -> list[list[Alternative]]:
    """Every word matched whole; the last one also as a prefix while it is being typed."""
    last = len(query.tokens) - 1
    return [
        [Alternative(word, prefix=index == last and query.prefix_last)]
        for index, word in enumerate(query.tokens)
    ]


def broad_groups(query: ParsedQuery, typos: dict[str, tuple[str, ...]]) -> list[list[Alternative]]:
    """Every word matched whole, as a prefix (3+ letters) or through one of its typo terms."""
    groups = []
    for index, word in enumerate(query.tokens):
        prefix = len(word) >= 3 or (index == len(query.tokens) - 1 and query.prefix_last)
        group = [Alternative(word, prefix=prefix)]
        group.extend(Alternative(term) for term in typos.get(word, ()))
        groups.append(group)
    return groups


def search(
    session: Session, backend: SearchBackend, query: ParsedQuery, *, limit: int, offset: int
) -> CatalogHits:
    """Return one page of catalog tracks matching `query`, best first, versions grouped."""
    pool = max(CANDIDATE_POOL, offset + limit)
    typos: dict[str, tuple[str, ...]] = {}
    candidates, total = _fetch(session, backend, strict_groups(query), query, pool)
    if query.tokens and total < offset + limit:
        typos = expand_typos(session, backend, query.tokens)
        broad, total = _fetch(session, backend, broad_groups(query, typos), query, pool)
        seen = {c.track_id for c in candidates}
        candidates += [c for c in broad if c.track_id not in seen]
        total = max(total, len(candidates))
    grouped = ranking.group_versions(ranking.rank(candidates, query, typos))
    # The same recording is often on several releases (album, compilation, single): show one.
    ordered = ranking.drop_identical(grouped)
    total = max(total - (len(grouped) - len(ordered)), len(ordered))
    return CatalogHits([c.track_id for c in ordered[offset : offset + limit]], total)
