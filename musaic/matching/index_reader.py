"""IndexReader: the ONLY code that reads the neighbour tables and the catalog for matchers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, scoped_session

from musaic.matching.base import Seed
from musaic.models import (
    AUDIO_FEATURES,
    Artist,
    ArtistNeighbour,
    ArtistTag,
    IndexBuild,
    Tag,
    Track,
    TrackArtist,
    TrackNeighbour,
)

FLOW_FEATURES = ("energy", "tempo")


@dataclass(frozen=True)
class Neighbour:
    """One row of a neighbour list: who, how close (higher is closer), and the raw count."""

    neighbour_id: int
    score: float
    support: int | None
    kind: str


@dataclass(frozen=True)
class TrackInfo:
    """What matchers and post-processing need to know about a track, as plain values."""

    id: int
    title: str
    song_key: str
    artist_ids: tuple[int, ...]
    artist_names: tuple[str, ...]
    release_year: int | None
    explicit: bool | None
    popularity: int | None
    playlist_count: int
    features: dict[str, float] | None


@dataclass(frozen=True)
class PopularityThresholds:
    """The catalog's lower and upper terciles of playlist_count and popularity."""

    playlist_count: tuple[int, int]
    popularity: tuple[int, int] | None


def _features(track: Track) -> dict[str, float] | None:
    if not track.has_audio_features:
        return None
    values = {name: getattr(track, name) for name in AUDIO_FEATURES}
    return {name: float(value) for name, value in values.items() if value is not None}


class IndexReader:
    """Batch reads of the active similarity build and the catalog (no per-track queries)."""

    def __init__(self, session: Session | scoped_session[Any]) -> None:
        self.session = session
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
        self, track_ids: Iterable[int], kind: str, limit: int = 100
    ) -> dict[int, list[Neighbour]]:
        """Return the top `limit` neighbours of each track by `kind`, best first."""
        ids = sorted(set(track_ids))
        if self.build_id is None or not ids:
            return {}
        rows = self.session.execute(
            select(TrackNeighbour)
            .where(
                TrackNeighbour.build_id == self.build_id,
                TrackNeighbour.kind == kind,
                TrackNeighbour.track_id.in_(ids),
                TrackNeighbour.rank < limit,
            )
            .order_by(TrackNeighbour.track_id, TrackNeighbour.rank)
        ).scalars()
        found: dict[int, list[Neighbour]] = defaultdict(list)
        for row in rows:
            found[row.track_id].append(Neighbour(row.neighbour_id, row.score, row.support, kind))
        return dict(found)

    def artist_neighbours(
        self, artist_ids: Iterable[int], kinds: Sequence[str], limit: int = 50
    ) -> dict[int, list[Neighbour]]:
        """Return the top `limit` neighbours of each artist by each of `kinds`, in rank order."""
        ids = sorted(set(artist_ids))
        if self.build_id is None or not ids:
            return {}
        rows = self.session.execute(
            select(ArtistNeighbour)
            .where(
                ArtistNeighbour.build_id == self.build_id,
                ArtistNeighbour.kind.in_(list(kinds)),
                ArtistNeighbour.artist_id.in_(ids),
                ArtistNeighbour.rank < limit,
            )
            .order_by(ArtistNeighbour.artist_id, ArtistNeighbour.kind, ArtistNeighbour.rank)
        ).scalars()
        found: dict[int, list[Neighbour]] = defaultdict(list)
        for row in rows:
            found[row.artist_id].append(
                Neighbour(row.neighbour_id, row.score, row.support, row.kind)
            )
        return dict(found)

    def artist_top_tracks(self, artist_ids: Iterable[int], per_artist: int) -> dict[int, list[int]]:
        """Return each artist's most-playlisted tracks (credited in any position), best first."""
        ids = sorted(set(artist_ids))
        if not ids:
            return {}
        position = (
            func.row_number()
            .over(
                partition_by=TrackArtist.artist_id,
                order_by=(
                    Track.playlist_count.desc(),
                    Track.popularity.desc().nulls_last(),
                    Track.id,
                ),
            )
            .label("position")
        )
        ranked = (
            select(TrackArtist.artist_id, Track.id.label("track_id"), position)
            .join(Track, Track.id == TrackArtist.track_id)
            .where(TrackArtist.artist_id.in_(ids))
            .subquery()
        )
        rows = self.session.execute(
            select(ranked.c.artist_id, ranked.c.track_id)
            .where(ranked.c.position <= per_artist)
            .order_by(ranked.c.artist_id, ranked.c.position)
        )
        found: dict[int, list[int]] = defaultdict(list)
        for artist_id, track_id in rows:
            found[artist_id].append(track_id)
        return dict(found)

    def co_credited_artists(self, artist_ids: Iterable[int], limit: int = 20) -> dict[int, int]:
        """Return artists credited on the same tracks as `artist_ids`, with shared-track counts."""
        ids = sorted(set(artist_ids))
        if not ids:
            return {}
        mine = select(TrackArtist.track_id).where(TrackArtist.artist_id.in_(ids)).subquery()
        shared = func.count(TrackArtist.track_id)
        rows = self.session.execute(
            select(TrackArtist.artist_id, shared)
            .where(TrackArtist.track_id.in_(select(mine.c.track_id)))
            .where(TrackArtist.artist_id.not_in(ids))
            .group_by(TrackArtist.artist_id)
            .order_by(shared.desc(), TrackArtist.artist_id)
            .limit(limit)
        )
        return {artist_id: count for artist_id, count in rows}

    def artist_names(self, artist_ids: Iterable[int]) -> dict[int, str]:
        """Return the names of the given artists."""
        ids = sorted(set(artist_ids))
        if not ids:
            return {}
        rows = self.session.execute(select(Artist.id, Artist.name).where(Artist.id.in_(ids)))
        return {artist_id: name for artist_id, name in rows}

    def artist_tags(self, artist_ids: Iterable[int]) -> dict[int, dict[int, str]]:
        """Return each artist's tags as {tag id: tag name}."""
        ids = sorted(set(artist_ids))
        if not ids:
            return {}
        rows = self.session.execute(
            select(ArtistTag.artist_id, Tag.id, Tag.name)
            .join(Tag, Tag.id == ArtistTag.tag_id)
            .where(ArtistTag.artist_id.in_(ids))
            .order_by(ArtistTag.artist_id, ArtistTag.weight.desc(), Tag.name)
        )
        found: dict[int, dict[int, str]] = defaultdict(dict)
        for artist_id, tag_id, name in rows:
            found[artist_id][tag_id] = name
        return dict(found)

    def artists_sharing_tags(
        self, tag_ids: Iterable[int], exclude: Iterable[int], limit: int = 30
    ) -> dict[int, int]:
        """Return artists carrying the most of `tag_ids` (excluding `exclude`), with counts."""
        tags = sorted(set(tag_ids))
        if not tags:
            return {}
        shared = func.count(ArtistTag.tag_id)
        rows = self.session.execute(
            select(ArtistTag.artist_id, shared)
            .where(ArtistTag.tag_id.in_(tags), ArtistTag.artist_id.not_in(sorted(set(exclude))))
            .group_by(ArtistTag.artist_id)
            .order_by(shared.desc(), ArtistTag.artist_id)
            .limit(limit)
        )
        return {artist_id: count for artist_id, count in rows}

    def audio_candidates(self, features: dict[str, float], limit: int = 2000) -> list[TrackInfo]:
        """Return up to `limit` tracks with features near `features` in energy and tempo."""
        energy, tempo = features.get("energy"), features.get("tempo")
        if energy is None or tempo is None:
            return []
        ids = self.session.scalars(
            select(Track.id)
            .where(Track.energy.between(energy - 0.2, energy + 0.2))
            .where(Track.tempo.between(tempo - 25.0, tempo + 25.0))
            .order_by(Track.playlist_count.desc(), Track.id)
            .limit(limit)
        ).all()
        return list(self.track_infos(ids).values())

    def track_infos(self, track_ids: Iterable[int]) -> dict[int, TrackInfo]:
        """Return plain facts about each of the given tracks (two queries in all)."""
        ids = sorted(set(track_ids))
        if not ids:
            return {}
        credits: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for chunk in _chunks(ids, 900):  # SQLite allows ~999 bound parameters per statement
            rows = self.session.execute(
                select(TrackArtist.track_id, Artist.id, Artist.name)
                .join(Artist, Artist.id == TrackArtist.artist_id)
                .where(TrackArtist.track_id.in_(chunk))
                .order_by(TrackArtist.track_id, TrackArtist.position)
            )
            for track_id, artist_id, name in rows:
                credits[track_id].append((artist_id, name))
        infos: dict[int, TrackInfo] = {}
        for chunk in _chunks(ids, 900):
            for track in self.session.scalars(select(Track).where(Track.id.in_(chunk))):
                infos[track.id] = TrackInfo(
                    id=track.id,
                    title=track.title,
                    song_key=track.song_key,
                    artist_ids=tuple(a for a, _ in credits[track.id]),
                    artist_names=tuple(n for _, n in credits[track.id]),
                    release_year=track.release_year,
                    explicit=track.explicit,
                    popularity=track.popularity,
                    playlist_count=track.playlist_count or 0,
                    features=_features(track),
                )
        return infos

    def seed(self, track_id: int) -> Seed | None:
        """Return the Seed for a catalog track, or None when the track does not exist."""
        info = self.track_infos([track_id]).get(track_id)
        if info is None:
            return None
        tags = self.artist_tags(info.artist_ids)
        names = sorted({name for per_artist in tags.values() for name in per_artist.values()})
        return Seed(info.id, info.artist_ids, info.song_key, info.features, tuple(names))

    def popularity_thresholds(self) -> PopularityThresholds:
        """Return the catalog's terciles of playlist_count and (where known) popularity."""
        return PopularityThresholds(
            playlist_count=self._terciles(Track.playlist_count) or (0, 0),
            popularity=self._terciles(Track.popularity),
        )

    def _terciles(self, column: InstrumentedAttribute[Any]) -> tuple[int, int] | None:
        known = select(column).where(column.is_not(None))
        total = self.session.scalar(select(func.count()).select_from(known.subquery())) or 0
        if total == 0:
            return None
        ordered = known.order_by(column)
        low = self.session.scalar(ordered.offset(total // 3).limit(1)) or 0
        high = self.session.scalar(ordered.offset((2 * total) // 3).limit(1)) or 0
        return int(low), int(high)


def _chunks(ids: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
