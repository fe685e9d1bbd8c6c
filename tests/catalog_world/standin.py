"""Tracks of the Spotify stand-in as records, and Musaic playlists of them for export tests."""

from __future__ import annotations

from typing import Any

from musaic.catalog.importers.records import AlbumRef, ArtistRef, TrackRecord
from musaic.extensions import db
from musaic.services.tracks import write_spotify_records
from tests.catalog_world.builder import add_generated_playlist


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


def playlist_of_standin_tracks(standin: Any, count: int, owner_id: int) -> tuple[int, list[int]]:
    """Write `count` stand-in tracks as Spotify does, save them as one generated playlist."""
    track_ids = write_spotify_records(standin_records(standin, count))
    db.session.commit()
    return add_generated_playlist(track_ids, owner_id), track_ids
