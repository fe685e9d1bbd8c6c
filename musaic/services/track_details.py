"""What a playlist's JSON shows of each track, read with one query on the cursor (no ORM).

A generated playlist is answered from these plain values: loading 30 Track objects with their
credits, artists and albums through the ORM cost more than generating the playlist did.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import select

from musaic.extensions import db
from musaic.models import Album, Artist, Track, TrackArtist, driver
from musaic.models.lists import in_list, list_param

_DETAILS = (  # one row per credit (one with no artist for an uncredited track), in order
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
        Artist.id,
        Artist.name,
        Artist.spotify_id,
    )
    .outerjoin(Album, Album.id == Track.album_id)
    .outerjoin(TrackArtist, TrackArtist.track_id == Track.id)
    .outerjoin(Artist, Artist.id == TrackArtist.artist_id)
    .where(in_list(Track.id, list_param("ids")))
    .order_by(Track.id, TrackArtist.position)
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
    """Return the details of every given track that exists, ascending by id (one query)."""
    rows = driver.rows(db.session, _DETAILS, {"ids": sorted(set(track_ids))})
    return {track_id: _details(group) for track_id, group in groupby(rows, itemgetter(0))}


def _details(credits: Iterable[Sequence[Any]]) -> TrackDetails:
    """Return one track's details from its _DETAILS rows (one per credit, in order)."""
    rows = list(credits)
    track_id, title, year, duration, explicit, popularity, spotify_id, isrc = rows[0][:8]
    album_id, album_name, album_spotify_id, album_year = rows[0][8:12]
    album = (
        AlbumDetails(album_id, album_name, album_spotify_id, album_year)
        if album_id is not None
        else None
    )
    artists = [ArtistDetails(*row[12:]) for row in rows if row[12] is not None]
    shown = None if explicit is None else bool(explicit)  # SQLite's driver gives 0 or 1
    return TrackDetails(
        track_id, title, year, duration, shown, popularity, spotify_id, isrc, album, artists
    )
