"""Look up catalog tracks and artists by any id; keep Spotify tracks through the catalog writer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload

from musaic.catalog.importers.records import TrackRecord
from musaic.catalog.search import index_tracks
from musaic.catalog.spotify_tracks import SOURCE, spotify_track_record
from musaic.catalog.upsert import CatalogWriter
from musaic.errors import NotFoundError, field_error
from musaic.extensions import db
from musaic.models import Artist, ArtistTag, Track, TrackArtist
from musaic.spotify.errors import SpotifyNotFoundError
from musaic.spotify.models import SpotifyTrack
from musaic.spotify.refs import TRACK_REF_FORMATS, TrackRef
from musaic.spotify.refs import parse_track_ref as read_track_ref

MAX_ARTIST_TRACKS = 200
UPSERT_ATTEMPTS = 3  # each lost race means another writer committed: the next try matches more
DEADLOCK = "40P01"  # PostgreSQL: two writers inserting shared artists in opposite orders


class TrackFetcher(Protocol):
    """What track lookup needs from a Spotify client."""

    def get_track(self, spotify_id: str) -> SpotifyTrack:
        """Return one track by Spotify id."""


@dataclass(frozen=True)
class ArtistDetail:
    """An artist with its catalog tracks (most prominent first) and tags."""

    artist: Artist
    tracks: list[Track]
    tags: list[ArtistTag]


def parse_track_ref(value: str) -> TrackRef:
    """Read an integer id, a Spotify id, a spotify:track: URI or an open.spotify.com URL."""
    ref = read_track_ref(value)
    if ref is None:
        raise field_error("id", f"must be {TRACK_REF_FORMATS}")
    return ref


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


def upsert_spotify_tracks(found: Sequence[SpotifyTrack]) -> list[Track]:
    """Add (or complete) catalog rows for tracks Spotify returned, and index them (no commit)."""
    return load_tracks(write_spotify_records([spotify_track_record(t) for t in found]))


def write_spotify_records(records: Sequence[TrackRecord]) -> list[int]:
    """Upsert Spotify track records and index them (no commit); return their ids in order.

    Records go through CatalogWriter, so matching (Spotify id, ISRC, match key), credits and
    albums are the imports' own. Two requests may add the same new track, artist or album at
    once: the loser's INSERT breaks a unique Spotify id (or deadlocks), its SAVEPOINT is rolled
    back and the write is redone, now matching the winner's committed rows.

    Raises IntegrityError or OperationalError when the write still fails after UPSERT_ATTEMPTS.
    """
    if not records:
        return []
    for attempt in range(1, UPSERT_ATTEMPTS + 1):
        _queue_sqlite_writers()
        try:
            with db.session.begin_nested():
                writer = CatalogWriter(db.session(), source=SOURCE, scope=records)
                ids = writer.write_tracks(records)
                writer.finish()
                index_tracks(writer.changed_track_ids())
            return ids
        except (IntegrityError, OperationalError) as exc:
            if attempt == UPSERT_ATTEMPTS or not _lost_a_race(exc):
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _queue_sqlite_writers() -> None:
    """On SQLite, take the one write lock now, before the writer reads its lookups.

    A SQLite transaction that read before another writer committed can never write (database is
    locked), and rolling back to a SAVEPOINT keeps its stale snapshot; BEGIN IMMEDIATE makes the
    second writer wait (busy_timeout) and then read the first one's rows. PostgreSQL needs
    nothing: its READ COMMITTED statements see the winner's rows after the SAVEPOINT rollback.
    """
    connection = db.session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite" and not getattr(driver, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _lost_a_race(error: IntegrityError | OperationalError) -> bool:
    """Tell a clash with a concurrent writer (a unique key, a deadlock) from other failures."""
    return isinstance(error, IntegrityError) or getattr(error.orig, "sqlstate", "") == DEADLOCK
