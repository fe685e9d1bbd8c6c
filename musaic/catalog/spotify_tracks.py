"""Describe tracks read from Spotify as the TrackRecords every catalog write goes through."""

from __future__ import annotations

from musaic.catalog.importers.records import AlbumRef, ArtistRef, TrackRecord
from musaic.spotify.models import SpotifyAlbum, SpotifyAlbumRef, SpotifyTrack

SOURCE = "spotify"


def spotify_track_record(
    track: SpotifyTrack, album: SpotifyAlbum | SpotifyAlbumRef | None = None
) -> TrackRecord:
    """Return `track` as a record; `album` stands in for an album-track listing's missing album."""
    owner = track.album or album
    return TrackRecord(
        title=track.name,
        # The upsert path credits a blank name to "Unknown artist"; Spotify always names one.
        artists=[ArtistRef(a.name, a.spotify_id) for a in track.artists] or [ArtistRef("")],
        spotify_id=track.spotify_id,
        isrc=track.isrc,
        album=AlbumRef(owner.name, owner.spotify_id, owner.release_date) if owner else None,
        duration_ms=track.duration_ms,
        explicit=track.explicit,
        location=track.uri,
    )
