"""SQLite search backend: FTS5 documents, and an FTS5 trigram index over the vocabulary."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from musaic.catalog.search.backend import (
    TERMS_SHARING_LIMIT,
    Alternative,
    MatchGroups,
    SearchDocument,
    ranked_rowid,
    trigram_sets,
)


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _option(alternative: Alternative) -> str:
    terms = [_quote(term) for term in alternative.terms]
    if alternative.prefix:
        terms[-1] += "*"
    return terms[0] if len(terms) == 1 else "(" + " AND ".join(terms) + ")"


class SqliteFtsBackend:
    """Search over the `track_search` FTS5 table (migrations 0002 and 0006)."""

    dialect = "sqlite"
    documents_table = "track_search"
    document_id_column = "track_id"

    def plan_for(self, session: Session, groups: MatchGroups) -> str:
        """Return the one plan there is: rowid order (most prominent first), which FTS5 streams."""
        return "rowid"

    def candidates(self, where: str, plan: str, filtered: bool, pool: int) -> str:
        """Return a SELECT of the `pool` first matches, with what ranking reads of their tracks.

        The FTS5 table holds the text; song key, title and year come from `tracks` by rowid.
        """
        source = "track_search AS s"
        if filtered:
            source += " JOIN tracks AS t ON t.id = s.track_id"
        documents = (
            f"SELECT s.track_id, s.title, s.artists, s.album, s.prominence FROM {source}"
            f" WHERE {where} ORDER BY s.rowid LIMIT {pool:d}"
        )
        return (
            "SELECT d.track_id, d.title, d.artists, d.album, d.prominence, t.song_key,"
            f" t.normalised_title, t.release_year FROM ({documents}) AS d"
            " JOIN tracks AS t ON t.id = d.track_id"
        )

    def write_documents(self, session: Session, documents: Sequence[SearchDocument]) -> None:
        """Insert or replace the documents of these tracks, in rowid order.

        FTS5 starts a new segment whenever a rowid lower than the last one is written, so
        rowids in order keep the index a few large segments instead of many small ones.
        """
        self.delete_documents(session, [d.track_id for d in documents])
        # Rowids are unique (the track id is their low half): the sort never compares the text.
        rows = sorted(
            (
                ranked_rowid(d.track_id, d.prominence),
                d.title,
                d.artists,
                d.album,
                d.track_id,
                d.prominence,
            )
            for d in documents
        )
        if not rows:
            return
        connection = session.connection()
        connection.exec_driver_sql(
            "INSERT INTO track_search (rowid, title, artists, album, track_id, prominence)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        connection.exec_driver_sql(
            "INSERT INTO track_search_rows (track_id, doc_rowid) VALUES (?, ?)",
            [(row[4], row[0]) for row in rows],
        )

    def delete_documents(
        self, session: Session, track_ids: Sequence[int]
    ) -> list[tuple[str, str, str]]:
        """Remove the documents of these tracks.

        The documents are looked up in `track_search_rows` first and FTS5 is asked to delete
        only those found: a delete on FTS5 between two writes costs it as much as a real one,
        and during an import most tracks have no document yet. The ids go in as one JSON
        array rather than an IN list of bound parameters.
        """
        if not track_ids:
            return []
        connection = session.connection()
        ids = (json.dumps([int(i) for i in track_ids]),)
        found = connection.exec_driver_sql(
            "SELECT doc_rowid FROM track_search_rows"
            " WHERE track_id IN (SELECT value FROM json_each(?))",
            ids,
        ).all()
        if not found:
            return []
        rowids = (json.dumps([row[0] for row in found]),)
        words = connection.exec_driver_sql(
            "SELECT title, artists, album FROM track_search"
            " WHERE rowid IN (SELECT value FROM json_each(?))",
            rowids,
        ).all()
        connection.exec_driver_sql(
            "DELETE FROM track_search WHERE rowid IN (SELECT value FROM json_each(?))", rowids
        )
        connection.exec_driver_sql(
            "DELETE FROM track_search_rows WHERE track_id IN (SELECT value FROM json_each(?))", ids
        )
        return [(title, artists, album) for title, artists, album in words]

    def clear(self, session: Session) -> None:
        """Remove every document and every vocabulary term."""
        for table in ("track_search", "track_search_rows", "track_search_terms"):
            session.execute(text(f"DELETE FROM {table}"))
        session.execute(text("DELETE FROM track_search_term_keys"))

    def terms_sharing_trigrams(self, session: Session, word: str, shared: int) -> list[str]:
        """Return vocabulary terms (length within 2) holding `shared`+ of the word's trigrams."""
        sets = trigram_sets(word, shared)
        if not sets:
            return []
        expression = " OR ".join("(" + " AND ".join(map(_quote, s)) + ")" for s in sets)
        rows = session.execute(
            text(
                "SELECT term FROM track_search_term_trigrams WHERE track_search_term_trigrams"
                " MATCH :expression AND length(term) BETWEEN :shortest AND :longest"
                " ORDER BY term LIMIT :limit"
            ),
            {
                "expression": expression,
                "shortest": len(word) - 2,
                "longest": len(word) + 2,
                "limit": TERMS_SHARING_LIMIT,
            },
        )
        return [row[0] for row in rows]

    def match_clause(
        self, groups: MatchGroups, title_only: bool = False
    ) -> tuple[str, dict[str, Any]]:
        """Return a SQL condition (on alias `s`) that holds for documents matching `groups`."""
        parts = []
        for group in groups:
            options = [_option(a) for a in group]
            parts.append("(" + " OR ".join(options) + ")")
        expression = " AND ".join(parts)
        if title_only:
            expression = "title : (" + expression + ")"
        return "s.track_search MATCH :match", {"match": expression}
