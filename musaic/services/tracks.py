"""Look up catalog tracks and artists by any id a listener may paste; upsert Spotify tracks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlparse

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from musaic.catalog.normalise import match_key, normalise_artist, normalise_title, song_key
from musaic.catalog.search import index_tracks
from musaic.errors import NotFoundError, field_error
from musaic.extensions import db
from musaic.models import Album, Artist, ArtistTag, Track, TrackArtist
from musaic.spotify.errors import SpotifyNotFoundError
from musaic.spotify.models import SpotifyAlbumRef, SpotifyArtistRef, SpotifyTrack

_BASE62_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_URL_PATH = re.compile(r"^/(?:intl-[a-z-]+/)?track/([0-9A-Za-z]{22})/?$")
MAX_ARTIST_TRACKS = 200


class TrackFetcher(Protocol):
    """What track lookup needs from a Spotify client."""

    def get_track(self, spotify_id: str) -> SpotifyTrack:
        """Return one track by Spotify id."""


@dataclass(frozen=True)
class TrackRef:
    """A parsed track reference: our integer id or a Spotify id."""

    id: int | None = None
    spotify_id: str | None = None


@dataclass(frozen=True)
class ArtistDetail:
    """An artist with its catalog tracks (most prominent first) and tags."""

    artist: Artist
    tracks: list[Track]
    tags: list[ArtistTag]


def parse_track_ref(value: str) -> TrackRef:
    """Read an integer id, a Spotify id, a spotify:track: URI or an open.spotify.com URL."""
    value = value.strip()
    if value.isdigit() and len(value) < 19:
        return TrackRef(id=int(value))
    if _BASE62_ID.match(value):
        return TrackRef(spotify_id=value)
    if value.startswith("spotify:track:") and _BASE62_ID.match(value[14:]):
        return TrackRef(spotify_id=value[14:])
    url = urlparse(value)
    match = _URL_PATH.match(url.path)
    if url.scheme in ("http", "https") and url.netloc == "open.spotify.com" and match:
        return TrackRef(spotify_id=match.group(1))
    raise field_error(
        "id",
        "must be a catalog id, a 22-character Spotify id, a spotify:track: URI "
        "or an https://open.spotify.com/track/ URL",
    )


def _track_query() -> Select[Any]:
    return select(Track).options(
        selectinload(Track.credits).selectinload(TrackArtist.artist), selectinload(Track.album)
    )


def load_tracks(track_ids: Sequence[int]) -> list[Track]:
    """Return these tracks with credits and album loaded, in the order of `track_ids`."""
    rows = {t.id: t for t in db.session.scalars(_track_query().where(Track.id.in_(track_ids)))}
    return [rows[i] for i in track_ids if i in rows]


def get_track(value: str, spotify: TrackFetcher | None = None) -> Track:
    """Return the track `value` names; a Spotify id unknown here is fetched once and kept.

    Raises ValidationError (400) for an unreadable reference, NotFoundError (404) otherwise.
    """
    ref = parse_track_ref(value)
    column = Track.id if ref.id is not None else Track.spotify_id
    track = db.session.scalar(_track_query().where(column == (ref.id or ref.spotify_id)))
    if track is None and ref.spotify_id and spotify is not None:
        try:
            track = upsert_spotify_tracks([spotify.get_track(ref.spotify_id)])[0]
        except SpotifyNotFoundError:
            track = None
        db.session.commit()
    if track is None:
        raise NotFoundError(f"no track {value!r}", details={"id": value})
    return track


def get_artist(artist_id: int) -> ArtistDetail:
    """Return an artist with its catalog tracks and tags, or raise NotFoundError (404)."""
    artist = db.session.get(Artist, artist_id)
    if artist is None:
        raise NotFoundError(f"no artist {artist_id}", details={"id": artist_id})
    track_ids = db.session.scalars(
        select(TrackArtist.track_id)
        .join(Track, Track.id == TrackArtist.track_id)
        .where(TrackArtist.artist_id == artist_id)
        .order_by(Track.popularity.desc().nulls_last(), Track.playlist_count.desc(), Track.id)
        .limit(MAX_ARTIST_TRACKS)
    ).all()
    tags = sorted(artist.tags, key=lambda t: (-t.weight, t.tag.name))
    return ArtistDetail(artist=artist, tracks=load_tracks(track_ids), tags=tags)


def _artist(ref: SpotifyArtistRef) -> Artist:
    artist = db.session.scalar(select(Artist).where(Artist.spotify_id == ref.spotify_id))
    if artist is None:
        artist = db.session.scalar(
            select(Artist)
            .where(Artist.normalised_name == normalise_artist(ref.name))
            .where(Artist.spotify_id.is_(None))
            .limit(1)
        ) or Artist(name=ref.name, normalised_name=normalise_artist(ref.name))
        artist.spotify_id = ref.spotify_id
        db.session.add(artist)
    return artist


def _album(ref: SpotifyAlbumRef) -> Album:
    album = db.session.scalar(select(Album).where(Album.spotify_id == ref.spotify_id))
    if album is None:
        album = Album(
            spotify_id=ref.spotify_id, name=ref.name, normalised_name=normalise_title(ref.name)
        )
        album.release_date, album.release_year = ref.release_date, ref.release_year
        db.session.add(album)
    return album


def _existing(found: SpotifyTrack) -> Track | None:
    by_id = db.session.scalar(select(Track).where(Track.spotify_id == found.spotify_id))
    if by_id is not None or not found.isrc:
        return by_id
    return db.session.scalar(
        select(Track).where(Track.isrc == found.isrc, Track.spotify_id.is_(None)).limit(1)
    )


def upsert_spotify_tracks(found: Sequence[SpotifyTrack]) -> list[Track]:
    """Add (or complete) catalog rows for tracks Spotify returned, and index them (no commit)."""
    tracks = []
    for item in found:
        track = _existing(item)
        if track is None:
            primary = item.artists[0].name if item.artists else ""
            track = Track(
                title=item.name,
                normalised_title=normalise_title(item.name),
                match_key=match_key(primary, item.name),
                song_key=song_key(primary, item.name),
            )
            track.credits = [
                TrackArtist(position=n, artist=_artist(a)) for n, a in enumerate(item.artists)
            ]
            db.session.add(track)
        track.spotify_id, track.isrc = item.spotify_id, track.isrc or item.isrc
        track.duration_ms, track.explicit = item.duration_ms, item.explicit
        if item.album is not None and track.album_id is None:
            track.album = _album(item.album)
            track.release_year = track.release_year or item.album.release_year
        tracks.append(track)
    db.session.flush()
    index_tracks(t.id for t in tracks)
    return tracks
