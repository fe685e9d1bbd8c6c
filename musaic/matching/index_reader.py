"""IndexReader: the ONLY code that reads the neighbour tables (and, inherited, the catalog).

It satisfies `musaic.matching.reads.IndexReads`, the Protocol matchers depend on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from itertools import repeat
from typing import Any

import numpy as np
from sqlalchemy import String, and_, bindparam, select
from sqlalchemy.orm import Session, scoped_session

from musaic.matching.catalog_reader import IDS, CatalogReader
from musaic.matching.learned import LearnedRanker, load_ranker
from musaic.matching.popularity import popularity_thresholds
from musaic.matching.reads import as_track_counts
from musaic.matching.types import (
    Neighbour,
    NeighbourArrays,
    PopularityThresholds,
    TrackCounts,
    TrackInfo,
)
from musaic.models import (
    ARTIST_TRACKS_K,
    ARTIST_TRACKS_KIND,
    Artist,
    ArtistNeighbourList,
    IndexBuild,
    TrackNeighbourList,
)
from musaic.models.index import (
    ID_TYPE,
    SCORE_TYPE,
    SUPPORT_TYPE,
    UnpackedList,
    unpack_columns,
)
from musaic.models.lists import in_list, list_param

# Callers import the reader and the values it returns from here.
__all__ = ["IndexReader", "Neighbour", "PopularityThresholds", "TrackInfo"]


_NEW_NEIGHBOUR = partial(tuple.__new__, Neighbour)  # C-level construction from a 4-tuple


def _list_read(table: type[TrackNeighbourList] | type[ArtistNeighbourList], source: Any) -> Any:
    """Return the one statement that reads many owners' lists of some kinds in one build."""
    return (
        select(source, table.kind, table.neighbour_ids, table.scores, table.support)
        .where(
            table.build_id == bindparam("build"),
            in_list(table.kind, list_param("kinds", String)),
            in_list(source, IDS),
        )
        .order_by(source, table.kind)
    )


_LIST_READS = {
    TrackNeighbourList: _list_read(TrackNeighbourList, TrackNeighbourList.track_id),
    ArtistNeighbourList: _list_read(ArtistNeighbourList, ArtistNeighbourList.artist_id),
}
_ACTIVE_BUILD = select(IndexBuild.id).where(IndexBuild.active, IndexBuild.status == "ready")
_TRACK_LISTS = (  # every asked-for artist's name, and its "tracks" list where the build has one
    select(
        Artist.id,
        Artist.name,
        ArtistNeighbourList.neighbour_ids,
        ArtistNeighbourList.scores,
        ArtistNeighbourList.support,
    )
    .outerjoin(
        ArtistNeighbourList,
        and_(
            ArtistNeighbourList.artist_id == Artist.id,
            ArtistNeighbourList.build_id == bindparam("build"),
            ArtistNeighbourList.kind == ARTIST_TRACKS_KIND,
        ),
    )
    .where(in_list(Artist.id, IDS))
    .order_by(Artist.id)
)


def _kinds(kinds: str | Sequence[str]) -> list[str]:
    return [kinds] if isinstance(kinds, str) else sorted(set(kinds))


def _decoded(kind: str, packed: UnpackedList) -> list[Neighbour]:
    """Turn one decoded list into Neighbour values (plain Python numbers)."""
    ids, scores = packed.neighbour_ids.tolist(), packed.scores.tolist()
    if len(ids) != len(scores):
        raise ValueError(f"packed list of {len(ids)} ids holds {len(scores)} scores")
    support = repeat(None) if packed.support is None else packed.support.tolist()
    return list(map(_NEW_NEIGHBOUR, zip(ids, scores, support, repeat(kind))))


def _track_counts(rows: Sequence[Sequence[Any]], per_artist: int) -> dict[int, TrackCounts]:
    """Decode _TRACK_LISTS rows' "tracks" lists (counts 0 where a list stores none)."""
    tracks = unpack_columns([row[2] for row in rows], ID_TYPE, np.int64, per_artist)
    counts = unpack_columns(
        [row[4] if row[4] is not None else bytes(len(row[2])) for row in rows],
        SUPPORT_TYPE,
        np.int64,
        per_artist,
    )
    return {row[0]: TrackCounts(t, c) for row, t, c in zip(rows, tracks, counts, strict=True)}


class IndexReader(CatalogReader):
    """Batch reads of the active similarity build, plus the catalog reads of CatalogReader.

    Every read is pinned to the build that was active at the reader's first read, so a request
    that started on the old build finishes on it (docs/index-contract.md).
    """

    def __init__(self, session: Session | scoped_session[Any], build_id: int | None = None) -> None:
        """Read the active build, or build `build_id` when given (a build not yet swapped in)."""
        super().__init__(session)
        self._build_id: int | None = build_id
        self._build_read = build_id is not None

    @property
    def build_id(self) -> int | None:
        """Return the active ready build's id (read once per reader), or None without an index."""
        if not self._build_read:
            active = self._rows(_ACTIVE_BUILD)
            self._build_id = active[0][0] if active else None
            self._build_read = True
        return self._build_id

    def track_neighbours(
        self, track_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 100
    ) -> dict[int, list[Neighbour]]:
        """Return the top `limit` neighbours of each track by each of `kinds`, best first."""
        return self._neighbours(
            TrackNeighbourList, TrackNeighbourList.track_id, track_ids, kinds, limit
        )

    def track_neighbour_arrays(
        self, track_ids: Iterable[int], kind: str, limit: int = 100
    ) -> dict[int, NeighbourArrays]:
        """Return the top `limit` neighbours of each track by `kind` as arrays, best first."""
        ids = sorted(set(track_ids))
        if self.build_id is None or not ids or limit <= 0:
            return {}
        wanted = {"build": self.build_id, "kinds": [kind], "ids": ids}
        rows = self._rows(_LIST_READS[TrackNeighbourList], wanted)
        neighbours = unpack_columns([r[2] for r in rows], ID_TYPE, np.int64, limit)
        scores = unpack_columns([r[3] for r in rows], SCORE_TYPE, np.float64, limit)
        pairs = zip(neighbours, scores, strict=True)
        return {row[0]: NeighbourArrays(*pair) for row, pair in zip(rows, pairs, strict=True)}

    def artist_neighbours(
        self, artist_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 50
    ) -> dict[int, list[Neighbour]]:
        """Return the top `limit` neighbours of each artist by each of `kinds`, in rank order."""
        return self._neighbours(
            ArtistNeighbourList, ArtistNeighbourList.artist_id, artist_ids, kinds, limit
        )

    def _neighbours(
        self,
        table: type[TrackNeighbourList] | type[ArtistNeighbourList],
        source: Any,
        source_ids: Iterable[int],
        kinds: str | Sequence[str],
        limit: int,
    ) -> dict[int, list[Neighbour]]:
        """Read one packed list per (source, kind) of the active build, in one query."""
        found: dict[int, list[Neighbour]] = defaultdict(list)
        for source_id, kind, packed in self._lists(table, source, source_ids, kinds, limit):
            found[source_id].extend(_decoded(kind, packed))
        return dict(found)

    def _lists(
        self,
        table: type[TrackNeighbourList] | type[ArtistNeighbourList],
        source: Any,
        source_ids: Iterable[int],
        kinds: str | Sequence[str],
        limit: int,
    ) -> Iterator[tuple[int, str, UnpackedList]]:
        """Yield (owner, kind, decoded list) per stored list, owners ascending, kinds sorted."""
        ids = sorted(set(source_ids))
        if self.build_id is None or not ids or limit <= 0:
            return
        wanted = {"build": self.build_id, "kinds": _kinds(kinds), "ids": ids}
        rows = self._rows(_LIST_READS[table], wanted)
        neighbours = unpack_columns([r[2] for r in rows], ID_TYPE, np.int64, limit)
        scores = unpack_columns([r[3] for r in rows], SCORE_TYPE, np.float64, limit)
        support = unpack_columns([r[4] or b"" for r in rows], SUPPORT_TYPE, np.int64, limit)
        for row, ids_, scores_, counts in zip(rows, neighbours, scores, support, strict=True):
            yield row[0], row[1], UnpackedList(ids_, scores_, None if row[4] is None else counts)

    def artist_top_tracks_counted(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, list[tuple[int, int]]]:
        """Return each artist's top tracks as (track id, playlist count), best first."""
        if per_artist > ARTIST_TRACKS_K or self.build_id is None:
            return super().artist_top_tracks_counted(artist_ids, per_artist)
        found = self.artist_top_track_arrays(artist_ids, per_artist)
        return {
            a: list(zip(c.ids.tolist(), c.counts.tolist(), strict=True)) for a, c in found.items()
        }

    def artist_top_track_arrays(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, TrackCounts]:
        """Return each artist's top tracks and their playlist counts as arrays, best first.

        Read from the active build's "tracks" lists in one query that also reads the artists'
        names (the hybrid asks for them next); artists the build does not list (met since it
        was built), or a longer list than it keeps, are read from the catalog as CatalogReader
        does.
        """
        ids = sorted(set(artist_ids))
        if per_artist > ARTIST_TRACKS_K or self.build_id is None or not ids:
            return as_track_counts(super().artist_top_tracks_counted(ids, per_artist))
        rows = self._rows(_TRACK_LISTS, {"build": self.build_id, "ids": ids})
        self._artist_names.remember(ids, {artist: name for artist, name, *_ in rows})
        found = _track_counts([row for row in rows if row[2] is not None], per_artist)
        missing = [a for a in ids if a not in found]
        if missing:
            found.update(as_track_counts(super().artist_top_tracks_counted(missing, per_artist)))
        return found

    def ranker_model(self, features: Sequence[str]) -> LearnedRanker | None:
        """Return the learned model stored with the active build, if it takes `features`."""
        return load_ranker(self.session, self.build_id, list(features))

    def popularity_thresholds(self) -> PopularityThresholds:
        """Return the catalog's popularity terciles, computed once per active build."""
        return popularity_thresholds(self.session, self.build_id)
