"""The facts read about tracks, turned into TrackInfo values only when something looks at them.

Generation reads the facts of ~130 tracks at once (the hybrid's tie-break contenders, which are
also what post-processing reads), but the tie-break needs only their playlist counts and
post-processing stops looking once the playlist is full: about half become TrackInfo values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import BindParameter, select

from musaic.matching.types import TrackInfo
from musaic.models import AUDIO_FEATURES, Artist, Track, TrackArtist
from musaic.models.lists import in_list, list_param

IDS: BindParameter[Any] = list_param("ids")
_ENERGY, _TEMPO = AUDIO_FEATURES.index("energy"), AUDIO_FEATURES.index("tempo")
TRACK_FACTS = (  # one row per credit (one with no artist for an uncredited track), in order
    select(
        Track.id,
        Track.title,
        Track.song_key,
        Track.release_year,
        Track.explicit,
        Track.popularity,
        Track.playlist_count,
        *(getattr(Track, name) for name in AUDIO_FEATURES),
        Artist.id,
        Artist.name,
    )
    .outerjoin(TrackArtist, TrackArtist.track_id == Track.id)
    .outerjoin(Artist, Artist.id == TrackArtist.artist_id)
    .where(in_list(Track.id, IDS))
    .order_by(Track.id, TrackArtist.position)
)
_COUNT = 6  # the playlist_count column of TRACK_FACTS


def features(values: Sequence[Any]) -> dict[str, float] | None:
    """Return the known audio features, or None without energy and tempo (has_audio_features)."""
    if values[_ENERGY] is None or values[_TEMPO] is None:
        return None  # most playlist-only tracks: no dict to build
    pairs = zip(AUDIO_FEATURES, values, strict=True)
    return {name: float(value) for name, value in pairs if value is not None}


class TrackFacts:
    """One track's TRACK_FACTS rows, and its TrackInfo once something asked for it."""

    __slots__ = ("_info", "rows")

    def __init__(self, rows: list[Sequence[Any]]) -> None:
        self.rows = rows
        self._info: TrackInfo | None = None

    @property
    def playlist_count(self) -> int:
        """Return how many playlists hold the track (no TrackInfo needed)."""
        return int(self.rows[0][_COUNT] or 0)

    def info(self) -> TrackInfo:
        """Return the track's TrackInfo, built on the first call."""
        if self._info is None:
            self._info = _track_info(self.rows)
        return self._info


def read_facts(rows: Sequence[Sequence[Any]]) -> dict[int, TrackFacts]:
    """Group TRACK_FACTS rows (ordered by track) into one TrackFacts per track."""
    return {track_id: TrackFacts(list(group)) for track_id, group in groupby(rows, itemgetter(0))}


def _track_info(rows: Sequence[Sequence[Any]]) -> TrackInfo:
    track_id, title, key, year, explicit, popularity, count, *values = rows[0][:-2]
    artists = [(row[-2], row[-1]) for row in rows if row[-2] is not None]
    return TrackInfo(
        id=track_id,
        title=title,
        song_key=key,
        artist_ids=tuple(a for a, _ in artists),
        artist_names=tuple(n for _, n in artists),
        release_year=year,
        explicit=None if explicit is None else bool(explicit),  # SQLite's driver gives 0/1
        popularity=popularity,
        playlist_count=count or 0,
        features=features(values),
    )


class TrackInfos(Mapping[int, TrackInfo]):
    """Track id -> TrackInfo over facts already read, each value built when first looked up."""

    def __init__(self, facts: dict[int, TrackFacts]) -> None:
        self._facts = facts

    def __getitem__(self, track_id: int) -> TrackInfo:
        return self._facts[track_id].info()

    def __contains__(self, track_id: object) -> bool:
        return track_id in self._facts

    def __iter__(self) -> Iterator[int]:
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)
