"""CatalogReader: batched reads of catalog facts (tracks, credits, tags) for matchers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, bindparam, func, select
from sqlalchemy.orm import Session, scoped_session

from musaic.matching.memory import Memory
from musaic.matching.track_facts import IDS, TRACK_FACTS, TrackFacts, TrackInfos, read_facts
from musaic.matching.types import Seed, TrackInfo
from musaic.models import (
    TOP_TRACK_ORDER,
    Artist,
    ArtistTag,
    Tag,
    Track,
    TrackArtist,
    driver,
)
from musaic.models.lists import in_list

# Statements built once; the ids are one list parameter, so a call costs no per-id expression
# building and its SQL text never changes (musaic/models/lists.py).
_ARTIST_NAMES = select(Artist.id, Artist.name).where(in_list(Artist.id, IDS))
_TOP_POSITION = (
    func.row_number()
    .over(
        partition_by=TrackArtist.artist_id,
        order_by=TOP_TRACK_ORDER,
    )
    .label("position")
)
_RANKED = (
    select(TrackArtist.artist_id, Track.id.label("track_id"), Track.playlist_count, _TOP_POSITION)
    .join(Track, Track.id == TrackArtist.track_id)
    .where(in_list(TrackArtist.artist_id, IDS))
    .subquery()
)
_ARTIST_TOP_TRACKS = (
    select(_RANKED.c.artist_id, _RANKED.c.track_id, _RANKED.c.playlist_count)
    .where(_RANKED.c.position <= bindparam("per_artist"))
    .order_by(_RANKED.c.artist_id, _RANKED.c.position)
)
_ARTIST_TAGS = (
    select(ArtistTag.artist_id, Tag.id, Tag.name)
    .join(Tag, Tag.id == ArtistTag.tag_id)
    .where(in_list(ArtistTag.artist_id, IDS))
    .order_by(ArtistTag.artist_id, ArtistTag.weight.desc(), Tag.name)
)


class CatalogReader:
    """Batch reads of catalog facts: one query per call, never one per track.

    A reader remembers the tracks and artist names it has read (musaic.matching.memory), so
    the steps of one generation that ask about the same tracks read them once.
    """

    def __init__(self, session: Session | scoped_session[Any]) -> None:
        self.session = session
        self._tracks: Memory[TrackFacts] = Memory()
        self._artist_names: Memory[str] = Memory()

    def _rows(self, statement: Executable, params: dict[str, Any] | None = None) -> Sequence[Any]:
        """Run a read built once on the session's DB-API cursor (musaic.models.driver)."""
        return driver.rows(self.session, statement, params)

    def track_infos(self, track_ids: Iterable[int]) -> Mapping[int, TrackInfo]:
        """Return plain facts about each of the given tracks, ascending by id (one query).

        Each TrackInfo is built when first looked up (musaic.matching.track_facts).
        """
        return TrackInfos(self._track_facts(track_ids))

    def _track_facts(self, track_ids: Iterable[int]) -> dict[int, TrackFacts]:
        return self._tracks.lookup(
            track_ids, lambda ids: read_facts(self._rows(TRACK_FACTS, {"ids": ids}))
        )

    def seed(self, track_id: int) -> Seed | None:
        """Return the Seed for a catalog track, or None when the track does not exist."""
        info = self.track_infos([track_id]).get(track_id)
        if info is None:
            return None
        return Seed(
            track_id=info.id,
            artist_ids=info.artist_ids,
            song_key=info.song_key,
            features=info.features,
            playlist_count=info.playlist_count,
        )

    def playlist_counts(self, track_ids: Iterable[int]) -> dict[int, int]:
        """Return how many playlists hold each of the given tracks.

        Read with the rest of the tracks' facts: the tracks whose counts break the hybrid's
        ties are the ones post-processing reads next, so that read then costs nothing.
        """
        return {t: facts.playlist_count for t, facts in self._track_facts(track_ids).items()}

    def artist_top_tracks(self, artist_ids: Iterable[int], per_artist: int) -> dict[int, list[int]]:
        """Return each artist's most-playlisted tracks (credited in any position), best first."""
        counted = self.artist_top_tracks_counted(artist_ids, per_artist)
        return {artist_id: [t for t, _ in tracks] for artist_id, tracks in counted.items()}

    def artist_top_tracks_counted(
        self, artist_ids: Iterable[int], per_artist: int
    ) -> dict[int, list[tuple[int, int]]]:
        """Return each artist's top tracks as (track id, playlist count), best first."""
        ids = sorted(set(artist_ids))
        if not ids:
            return {}
        rows = self._rows(_ARTIST_TOP_TRACKS, {"ids": ids, "per_artist": per_artist})
        found: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for artist_id, track_id, count in rows:
            found[artist_id].append((track_id, count or 0))
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
        return self._artist_names.lookup(artist_ids, self._read_artist_names)

    def _read_artist_names(self, ids: list[int]) -> dict[int, str]:
        return {artist_id: name for artist_id, name in self._rows(_ARTIST_NAMES, {"ids": ids})}

    def artist_tags(self, artist_ids: Iterable[int]) -> dict[int, dict[int, str]]:
        """Return each artist's tags as {tag id: tag name}, strongest first."""
        ids = sorted(set(artist_ids))
        if not ids:
            return {}
        rows = self._rows(_ARTIST_TAGS, {"ids": ids})
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
        """Return up to `limit` tracks near `features` in energy and tempo (a catalog scan)."""
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
