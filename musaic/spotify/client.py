"""SpotifyClient: the Web API calls a Development Mode app may make, returning dataclasses."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests

from musaic.spotify import parsing
from musaic.spotify.deadline import Deadline
from musaic.spotify.models import (
    Page,
    SpotifyAlbum,
    SpotifyArtist,
    SpotifyPlay,
    SpotifyPlaylist,
    SpotifyTrack,
    SpotifyUser,
)
from musaic.spotify.playlists import PlaylistWrites
from musaic.spotify.transport import CallRecorder, RetryPolicy, SpotifyTransport, TokenProvider

if TYPE_CHECKING:
    from musaic.spotify.guard import SpotifyGuard

SEARCH_MAX_LIMIT = 10
SEARCH_MAX_OFFSET = 1000
ARTIST_ALBUMS_MAX_LIMIT = 10
PAGE_MAX_LIMIT = 50
TIME_RANGES = ("short_term", "medium_term", "long_term")


def check_range(name: str, value: int, low: int, high: int) -> None:
    """Raise ValueError unless low <= value <= high (checked before any HTTP)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")


class SpotifyClient(PlaylistWrites):
    """Call the Spotify Web API for one listener (or the app) with bounded retries.

    Every method raises a SpotifyError subclass on failure (never a requests exception) and
    ValueError for arguments Spotify would reject, before sending anything.
    """

    def __init__(
        self,
        api_base_url: str,
        token_provider: TokenProvider,
        *,
        on_unauthorised: Callable[[], None] | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        max_retry_after_seconds: float = 5.0,
        max_retries: int = 2,
        sleep: Callable[[float], None] = time.sleep,
        recorder: CallRecorder | None = None,
        session: requests.Session | None = None,
        guard: SpotifyGuard | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        policy = RetryPolicy(
            max_retry_after_seconds=max_retry_after_seconds, max_retries=max_retries
        )
        self._transport = SpotifyTransport(
            api_base_url,
            token_provider,
            on_unauthorised=on_unauthorised,
            timeout=(connect_timeout, read_timeout),
            policy=policy,
            sleep=sleep,
            recorder=recorder,
            session=session,
            guard=guard,
            deadline=deadline,
        )

    def _get(self, endpoint: str, what: str, **kwargs: Any) -> Any:
        data = self._transport.request("GET", endpoint, **kwargs)
        if not isinstance(data, dict):
            return parsing.parse_or_fail(data, dict, what)
        return data

    def search_tracks(self, q: str, *, limit: int = 10, offset: int = 0) -> Page[SpotifyTrack]:
        """Search tracks (dev mode: limit 1..10, offset 0..1000)."""
        if not q.strip():
            raise ValueError("q must not be empty")
        check_range("limit", limit, 1, SEARCH_MAX_LIMIT)
        check_range("offset", offset, 0, SEARCH_MAX_OFFSET)
        params = {"q": q, "type": "track", "limit": limit, "offset": offset}
        data = self._get("/search", "search result", params=params)
        tracks = data.get("tracks") or {}
        return parsing.parse_or_fail(
            tracks, lambda d: parsing.page_from_json(d, parsing.track_from_json), "search result"
        )

    def search_tracks_up_to(self, q: str, total: int) -> list[SpotifyTrack]:
        """Collect up to `total` search results, one request per 10 (each call counts on quota)."""
        check_range("total", total, 1, SEARCH_MAX_OFFSET + SEARCH_MAX_LIMIT)
        found: list[SpotifyTrack] = []
        offset = 0
        while len(found) < total and offset <= SEARCH_MAX_OFFSET:
            page = self.search_tracks(
                q, limit=min(SEARCH_MAX_LIMIT, total - len(found)), offset=offset
            )
            found.extend(page.items)
            offset += len(page.items)
            if not page.items or page.next is None or offset >= page.total:
                break
        return found[:total]

    def get_track(self, spotify_id: str) -> SpotifyTrack:
        """Get one track (with ISRC when Spotify has it)."""
        data = self._get("/tracks/{id}", "track", path={"id": spotify_id})
        return parsing.parse_or_fail(data, parsing.track_from_json, "track")

    def get_artist(self, spotify_id: str) -> SpotifyArtist:
        """Get one artist."""
        data = self._get("/artists/{id}", "artist", path={"id": spotify_id})
        return parsing.parse_or_fail(data, parsing.artist_from_json, "artist")

    def get_artist_albums(
        self, spotify_id: str, *, limit: int = 10, offset: int = 0
    ) -> Page[SpotifyAlbum]:
        """List an artist's albums (dev mode: limit 1..10)."""
        check_range("limit", limit, 1, ARTIST_ALBUMS_MAX_LIMIT)
        check_range("offset", offset, 0, 100_000)
        params = {"limit": limit, "offset": offset}
        data = self._get(
            "/artists/{id}/albums", "album page", path={"id": spotify_id}, params=params
        )
        return self._page(data, parsing.album_from_json, "album page")

    def get_album(self, spotify_id: str) -> SpotifyAlbum:
        """Get one album with the first page of its tracks."""
        data = self._get("/albums/{id}", "album", path={"id": spotify_id})
        return parsing.parse_or_fail(data, parsing.album_from_json, "album")

    def get_album_tracks(
        self, spotify_id: str, *, limit: int = 50, offset: int = 0
    ) -> Page[SpotifyTrack]:
        """List an album's tracks (simplified: `album` and `isrc` are None)."""
        check_range("limit", limit, 1, PAGE_MAX_LIMIT)
        check_range("offset", offset, 0, 100_000)
        params = {"limit": limit, "offset": offset}
        data = self._get(
            "/albums/{id}/tracks", "track page", path={"id": spotify_id}, params=params
        )
        return self._page(data, parsing.track_from_json, "track page")

    def get_me(self) -> SpotifyUser:
        """Get the logged-in listener (key them on `account_id`)."""
        return parsing.parse_or_fail(self._get("/me", "user"), parsing.user_from_json, "user")

    def get_my_top_tracks(
        self, *, time_range: str = "medium_term", limit: int = 20, offset: int = 0
    ) -> Page[SpotifyTrack]:
        """List the listener's top tracks over `time_range`."""
        if time_range not in TIME_RANGES:
            raise ValueError(f"time_range must be one of {TIME_RANGES}, got {time_range!r}")
        check_range("limit", limit, 1, PAGE_MAX_LIMIT)
        check_range("offset", offset, 0, 100_000)
        params = {"time_range": time_range, "limit": limit, "offset": offset}
        data = self._get("/me/top/tracks", "track page", params=params)
        return self._page(data, parsing.track_from_json, "track page")

    def get_recently_played(
        self, *, limit: int = 20, before_ms: int | None = None
    ) -> list[SpotifyPlay]:
        """List the listener's recently played tracks, newest first."""
        check_range("limit", limit, 1, PAGE_MAX_LIMIT)
        params: dict[str, int] = {"limit": limit}
        if before_ms is not None:
            params["before"] = before_ms
        data = self._get("/me/player/recently-played", "play history", params=params)
        page = self._page(data, parsing.play_from_json, "play history")
        return list(page.items)

    def get_my_playlists(self, *, limit: int = 20, offset: int = 0) -> Page[SpotifyPlaylist]:
        """List the listener's playlists."""
        check_range("limit", limit, 1, PAGE_MAX_LIMIT)
        check_range("offset", offset, 0, 100_000)
        params = {"limit": limit, "offset": offset}
        data = self._get("/me/playlists", "playlist page", params=params)
        return self._page(data, parsing.playlist_from_json, "playlist page")

    def get_playlist_items(
        self, playlist_id: str, *, limit: int = 50, offset: int = 0
    ) -> Page[SpotifyTrack]:
        """List the tracks of a playlist the listener owns (episodes are skipped)."""
        check_range("limit", limit, 1, PAGE_MAX_LIMIT)
        check_range("offset", offset, 0, 100_000)
        params = {"limit": limit, "offset": offset}
        data = self._get(
            "/playlists/{id}/items", "item page", path={"id": playlist_id}, params=params
        )
        page = self._page(data, parsing.playlist_item_from_json, "item page")
        items = tuple(track for track in page.items if track is not None)
        return Page(items, page.total, page.limit, page.offset, page.next)

    @staticmethod
    def _page(data: Any, parse: Callable[[Any], Any], what: str) -> Page[Any]:
        return parsing.parse_or_fail(data, lambda d: parsing.page_from_json(d, parse), what)

    def _request(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        return self._transport.request(method, endpoint, **kwargs)

    def create_playlist(
        self, name: str, *, description: str = "", public: bool = False
    ) -> SpotifyPlaylist:
        """Create a playlist owned by the listener (POST /me/playlists)."""
        if not name.strip():
            raise ValueError("name must not be empty")
        body = {"name": name, "description": description, "public": public}
        data = self._request("POST", "/me/playlists", json=body)
        return parsing.parse_or_fail(data, parsing.playlist_from_json, "playlist")
