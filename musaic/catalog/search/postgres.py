"""PostgreSQL search backend: a weighted tsvector with a GIN index, pg_trgm for typos."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from musaic.catalog.search import vocabulary
from musaic.catalog.search.backend import (
    TERMS_SHARING_LIMIT,
    Alternative,
    MatchGroups,
    SearchDocument,
    trigram_sets,
)

_DOCUMENT = (
    "setweight(to_tsvector('simple', :title), 'A')"
    " || setweight(to_tsvector('simple', :artists), 'B')"
    " || setweight(to_tsvector('simple', :album), 'C')"
)


_CANDIDATE = (
    "s.track_id, s.title, s.artists, s.album, s.prominence, s.song_key, s.normalised_title,"
    " s.release_year"
)

# Below this many matching documents (estimated from the vocabulary's document counts) a bitmap
# scan and a top-N sort beat walking the prominence index and testing every row.
SORT_BELOW = 5000

# How a fetch finds its documents. Each is one plan whatever the words, and planning a
# search statement takes longer than running it (0.1-0.3 ms against 0.04 ms for a rare
# word). So the words reach the planner only as an uncorrelated subquery, `(SELECT
# to_tsquery(...))`, whose value it cannot see: every execution's plan costs the same, and
# PostgreSQL keeps one generic plan per prepared statement (psycopg prepares a statement run
# five times) instead of planning each search.
SORT = "sort"  # the GIN index gathers every match, a top-N sort keeps the most prominent
WALK = "walk"  # walk the prominence index, testing each document, until the page is full
DECIDE = "decide"  # the statement estimates the matches from the vocabulary and picks one

_MATCHES = "s.document @@ (SELECT to_tsquery('simple', :match))"
# The same test as a function call, which the planner does not take to the GIN index.
_TESTS = "ts_match_vq(s.document, (SELECT to_tsquery('simple', :match)))"
_BY_PROMINENCE = "s.prominence DESC, s.track_id"
_SORTED = "s.prominence + 0 DESC, s.track_id"  # "+ 0": not the index order, so a top-N sort

# The matches a query of whole words (and a prefix) may have, assuming its words occur
# independently, as the planner would: documents x the product of each word's share. NULL
# when no word has a count (a short prefix alone).
_ESTIMATE = (
    "WITH estimate AS (SELECT CASE WHEN min(c) = 0 THEN 0.0"
    f" ELSE exp(sum(ln(greatest(c, 1) / n.documents))) * n.documents END < {SORT_BELOW} AS few"
    " FROM (SELECT coalesce((SELECT doc_count FROM track_search_terms WHERE term = u.term),"
    " 0)::float8 FROM unnest((SELECT CAST(:estimate_terms AS text[]))) AS u(term)"
    " UNION ALL SELECT (SELECT coalesce(sum(doc_count), 0) FROM track_search_terms"
    " WHERE term >= p.low AND term < p.high)::float8"
    " FROM unnest((SELECT CAST(:estimate_lows AS text[])),"
    " (SELECT CAST(:estimate_highs AS text[]))) AS p(low, high)"
    ") AS counts(c), (SELECT greatest(reltuples, 1)::float8 AS documents FROM pg_class"
    " WHERE oid = 'track_search'::regclass) AS n GROUP BY n.documents) "
)


# A prefix this long is worth the GIN index; shorter ones are tested on what the rest finds.
INDEXED_PREFIX = 4


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _option(alternative: Alternative, weight: str) -> str:
    terms = [_lexeme(term) + (":" + weight if weight else "") for term in alternative.terms]
    if alternative.prefix:
        terms[-1] += "*" if weight else ":*"
    return terms[0] if len(terms) == 1 else "(" + " & ".join(terms) + ")"


class PostgresBackend:
    """Search over the `track_search` table (tsvector + GIN; migrations 0002, 0004 and 0007)."""

    dialect = "postgresql"
    documents_table = "track_search"
    document_id_column = "track_id"

    def plan_for(self, session: Session, groups: MatchGroups) -> str:
        """Say how to fetch the matches of `groups`: sort the few, walk the index for many.

        Whole words (a strict reading) leave it to the statement, which reads their counts
        itself; for alternatives (typo readings) the vocabulary's bound, already read, decides.
        """
        if groups and all(len(group) == 1 for group in groups):
            return DECIDE
        most = vocabulary.bound(session, groups)
        return WALK if most is None or most >= SORT_BELOW else SORT

    def candidates(self, where: str, plan: str, filtered: bool, pool: int) -> str:
        """Return a SELECT of the `pool` first matches, all read from the documents.

        A compact document (nearly all of them) is read from the covering prominence index,
        no table row visited (migration 0007); the few too long for an index row are asked
        for apart, through their own small index. A filtered fetch (artist:, year:) leaves the
        plan to the planner, which can weigh the filter's parameters against the words.
        """
        source = "track_search AS s"
        if filtered:
            source += " JOIN tracks AS t ON t.id = s.track_id"

        def part(condition: str, order: str, compact: str = "s.compact") -> str:
            return (
                f"(SELECT {_CANDIDATE} FROM {source} WHERE {condition} AND {compact}"
                f" ORDER BY {order} LIMIT {pool:d})"
            )

        walked = where.replace(_MATCHES, _TESTS)
        long = part(where, _BY_PROMINENCE, "NOT s.compact")
        if filtered:
            return f"{part(where, _BY_PROMINENCE)} UNION ALL {long}"
        if plan == SORT:
            return f"{part(where, _SORTED)} UNION ALL {long}"
        if plan == WALK:
            return f"{part(walked, _BY_PROMINENCE)} UNION ALL {long}"
        few = "(SELECT few FROM estimate)"
        return (
            f"{_ESTIMATE}{part(f'{where} AND {few}', _SORTED)} UNION ALL"
            f" {part(f'{walked} AND NOT coalesce({few}, false)', _BY_PROMINENCE)} UNION ALL {long}"
        )

    def write_documents(self, session: Session, documents: Sequence[SearchDocument]) -> None:
        """Insert or replace the documents of these tracks."""
        if not documents:
            return
        session.execute(
            text(
                "INSERT INTO track_search (track_id, title, artists, album, prominence, song_key,"
                " normalised_title, release_year, document) VALUES (:track_id, :title, :artists,"
                f" :album, :prominence, :song_key, :normalised_title, :release_year, {_DOCUMENT})"
                " ON CONFLICT (track_id) DO UPDATE SET title = excluded.title,"
                " artists = excluded.artists, album = excluded.album,"
                " prominence = excluded.prominence, song_key = excluded.song_key,"
                " normalised_title = excluded.normalised_title,"
                " release_year = excluded.release_year, document = excluded.document"
            ),
            [d.__dict__ for d in documents],
        )

    def delete_documents(
        self, session: Session, track_ids: Sequence[int]
    ) -> list[tuple[str, str, str]]:
        """Remove the documents of these tracks; return their (title, artists, album) words."""
        if not track_ids:
            return []
        statement = text(
            "DELETE FROM track_search WHERE track_id IN :ids RETURNING title, artists, album"
        )
        rows = session.execute(
            statement.bindparams(bindparam("ids", expanding=True)), {"ids": track_ids}
        )
        return [(title, artists, album) for title, artists, album in rows]

    def clear(self, session: Session) -> None:
        """Remove every document and every vocabulary term."""
        session.execute(text("TRUNCATE track_search, track_search_terms, track_search_term_keys"))

    def terms_sharing_trigrams(self, session: Session, word: str, shared: int) -> list[str]:
        """Return vocabulary terms (length within 2) holding `shared`+ of the word's trigrams."""
        sets = trigram_sets(word, shared)
        if not sets:
            return []
        params: dict[str, object] = {}
        ors = []
        for i, chosen in enumerate(sets):
            ands = []
            for j, trigram in enumerate(chosen):
                params[f"t{i}_{j}"] = f"%{trigram}%"
                ands.append(f"term LIKE :t{i}_{j}")
            ors.append("(" + " AND ".join(ands) + ")")
        rows = session.execute(
            text(
                f"SELECT term FROM track_search_terms WHERE ({' OR '.join(ors)})"
                " AND length(term) BETWEEN :shortest AND :longest ORDER BY term LIMIT :limit"
            ),
            {
                **params,
                "shortest": len(word) - 2,
                "longest": len(word) + 2,
                "limit": TERMS_SHARING_LIMIT,
            },
        )
        return [row[0] for row in rows]

    def match_clause(
        self, groups: MatchGroups, title_only: bool = False
    ) -> tuple[str, dict[str, Any]]:
        """Return a SQL condition (on alias `s`) that holds for documents matching `groups`.

        A short prefix (`s:*`) makes the GIN index gather every document holding any word
        with that start, which costs more than the rest of the search; SQLite has prefix
        indexes for it. So the index is asked without short prefixes (`ri & p:*` | `rip` as
        `ri` | `rip`), and a group that had one is tested whole on the documents it finds
        (`ts_match_vq` is `@@` without the index), unless nothing would be left to look up.
        """
        weight = "A" if title_only else ""
        whole = ["(" + " | ".join(_option(a, weight) for a in group) + ")" for group in groups]
        loose = [any(_short_prefix(a) for a in group) for group in groups]
        estimate = _estimate_params(groups)
        if not any(loose):
            return _MATCHES, {"match": " & ".join(whole), **estimate}
        looked_up = [_indexed(group, weight) for group in groups]
        if not any(looked_up):
            return _MATCHES, {"match": " & ".join(whole), **estimate}
        clause = f"{_MATCHES} AND {_TESTS.replace(':match', ':match_checked')}"
        checked = [part for part, short in zip(whole, loose, strict=True) if short]
        indexed = [part for part in looked_up if part]
        return clause, {
            "match": " & ".join(indexed),
            "match_checked": " & ".join(checked),
            **estimate,
        }


def _estimate_params(groups: MatchGroups) -> dict[str, Any]:
    """The words `_ESTIMATE` counts for a query of one alternative per group (else none).

    A prefix too short to add up (`vocabulary.MIN_BOUNDED_PREFIX`) is left out: it bounds
    nothing, so the estimate rests on the other words.
    """
    if any(len(group) != 1 for group in groups):
        return {}
    terms, lows = [], []
    for (alternative,) in groups:
        *whole, last = alternative.terms
        terms += whole
        if not alternative.prefix:
            terms.append(last)
        elif len(last) >= vocabulary.MIN_BOUNDED_PREFIX:
            lows.append(last)
    return {
        "estimate_terms": terms,
        "estimate_lows": lows,
        "estimate_highs": [vocabulary.after(low) for low in lows],
    }


def _short_prefix(alternative: Alternative) -> bool:
    return alternative.prefix and len(alternative.terms[-1]) < INDEXED_PREFIX


def _indexed(group: Sequence[Alternative], weight: str) -> str:
    """The group without its short prefixes, "" when an alternative has nothing else."""
    options = []
    for alternative in group:
        if not _short_prefix(alternative):
            options.append(_option(alternative, weight))
        elif len(alternative.terms) > 1:
            options.append(_option(Alternative(" ".join(alternative.terms[:-1])), weight))
        else:
            return ""
    return "(" + " | ".join(options) + ")"
