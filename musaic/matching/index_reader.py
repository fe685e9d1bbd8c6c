"""IndexReader: the ONLY code that reads the neighbour tables (and, inherited, the catalog).

It satisfies `musaic.matching.reads.IndexReads`, the Protocol matchers depend on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from musaic.matching.catalog_reader import CatalogReader, chunks
from musaic.matching.learned import LearnedRanker, load_ranker
from musaic.matching.popularity import popularity_thresholds
from musaic.matching.types import Neighbour, PopularityThresholds, TrackInfo
from musaic.models import ArtistNeighbour, IndexBuild, TrackNeighbour

# Callers import the reader and the values it returns from here.
__all__ = ["IndexReader", "Neighbour", "PopularityThresholds", "TrackInfo"]


def _kinds(kinds: str | Sequence[str]) -> list[str]:
    return [kinds] if isinstance(kinds, str) else sorted(set(kinds))


class IndexReader(CatalogReader):
    """Batch reads of the active similarity build, plus the catalog reads of CatalogReader.

    Every read is pinned to the build that was active at the reader's first read, so a request
    that started on the old build finishes on it (docs/index-contract.md).
    """

    def __init__(self, session: Session | scoped_session[Any]) -> None:
        super().__init__(session)
        self._build_id: int | None = None
        self._build_read = False

    @property
    def build_id(self) -> int | None:
        """Return the active ready build's id (read once per reader), or None without an index."""
        if not self._build_read:
            self._build_id = self.session.scalar(
                select(IndexBuild.id).where(IndexBuild.active, IndexBuild.status == "ready")
            )
            self._build_read = True
        return self._build_id

    def track_neighbours(
        self, track_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 100
    ) -> dict[int, list[Neighbour]]:
        """Return the top `limit` neighbours of each track by each of `kinds`, best first."""
        return self._neighbours(TrackNeighbour, TrackNeighbour.track_id, track_ids, kinds, limit)

    def artist_neighbours(
        self, artist_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 50
    ) -> dict[int, list[Neighbour]]:
        """Return the top `limit` neighbours of each artist by each of `kinds`, in rank order."""
        return self._neighbours(
            ArtistNeighbour, ArtistNeighbour.artist_id, artist_ids, kinds, limit
        )

    def _neighbours(
        self,
        table: type[TrackNeighbour] | type[ArtistNeighbour],
        source: Any,
        source_ids: Iterable[int],
        kinds: str | Sequence[str],
        limit: int,
    ) -> dict[int, list[Neighbour]]:
        """Read one neighbour table of the active build for many sources, in chunks."""
        ids = sorted(set(source_ids))
        if self.build_id is None or not ids:
            return {}
        found: dict[int, list[Neighbour]] = defaultdict(list)
        for chunk in chunks(ids):
            rows = self.session.execute(
                select(source, table.neighbour_id, table.score, table.support, table.kind)
                .where(
                    table.build_id == self.build_id,
                    table.kind.in_(_kinds(kinds)),
                    source.in_(chunk),
                    table.rank < limit,
                )
                .order_by(source, table.kind, table.rank)
            )
            for source_id, neighbour_id, score, support, kind in rows:
                found[source_id].append(Neighbour(neighbour_id, score, support, kind))
        return dict(found)

    def ranker_model(self, features: Sequence[str]) -> LearnedRanker | None:
        """Return the learned model stored with the active build, if it takes `features`."""
        return load_ranker(self.session, self.build_id, list(features))

    def popularity_thresholds(self) -> PopularityThresholds:
        """Return the catalog's popularity terciles, computed once per active build."""
        return popularity_thresholds(self.session, self.build_id)
