"""SQLite search backend: FTS5 documents, and an FTS5 trigram index over the vocabulary."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from musaic.catalog.search.backend import MatchGroups, SearchDocument


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class SqliteFtsBackend:
    """Search over the `track_search` FTS5 table created by migration 0002."""

    dialect = "sqlite"
    documents_table = "track_search"
    document_id_column = "rowid"

    def write_documents(self, session: Session, documents: Sequence[SearchDocument]) -> None:
        """Insert or replace the documents of these tracks."""
        self.delete_documents(session, [d.track_id for d in documents])
        if documents:
            session.execute(
                text(
                    "INSERT INTO track_search (rowid, title, artists, album, prominence)"
                    " VALUES (:track_id, :title, :artists, :album, :prominence)"
                ),
                [d.__dict__ for d in documents],
            )

    def delete_documents(self, session: Session, track_ids: Sequence[int]) -> None:
        """Remove the documents of these tracks."""
        if track_ids:
            statement = text("DELETE FROM track_search WHERE rowid IN :ids")
            session.execute(
                statement.bindparams(bindparam("ids", expanding=True)), {"ids": track_ids}
            )

    def clear(self, session: Session) -> None:
        """Remove every document and every vocabulary term."""
        session.execute(text("DELETE FROM track_search"))
        session.execute(text("DELETE FROM track_search_terms"))

    def add_terms(self, session: Session, terms: Iterable[str]) -> None:
        """Add words to the vocabulary used for typo tolerance (existing ones are kept)."""
        rows = [{"term": t, "letters": "".join(sorted(t))} for t in sorted(set(terms))]
        if rows:
            session.execute(
                text(
                    "INSERT OR IGNORE INTO track_search_terms (term, letters)"
                    " VALUES (:term, :letters)"
                ),
                rows,
            )

    def similar_terms(self, session: Session, word: str, limit: int) -> list[str]:
        """Return vocabulary terms sharing many trigrams with `word`, most similar first."""
        trigrams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
        if not trigrams:
            return []
        expression = " OR ".join(_quote(t) for t in trigrams)
        rows = session.execute(
            text(
                "SELECT term FROM track_search_term_trigrams WHERE track_search_term_trigrams"
                " MATCH :expression AND length(term) BETWEEN :shortest AND :longest"
                " ORDER BY rank LIMIT :limit"
            ),
            {
                "expression": expression,
                "shortest": len(word) - 2,
                "longest": len(word) + 2,
                "limit": limit,
            },
        )
        return [row[0] for row in rows]

    def match_clause(self, groups: MatchGroups) -> tuple[str, dict[str, str]]:
        """Return a SQL condition (on alias `s`) that holds for documents matching `groups`."""
        parts = []
        for group in groups:
            options = [_quote(a.term) + ("*" if a.prefix else "") for a in group]
            parts.append("(" + " OR ".join(options) + ")")
        return "s.track_search MATCH :match", {"match": " AND ".join(parts)}
