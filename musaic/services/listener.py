"""Listener: who is asking, and the tracks of their own Spotify listening offered as seeds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from musaic.extensions import db
from musaic.models import Track
from musaic.services.tracks import upsert_spotify_tracks
from musaic.spotify.models import Page, SpotifyPlay, SpotifyTrack

ListeningSource = Literal["recent", "top"]
MAX_LISTENING_TRACKS = 50


@dataclass(frozen=True)
class Listener:
    """A logged-in user id, an anonymous session's history key, or both (or neither)."""

    user_id: int | None = None
    history_key: str | None = None


class ListeningReader(Protocol):
    """What reading a listener's own listening needs from a Spotify client."""

    def get_recently_played(
        self, *, limit: int = 20, before_ms: int | None = None
    ) -> list[SpotifyPlay]:
        """Return the listener's recent plays, newest first."""

    def get_my_top_tracks(
        self, *, time_range: str = "medium_term", limit: int = 20, offset: int = 0
    ) -> Page[SpotifyTrack]:
        """Return a page of the listener's top tracks."""


def _distinct(tracks: list[SpotifyTrack]) -> list[SpotifyTrack]:
    seen: set[str] = set()
    kept = []
    for track in tracks:
        if track.spotify_id not in seen:
            seen.add(track.spotify_id)
            kept.append(track)
    return kept


def listening_tracks(spotify: ListeningReader, source: ListeningSource, limit: int) -> list[Track]:
    """Return the listener's recently played or top tracks, kept in the catalog as seeds.

    One Spotify call either way. The tracks go through the catalog's one upsert path, so the
    page can offer them as seeds and generation then needs no further Spotify call.

    Raises ValueError for a `limit` outside 1..50, and SpotifyError subclasses from Spotify.
    """
    if not 1 <= limit <= MAX_LISTENING_TRACKS:
        raise ValueError(f"limit must be from 1 to {MAX_LISTENING_TRACKS}, got {limit}")
    if source == "recent":
        found = [play.track for play in spotify.get_recently_played(limit=limit)]
    else:
        found = list(spotify.get_my_top_tracks(time_range="short_term", limit=limit).items)
    tracks = upsert_spotify_tracks(_distinct(found))
    db.session.commit()
    return tracks
