"""IndexReads: the reads matchers and post-processing need, as a Protocol.

The SQL reader (`musaic.matching.index_reader.IndexReader`) satisfies it; so does the in-memory
fake the rule tests use (tests/matching/fake_index.py), and the evaluation's cold-seed view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from musaic.matching.types import (
    Neighbour,
    NeighbourArrays,
    PopularityThresholds,
    Seed,
    TrackCounts,
    TrackInfo,
)

FloatMatrix = npt.NDArray[np.float64]


class RowScorer(Protocol):
    """A learned model: one score per row of features, higher is better."""

    def score(self, rows: FloatMatrix) -> FloatMatrix:
        """Score each row."""
        ...


class IndexReads(Protocol):
    """Batch reads of the active similarity build and of the catalog facts matchers use."""

    def track_neighbours(
        self, track_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 100
    ) -> dict[int, list[Neighbour]]:
        """Return the top `limit` neighbours of each track per kind (kinds sorted), best first."""
        ...

    def track_neighbour_arrays(
        self, track_ids: Iterable[int], kind: str, limit: int = 100
    ) -> dict[int, NeighbourArrays]:
        """Return what track_neighbours returns for one kind, as arrays (no Python objects)."""
        ...

    def artist_neighbours(
        self, artist_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 50
    ) -> dict[int, list[Neighbour]]:
        """Return the top `limit` neighbours of each artist per kind (kinds sorted), best first."""
        ...

    def track_infos(self, track_ids: Iterable[int]) -> Mapping[int, TrackInfo]:
        """Return plain facts about each of the given tracks that exists."""
        ...

    def seed(self, track_id: int) -> Seed | None:
        """Return the Seed for a catalog track, or None when the track does not exist."""
        ...

    def playlist_counts(self, track_ids: Iterable[int]) -> dict[int, int]:
        """Return how many playlists hold each of the given tracks."""
        ...

    def artist_top_tracks(self, artist_ids: Iterable[int], per_artist: int) -> dict[int, list[int]]:
        """Return each artist's most-playlisted tracks, best first."""
        ...

    def artist_top_tracks_counted(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, list[tuple[int, int]]]:
        """Return each artist's top tracks as (track id, playlist count), best first."""
        ...

    def artist_top_track_arrays(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, TrackCounts]:
        """Return what artist_top_tracks_counted returns, as arrays (no Python objects)."""
        ...

    def co_credited_artists(self, artist_ids: Iterable[int], limit: int = 20) -> dict[int, int]:
        """Return artists credited on the same tracks as `artist_ids`, with shared-track counts."""
        ...

    def artist_names(self, artist_ids: Iterable[int]) -> dict[int, str]:
        """Return the names of the given artists."""
        ...

    def artist_tags(self, artist_ids: Iterable[int]) -> dict[int, dict[int, str]]:
        """Return each artist's tags as {tag id: tag name}, strongest first."""
        ...

    def artists_sharing_tags(
        self, tag_ids: Iterable[int], exclude: Iterable[int], limit: int = 30
    ) -> dict[int, int]:
        """Return artists carrying the most of `tag_ids` (excluding `exclude`), with counts."""
        ...

    def audio_candidates(self, features: dict[str, float], limit: int = 2000) -> list[TrackInfo]:
        """Return up to `limit` tracks near `features` in energy and tempo."""
        ...

    def popularity_thresholds(self) -> PopularityThresholds:
        """Return the catalog's popularity terciles and top playlist count."""
        ...

    def ranker_model(self, features: Sequence[str]) -> RowScorer | None:
        """Return the learned model of the active build if it takes `features`, else None."""
        ...


def as_arrays(rows: dict[int, list[Neighbour]]) -> dict[int, NeighbourArrays]:
    """Return neighbour lists as arrays (for readers that hold them as Neighbour values)."""
    return {
        owner: NeighbourArrays(
            np.fromiter((n.neighbour_id for n in found), dtype=np.int64, count=len(found)),
            np.fromiter((n.score for n in found), dtype=np.float64, count=len(found)),
        )
        for owner, found in rows.items()
    }


def as_track_counts(counted: dict[int, list[tuple[int, int]]]) -> dict[int, TrackCounts]:
    """Return (track id, playlist count) lists as arrays (for readers that hold them as tuples)."""
    return {
        owner: TrackCounts(
            np.fromiter((t for t, _ in tracks), dtype=np.int64, count=len(tracks)),
            np.fromiter((c for _, c in tracks), dtype=np.int64, count=len(tracks)),
        )
        for owner, tracks in counted.items()
    }


class ForwardingReads:
    """IndexReads that hand every read to `inner`: views override only the reads they change."""

    def __init__(self, inner: IndexReads) -> None:
        self.inner = inner

    def track_neighbour_arrays(
        self, track_ids: Iterable[int], kind: str, limit: int = 100
    ) -> dict[int, NeighbourArrays]:
        """Return this view's track_neighbours as arrays, so a view overrides only that read."""
        return as_arrays(self.track_neighbours(track_ids, kind, limit))

    def track_neighbours(
        self, track_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 100
    ) -> dict[int, list[Neighbour]]:
        """Forward to `inner`."""
        return self.inner.track_neighbours(track_ids, kinds, limit)

    def artist_neighbours(
        self, artist_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 50
    ) -> dict[int, list[Neighbour]]:
        """Forward to `inner`."""
        return self.inner.artist_neighbours(artist_ids, kinds, limit)

    def track_infos(self, track_ids: Iterable[int]) -> Mapping[int, TrackInfo]:
        """Forward to `inner`."""
        return self.inner.track_infos(track_ids)

    def seed(self, track_id: int) -> Seed | None:
        """Forward to `inner`."""
        return self.inner.seed(track_id)

    def playlist_counts(self, track_ids: Iterable[int]) -> dict[int, int]:
        """Forward to `inner`."""
        return self.inner.playlist_counts(track_ids)

    def artist_top_tracks(self, artist_ids: Iterable[int], per_artist: int) -> dict[int, list[int]]:
        """Forward to `inner`."""
        return self.inner.artist_top_tracks(artist_ids, per_artist)

    def artist_top_tracks_counted(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, list[tuple[int, int]]]:
        """Forward to `inner`."""
        return self.inner.artist_top_tracks_counted(artist_ids, per_artist)

    def artist_top_track_arrays(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, TrackCounts]:
        """Return this view's artist_top_tracks_counted as arrays (views override only that)."""
        return as_track_counts(self.artist_top_tracks_counted(artist_ids, per_artist))

    def co_credited_artists(self, artist_ids: Iterable[int], limit: int = 20) -> dict[int, int]:
        """Forward to `inner`."""
        return self.inner.co_credited_artists(artist_ids, limit)

    def artist_names(self, artist_ids: Iterable[int]) -> dict[int, str]:
        """Forward to `inner`."""
        return self.inner.artist_names(artist_ids)

    def artist_tags(self, artist_ids: Iterable[int]) -> dict[int, dict[int, str]]:
        """Forward to `inner`."""
        return self.inner.artist_tags(artist_ids)

    def artists_sharing_tags(
        self, tag_ids: Iterable[int], exclude: Iterable[int], limit: int = 30
    ) -> dict[int, int]:
        """Forward to `inner`."""
        return self.inner.artists_sharing_tags(tag_ids, exclude, limit)

    def audio_candidates(self, features: dict[str, float], limit: int = 2000) -> list[TrackInfo]:
        """Forward to `inner`."""
        return self.inner.audio_candidates(features, limit)

    def popularity_thresholds(self) -> PopularityThresholds:
        """Forward to `inner`."""
        return self.inner.popularity_thresholds()

    def ranker_model(self, features: Sequence[str]) -> RowScorer | None:
        """Forward to `inner`."""
        return self.inner.ranker_model(features)
