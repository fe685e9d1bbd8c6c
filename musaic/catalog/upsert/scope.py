"""Read only the catalog rows a few records could match: the lookups of a per-request write."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from musaic.models import Album, Artist, Track, TrackArtist
from musaic.shared import chunks


@dataclass
class ScopeKeys:
    """Every key the records of one write match on, by table."""

    track_spotify_ids: set[str] = field(default_factory=set)
    isrcs: set[str] = field(default_factory=set)
    match_keys: set[str] = field(default_factory=set)
    artist_spotify_ids: set[str] = field(default_factory=set)
    artist_names: set[str] = field(default_factory=set)
    album_spotify_ids: set[str] = field(default_factory=set)
    album_names: set[str] = field(default_factory=set)


def _rows_where(session: Session, query: Any, filters: Iterable[tuple[Any, set[str]]]) -> list[Any]:
    """Run `query` once per key column and chunk of keys; return the distinct rows in id order."""
    rows: dict[int, Any] = {}
    for column, keys in filters:
        for chunk in chunks(sorted(keys)):
            rows.update((row[0], row) for row in session.execute(query.where(column.in_(chunk))))
    return [rows[row_id] for row_id in sorted(rows)]


def track_rows(session: Session, keys: ScopeKeys) -> list[Any]:
    """Return (id, spotify_id, isrc, match_key) of every track sharing a key with the write."""
    query = select(Track.id, Track.spotify_id, Track.isrc, Track.match_key)
    filters = [
        (Track.spotify_id, keys.track_spotify_ids),
        (Track.isrc, keys.isrcs),
        (Track.match_key, keys.match_keys),
    ]
    return _rows_where(session, query, filters)


def artist_rows(session: Session, keys: ScopeKeys) -> list[Any]:
    """Return (id, spotify_id, normalised_name) of every artist sharing a key with the write."""
    query = select(Artist.id, Artist.spotify_id, Artist.normalised_name)
    filters = [
        (Artist.spotify_id, keys.artist_spotify_ids),
        (Artist.normalised_name, keys.artist_names),
    ]
    return _rows_where(session, query, filters)


def album_rows(session: Session, keys: ScopeKeys) -> list[tuple[int, str | None, str, int | None]]:
    """Return (id, spotify_id, normalised_name, primary artist id) of the albums in scope."""
    query = select(Album.id, Album.spotify_id, Album.normalised_name)
    filters = [
        (Album.spotify_id, keys.album_spotify_ids),
        (Album.normalised_name, keys.album_names),
    ]
    albums = _rows_where(session, query, filters)
    primary: dict[int | None, int] = {}
    for chunk in chunks([row[0] for row in albums]):
        primaries = (
            select(Track.album_id, func.min(TrackArtist.artist_id))
            .join(TrackArtist, (TrackArtist.track_id == Track.id) & (TrackArtist.position == 0))
            .where(Track.album_id.in_(chunk))
            .group_by(Track.album_id)
        )
        primary.update(session.execute(primaries).all())
    return [(i, spotify_id, name, primary.get(i)) for i, spotify_id, name in albums]
