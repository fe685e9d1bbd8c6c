"""FakeIndex: an in-memory IndexReads for matcher and post-processing rule tests (no SQL)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import count

import numpy as np

from musaic.catalog.normalise import song_key
from musaic.matching.reads import RowScorer, as_arrays, as_track_counts
from musaic.matching.types import (
    Neighbour,
    NeighbourArrays,
    PopularityThresholds,
    Seed,
    TrackCounts,
    TrackInfo,
)

Row = tuple[int, float, int | None]  # (neighbour id, score, support), best first


def _kinds(kinds: str | Sequence[str]) -> list[str]:
    return [kinds] if isinstance(kinds, str) else sorted(set(kinds))


def _terciles(values: list[int]) -> tuple[int, int] | None:
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[len(ordered) // 3], ordered[(2 * len(ordered)) // 3]


class FakeIndex:
    """Artists, tracks, tags and neighbour rows in dicts, answering every IndexReads read."""

    def __init__(self) -> None:
        self.tracks: dict[int, TrackInfo] = {}
        self.names: dict[int, str] = {}
        self.tags: dict[int, list[tuple[int, str]]] = defaultdict(list)  # strongest first
        self.tag_ids: dict[str, int] = {}
        self.track_rows: dict[tuple[int, str], list[Neighbour]] = {}
        self.artist_rows: dict[tuple[int, str], list[Neighbour]] = {}
        self._ids = count(1)
        self.scorer: RowScorer | None = None  # what ranker_model returns

    def add_artist(
        self, name: str, tags: Sequence[str] = (), artist_id: int | None = None,
        tag_ids: Sequence[int] = (),
    ) -> int:  # fmt: skip
        """Add an artist with tags (equal weights; ids given or made up); return its id."""
        artist_id = next(self._ids) if artist_id is None else artist_id
        self.names[artist_id] = name
        for i, tag in enumerate(tags):
            made_up = self.tag_ids.get(tag, len(self.tag_ids) + 1)
            tag_id = self.tag_ids[tag] = tag_ids[i] if i < len(tag_ids) else made_up
            self.tags[artist_id].append((tag_id, tag))
        self.tags[artist_id].sort(key=lambda t: t[1])  # equal weights: by name, as the SQL
        return artist_id

    def add_track(self, info: TrackInfo) -> int:
        """Add a track given as a TrackInfo (see `track` for the usual way); return its id."""
        self.tracks[info.id] = info
        return info.id

    def track(
        self,
        title: str,
        artist_ids: int | Sequence[int],
        *,
        playlist_count: int = 0,
        popularity: int | None = None,
        year: int | None = 2010,
        explicit: bool = False,
        features: dict[str, float] | None = None,
    ) -> int:
        """Add a track credited to `artist_ids` (first = primary); return its id."""
        ids = (artist_ids,) if isinstance(artist_ids, int) else tuple(artist_ids)
        names = tuple(self.names[a] for a in ids)
        key = song_key(names[0], title)
        info = TrackInfo(
            next(self._ids), title, key, ids, names, year, explicit, popularity,
            playlist_count, features,
        )  # fmt: skip
        return self.add_track(info)

    def add_track_neighbours(self, kind: str, track_id: int, rows: Sequence[Row]) -> None:
        """Store one track's neighbour rows of `kind`, best first."""
        self.track_rows[(track_id, kind)] = _stored(kind, rows)

    def add_artist_neighbours(self, kind: str, artist_id: int, rows: Sequence[Row]) -> None:
        """Store one artist's neighbour rows of `kind`, best first."""
        self.artist_rows[(artist_id, kind)] = _stored(kind, rows)

    # --- IndexReads ---------------------------------------------------------------------

    def track_neighbours(
        self, track_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 100
    ) -> dict[int, list[Neighbour]]:
        """Return the top `limit` rows per kind (kinds sorted), as the SQL reader orders them."""
        return self._rows(self.track_rows, track_ids, kinds, limit)

    def track_neighbour_arrays(
        self, track_ids: Iterable[int], kind: str, limit: int = 100
    ) -> dict[int, NeighbourArrays]:
        """Return track_neighbours for one kind as arrays."""
        return as_arrays(self.track_neighbours(track_ids, kind, limit))

    def artist_neighbours(
        self, artist_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 50
    ) -> dict[int, list[Neighbour]]:
        """Return the top `limit` artist rows per kind (kinds sorted)."""
        return self._rows(self.artist_rows, artist_ids, kinds, limit)

    @staticmethod
    def _rows(
        table: dict[tuple[int, str], list[Neighbour]],
        ids: Iterable[int],
        kinds: str | Sequence[str],
        limit: int,
    ) -> dict[int, list[Neighbour]]:
        found: dict[int, list[Neighbour]] = {}
        for source in sorted(set(ids)):
            rows = [n for kind in _kinds(kinds) for n in table.get((source, kind), [])[:limit]]
            if rows:
                found[source] = rows
        return found

    def track_infos(self, track_ids: Iterable[int]) -> dict[int, TrackInfo]:
        """Return the facts of the tracks that exist."""
        return {t: self.tracks[t] for t in sorted(set(track_ids)) if t in self.tracks}

    def seed(self, track_id: int) -> Seed | None:
        """Return the Seed of a track."""
        info = self.tracks.get(track_id)
        if info is None:
            return None
        return Seed(info.id, info.artist_ids, info.song_key, info.features, info.playlist_count)

    def playlist_counts(self, track_ids: Iterable[int]) -> dict[int, int]:
        """Return each existing track's playlist count."""
        return {t: info.playlist_count for t, info in self.track_infos(track_ids).items()}

    def artist_top_tracks(self, artist_ids: Iterable[int], per_artist: int) -> dict[int, list[int]]:
        """Return each artist's most-playlisted tracks, best first."""
        counted = self.artist_top_tracks_counted(artist_ids, per_artist)
        return {a: [t for t, _ in tracks] for a, tracks in counted.items()}

    def artist_top_tracks_counted(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, list[tuple[int, int]]]:
        """Order by playlist count, then popularity (unknown last), then id."""
        found: dict[int, list[tuple[int, int]]] = {}
        for artist_id in sorted(set(artist_ids)):
            mine = [i for i in self.tracks.values() if artist_id in i.artist_ids]
            mine.sort(
                key=lambda i: (-i.playlist_count, i.popularity is None, -(i.popularity or 0), i.id)
            )
            if mine:
                found[artist_id] = [(i.id, i.playlist_count) for i in mine[:per_artist]]
        return found

    def artist_top_track_arrays(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, TrackCounts]:
        """Return artist_top_tracks_counted as arrays."""
        return as_track_counts(self.artist_top_tracks_counted(artist_ids, per_artist))

    def co_credited_artists(self, artist_ids: Iterable[int], limit: int = 20) -> dict[int, int]:
        """Count tracks shared with `artist_ids`, per other artist."""
        ids = set(artist_ids)
        shared: Counter[int] = Counter()
        for info in self.tracks.values():
            if ids & set(info.artist_ids):
                shared.update(a for a in info.artist_ids if a not in ids)
        ordered = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
        return dict(ordered[:limit])

    def artist_names(self, artist_ids: Iterable[int]) -> dict[int, str]:
        """Return the names of the artists that exist."""
        return {a: self.names[a] for a in sorted(set(artist_ids)) if a in self.names}

    def artist_tags(self, artist_ids: Iterable[int]) -> dict[int, dict[int, str]]:
        """Return each tagged artist's tags, strongest first."""
        found = {a: dict(self.tags[a]) for a in sorted(set(artist_ids)) if self.tags.get(a)}
        return found

    def artists_sharing_tags(
        self, tag_ids: Iterable[int], exclude: Iterable[int], limit: int = 30
    ) -> dict[int, int]:
        """Count how many of `tag_ids` each other artist carries."""
        wanted, skip = set(tag_ids), set(exclude)
        shared = {
            a: len(wanted & {t for t, _ in tags}) for a, tags in self.tags.items() if a not in skip
        }
        ordered = sorted(((a, n) for a, n in shared.items() if n), key=lambda i: (-i[1], i[0]))
        return dict(ordered[:limit])

    def audio_candidates(self, features: dict[str, float], limit: int = 2000) -> list[TrackInfo]:
        """Return tracks within 0.2 energy and 25 bpm, most-playlisted first."""
        energy, tempo = features.get("energy"), features.get("tempo")
        if energy is None or tempo is None:
            return []
        near = [
            i
            for i in self.tracks.values()
            if i.features
            and abs(i.features["energy"] - energy) <= 0.2
            and abs(i.features["tempo"] - tempo) <= 25.0
        ]
        near.sort(key=lambda i: (-i.playlist_count, i.id))
        return near[:limit]

    def popularity_thresholds(self) -> PopularityThresholds:
        """Return the terciles of playlist counts and known popularity, and the top count."""
        counts = [i.playlist_count for i in self.tracks.values()]
        known = [i.popularity for i in self.tracks.values() if i.popularity is not None]
        return PopularityThresholds(
            _terciles(counts) or (0, 0), _terciles(known), max(counts, default=0)
        )

    def ranker_model(self, features: Sequence[str]) -> RowScorer | None:
        """Return `self.scorer` (None: no learned model)."""
        return self.scorer


def _stored(kind: str, rows: Sequence[Row]) -> list[Neighbour]:
    """Return rows as the index holds them: scores are float32 (docs/index-contract.md)."""
    return [Neighbour(n, float(np.float32(s)), sup, kind) for n, s, sup in rows]
