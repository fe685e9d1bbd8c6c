"""The tracks of a playlist as exports see them, and resolving missing Spotify ids by search."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from musaic.catalog.normalise import normalise_artist, normalise_title
from musaic.catalog.spotify_tracks import spotify_track_record
from musaic.extensions import db
from musaic.models import Playlist
from musaic.services.tracks import write_spotify_records
from musaic.spotify.models import Page, SpotifyTrack

DURATION_TOLERANCE_MS = 3000
SEARCH_LIMIT = 10
RENEW_EVERY = 5


class TrackSearcher(Protocol):
    """The part of the Spotify client that resolution uses."""

    def search_tracks(self, q: str, *, limit: int = 10, offset: int = 0) -> Page[SpotifyTrack]:
        """Search tracks."""


@dataclass(frozen=True)
class ExportTrack:
    """One playlist track as plain values (safe to use after the session commits)."""

    track_id: int
    title: str
    artists: tuple[str, ...]
    album: str | None
    duration_ms: int | None
    spotify_id: str | None
    isrc: str | None
    reasons: tuple[str, ...]


def export_tracks(playlist: Playlist) -> list[ExportTrack]:
    """Return the playlist's tracks in order (credits and album must be loaded)."""
    return [
        ExportTrack(
            track_id=item.track.id,
            title=item.track.title,
            artists=tuple(a.name for a in item.track.artists),
            album=item.track.album.name if item.track.album else None,
            duration_ms=item.track.duration_ms,
            spotify_id=item.track.spotify_id,
            isrc=item.track.isrc,
            reasons=tuple(str(r.get("text", "")) for r in item.reasons or [] if r.get("text")),
        )
        for item in playlist.items
    ]


def _query(track: ExportTrack) -> str:
    if track.isrc:
        return f"isrc:{track.isrc}"
    title = track.title.replace('"', " ")
    artist = (track.artists[0] if track.artists else "").replace('"', " ")
    return f'track:"{title}" artist:"{artist}"'


def agrees(track: ExportTrack, found: SpotifyTrack) -> bool:
    """Tell whether a search hit is the same recording: title, main artist and duration."""
    if not track.artists or not found.artists:
        return False
    if normalise_title(found.name) != normalise_title(track.title):
        return False
    if normalise_artist(found.artists[0].name) != normalise_artist(track.artists[0]):
        return False
    if track.duration_ms and found.duration_ms:
        return abs(track.duration_ms - found.duration_ms) <= DURATION_TOLERANCE_MS
    return True


def resolve_missing(
    tracks: Sequence[ExportTrack],
    spotify: TrackSearcher,
    budget: int,
    renew: Callable[[], None] | None = None,
) -> tuple[list[ExportTrack], list[ExportTrack], int]:
    """Give tracks without a Spotify id one, by at most `budget` searches; keep matches.

    Returns:
        The tracks with a Spotify id (in order), those still without one, and the number of
        searches made. Matches are stored on the catalog track through the catalog writer and
        committed, so the next export searches nothing. `renew` is called every
        RENEW_EVERY searches (the export renews its claim's lease with it).
    """
    resolved: list[ExportTrack] = []
    unresolved: list[ExportTrack] = []
    searches = 0
    for track in tracks:
        if track.spotify_id:
            resolved.append(track)
            continue
        if searches >= budget:
            unresolved.append(track)
            continue
        searches += 1
        if renew is not None and searches % RENEW_EVERY == 0:
            renew()
        page = spotify.search_tracks(_query(track), limit=SEARCH_LIMIT)
        hit = next((found for found in page.items if agrees(track, found)), None)
        if hit is None:
            unresolved.append(track)
            continue
        _store(hit)
        resolved.append(replace(track, spotify_id=hit.spotify_id))
    return resolved, unresolved, searches


def _store(hit: SpotifyTrack) -> None:
    """Keep the match in the catalog (the same upsert path as every Spotify track)."""
    write_spotify_records([spotify_track_record(hit)])
    db.session.commit()


def unresolved_out(tracks: Sequence[ExportTrack]) -> list[dict[str, Any]]:
    """Shape unresolved tracks as the export response lists them."""
    return [{"track_id": t.track_id, "title": t.title, "artists": list(t.artists)} for t in tracks]
