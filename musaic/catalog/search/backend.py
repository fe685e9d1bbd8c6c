"""The search backend interface, the plain values it trades in, and the dialect registry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SearchDocument:
    """What the index stores for one track: folded text plus a ranking weight."""

    track_id: int
    title: str
    artists: str
    album: str
    prominence: float


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a query word: an indexed term, matched whole or as a prefix."""

    term: str
    prefix: bool = False


# A query is a conjunction of groups; a group is a disjunction of alternatives.
MatchGroups = Sequence[Sequence[Alternative]]


class SearchBackend(Protocol):
    """Store search documents and turn match groups into SQL on one database dialect."""

    dialect: str
    documents_table: str
    document_id_column: str

    def write_documents(self, session: Session, documents: Sequence[SearchDocument]) -> None:
        """Insert or replace the documents of these tracks."""

    def delete_documents(self, session: Session, track_ids: Sequence[int]) -> None:
        """Remove the documents of these tracks."""

    def clear(self, session: Session) -> None:
        """Remove every document and every vocabulary term."""

    def add_terms(self, session: Session, terms: Iterable[str]) -> None:
        """Add words to the vocabulary used for typo tolerance (existing ones are kept)."""

    def similar_terms(self, session: Session, word: str, limit: int) -> list[str]:
        """Return vocabulary terms sharing many trigrams with `word`, most similar first."""

    def match_clause(self, groups: MatchGroups) -> tuple[str, dict[str, str]]:
        """Return a SQL condition (on alias `s`) that holds for documents matching `groups`."""
