"""The search backend interface, the plain values it trades in, and the dialect registry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SearchDocument:
    """What the index stores for one track: folded text, a ranking weight, what ranking reads."""

    track_id: int
    title: str
    artists: str
    album: str
    prominence: float
    song_key: str  # the track's, for grouping versions (PostgreSQL keeps them with the document)
    normalised_title: str
    release_year: int | None


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a query word: indexed terms (all of them), the last one maybe a prefix."""

    term: str  # one term, or several separated by spaces that must all be present
    prefix: bool = False

    @property
    def terms(self) -> list[str]:
        """Return the terms this alternative requires."""
        return self.term.split()


# SQLite stores documents under a rowid that sorts like (-prominence, track_id): FTS5 then
# returns the most prominent matches first and a LIMIT stops the scan early.
RANK_CEILING = 1000.0


def ranked_rowid(track_id: int, prominence: float) -> int:
    """Return the document rowid ordering by prominence (high first), then track id."""
    bucket = max(0, min(1 << 20, round((RANK_CEILING - prominence) * 100)))
    return (bucket << 32) | track_id


# A query is a conjunction of groups; a group is a disjunction of alternatives.
MatchGroups = Sequence[Sequence[Alternative]]


class SearchBackend(Protocol):
    """Store search documents and turn match groups into SQL on one database dialect."""

    dialect: str
    documents_table: str
    document_id_column: str

    def plan_for(self, session: Session, groups: MatchGroups) -> str:
        """Return how `candidates` should find the matches of these groups (backend's own token)."""

    def candidates(self, where: str, plan: str, filtered: bool, pool: int) -> str:
        """Return a SELECT of the `pool` most prominent matches of `where` (on `s`; `t` too).

        The limit is written into the statement, not bound, so a plan that depends on it
        (PostgreSQL's) can be kept.

        Its columns are those of `ranking.Candidate`, in that order; `filtered` says that
        `where` also tests the track (alias `t`, joined on `t.id = s.track_id`).
        """

    def write_documents(self, session: Session, documents: Sequence[SearchDocument]) -> None:
        """Insert or replace the documents of these tracks."""

    def delete_documents(
        self, session: Session, track_ids: Sequence[int]
    ) -> list[tuple[str, str, str]]:
        """Remove the documents of these tracks; return their (title, artists, album) words."""

    def clear(self, session: Session) -> None:
        """Remove every document and every vocabulary term."""

    def terms_sharing_trigrams(self, session: Session, word: str, shared: int) -> list[str]:
        """Return vocabulary terms (length within 2) holding `shared`+ of the word's trigrams."""

    def match_clause(
        self, groups: MatchGroups, title_only: bool = False
    ) -> tuple[str, dict[str, Any]]:
        """Return a SQL condition (on alias `s`) for documents matching `groups` (in the title)."""


def trigram_sets(word: str, shared: int) -> list[tuple[str, ...]]:
    """Every choice of `shared` distinct trigrams of `word` (a term must hold one whole set)."""
    trigrams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
    return list(combinations(trigrams, shared))


TERMS_SHARING_LIMIT = 2000
