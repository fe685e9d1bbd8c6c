"""PostgreSQL search backend: a weighted tsvector with a GIN index, pg_trgm for typos."""

from __future__ import annotations

from collections.abc import Sequence

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

# Below this many matching documents (bounded by the vocabulary's document counts) a bitmap
# scan and a top-N sort beat walking the prominence index and testing every row.
SORT_BELOW = 5000


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
    rank_order = "s.prominence DESC, s.track_id"  # btree index from migration 0006

    def order_for(self, session: Session, groups: MatchGroups) -> str:
        """Walk the prominence index when many documents may match; else sort the few.

        A query of single words is left to the planner, which estimates those well; for
        alternatives (typo readings) the vocabulary's bound decides. Migration 0006 keeps the
        planner off parallel sequential scans, which it takes for cheap and which test every
        document's tsvector.
        """
        if all(len(group) == 1 for group in groups):
            return self.rank_order
        most = vocabulary.bound(session, groups)
        if most is None or most >= SORT_BELOW:
            return self.rank_order
        return "s.prominence + 0 DESC, s.track_id"  # "+ 0": not the index, a top-N sort

    def candidates(self, where: str, order: str, filtered: bool) -> str:
        """Return a SELECT of the `:pool` first matches, all read from the documents.

        A compact document (nearly all of them) is read from the covering prominence index,
        no table row visited (migration 0007); the few too long for an index row are asked
        for apart, through their own small index.
        """
        source = "track_search AS s"
        if filtered:
            source += " JOIN tracks AS t ON t.id = s.track_id"
        return " UNION ALL ".join(
            f"(SELECT {_CANDIDATE} FROM {source} WHERE {where} AND {compact}"
            f" ORDER BY {order} LIMIT :pool)"
            for compact in ("s.compact", "NOT s.compact")
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

    def delete_documents(self, session: Session, track_ids: Sequence[int]) -> None:
        """Remove the documents of these tracks."""
        if track_ids:
            statement = text("DELETE FROM track_search WHERE track_id IN :ids")
            session.execute(
                statement.bindparams(bindparam("ids", expanding=True)), {"ids": track_ids}
            )

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
    ) -> tuple[str, dict[str, str]]:
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
        if not any(loose):
            return "s.document @@ to_tsquery('simple', :match)", {"match": " & ".join(whole)}
        looked_up = [_indexed(group, weight) for group in groups]
        if not any(looked_up):
            return "s.document @@ to_tsquery('simple', :match)", {"match": " & ".join(whole)}
        clause = (
            "s.document @@ to_tsquery('simple', :match)"
            " AND ts_match_vq(s.document, to_tsquery('simple', :match_checked))"
        )
        checked = [part for part, short in zip(whole, loose, strict=True) if short]
        indexed = [part for part in looked_up if part]
        return clause, {"match": " & ".join(indexed), "match_checked": " & ".join(checked)}


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
