"""Musaic playlists made of the stand-in's tracks, for export tests and the export benchmark."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from musaic.catalog.importers.records import AlbumRef, ArtistRef, TrackRecord
from musaic.extensions import db
from musaic.models import Playlist, PlaylistTrack, User
from musaic.services.tracks import write_spotify_records


def standin_records(
    standin: Any, count: int, *, with_ids: bool = True, artist_id: str | None = None
) -> list[TrackRecord]:
    """Describe `count` stand-in tracks (of one artist) as records, optionally without ids."""
    records = []
    tracks = [t for t in standin.catalog.tracks.values() if artist_id in (None, t.artist_id)]
    for track in tracks[:count]:
        album = standin.catalog.albums[track.album_id]
        artist = standin.catalog.artists[track.artist_id]
        records.append(
            TrackRecord(
                title=track.name,
                artists=[ArtistRef(artist.name, artist.spotify_id if with_ids else None)],
                spotify_id=track.spotify_id if with_ids else None,
                isrc=None,
                album=AlbumRef(album.name, album.spotify_id if with_ids else None),
                duration_ms=track.duration_ms,
            )
        )
    return records


def add_user(account_id: str = "acc-ada") -> int:
    """Create the listener row a logged-in export belongs to; return its id."""
    user = User(account_id=account_id, spotify_id=account_id, display_name=account_id)
    db.session.add(user)
    db.session.commit()
    return user.id


def add_playlist(track_ids: Sequence[int], owner_id: int, name: str = "Export test") -> int:
    """Save a generated playlist of `track_ids` in order; return its id."""
    playlist = Playlist(
        kind="generated",
        source="musaic",
        owner_id=owner_id,
        name=name,
        seed_track_id=track_ids[0] if track_ids else None,
        matcher="hybrid",
        options={},
    )
    playlist.items = [
        PlaylistTrack(
            position=i,
            track_id=t,
            score=1.0 - i / 1000,
            reasons=[{"code": "x", "text": "same mood"}],
        )
        for i, t in enumerate(track_ids)
    ]
    db.session.add(playlist)
    db.session.commit()
    return playlist.id


def playlist_of_standin_tracks(standin: Any, count: int, owner_id: int) -> tuple[int, list[int]]:
    """Copy `count` stand-in tracks into the catalog and save them as one playlist."""
    track_ids = write_spotify_records(standin_records(standin, count))
    db.session.commit()
    return add_playlist(track_ids, owner_id), track_ids
