"""What a playlist's JSON shows of each track, read with two Core queries (no ORM objects).

A generated playlist is answered from these plain values: loading 30 Track objects with their
credits, artists and albums through the ORM cost more than generating the playlist did.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, bindparam, select

from musaic.extensions import db
from musaic.models import Album, Artist, Track, TrackArtist
from musaic.shared import chunks

_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_TRACKS = (
    select(
        Track.id,
        Track.title,
        Track.release_year,
        Track.duration_ms,
        Track.explicit,
        Track.popularity,
        Track.spotify_id,
        Track.isrc,
        Album.id,
        Album.name,
        Album.spotify_id,
        Album.release_year,
    )
    .outerjoin(Album, Album.id == Track.album_id)
    .where(Track.id.in_(_IDS))
)
_CREDITS = (
    select(TrackArtist.track_id, Artist.id, Artist.name, Artist.spotify_id)
    .join(Artist, Artist.id == TrackArtist.artist_id)
    .where(TrackArtist.track_id.in_(_IDS))
    .order_by(TrackArtist.track_id, TrackArtist.position)
)


@dataclass(frozen=True)
class ArtistDetails:
    """A credited artist, as a track's JSON shows it."""

    id: int
    name: str
    spotify_id: str | None


@dataclass(frozen=True)
class AlbumDetails:
    """A track's album, as its JSON shows it."""

    id: int
    name: str
    spotify_id: str | None
    release_year: int | None


@dataclass(frozen=True)
class TrackDetails:
    """The attributes of a Track that `musaic.api.tracks.track_out` reads, as plain values."""

    id: int
    title: str
    release_year: int | None
    duration_ms: int | None
    explicit: bool | None
    popularity: int | None
    spotify_id: str | None
    isrc: str | None
    album: AlbumDetails | None
    artists: list[ArtistDetails] = field(default_factory=list)


def track_details(track_ids: Iterable[int]) -> dict[int, TrackDetails]:
    """Return the details of every given track that exists (two queries per 900 ids)."""
    found: dict[int, TrackDetails] = {}
    connection = db.session.connection()
    for chunk in chunks(sorted(set(track_ids))):
        credits: dict[int, list[ArtistDetails]] = defaultdict(list)
        for track_id, artist_id, name, spotify_id in connection.execute(_CREDITS, {"ids": chunk}):
            credits[track_id].append(ArtistDetails(artist_id, name, spotify_id))
        for row in connection.execute(_TRACKS, {"ids": chunk}):
            track_id, title, year, duration, explicit, popularity, spotify_id, isrc = row[:8]
            album_id, album_name, album_spotify_id, album_year = row[8:]
            album = (
                AlbumDetails(album_id, album_name, album_spotify_id, album_year)
                if album_id is not None
                else None
            )
            found[track_id] = TrackDetails(
                track_id,
                title,
                year,
                duration,
                explicit,
                popularity,
                spotify_id,
                isrc,
                album,
                credits[track_id],
            )
    return found
