"""The stand-in's Web API: the dev-mode subset Musaic may call, with dev-mode limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.spotify_standin.catalog import CatalogTrack
from tests.spotify_standin.playlists import PlaylistRoutes
from tests.spotify_standin.render import StandInUser
from tests.spotify_standin.wire import Incoming, Reply, error_body, read_limits

Handler = Callable[..., Reply]

# Gone for Development Mode apps (2026): Spotify answers these with 403 or 404.
REMOVED_ENDPOINTS = (
    ("GET", r"/artists/[^/]+/top-tracks", 403),
    ("GET", r"/artists/[^/]+/related-artists", 403),
    ("GET", r"/recommendations(/.*)?", 403),
    ("GET", r"/audio-features(/.*)?", 403),
    ("GET", r"/audio-analysis/[^/]+", 403),
    ("GET", r"/(tracks|artists|albums)", 403),
    ("GET", r"/users/[^/]+", 404),
    ("GET|POST", r"/users/[^/]+/playlists", 403),
    ("GET|POST|PUT|DELETE", r"/playlists/[^/]+/tracks", 403),
    ("GET", r"/browse/.*", 403),
)


class WebApi(PlaylistRoutes):
    """Route /v1 requests of an authenticated user to handlers."""

    def listening_of(self, user: StandInUser) -> list[CatalogTrack]:
        """Return a user's deterministic listening: 50 catalog tracks from a per-user start."""
        tracks = list(self.catalog.tracks.values())
        start = (self.users.index(user) * 50) % max(1, len(tracks))
        return (tracks[start:] + tracks[:start])[:50]

    def routes(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        """Return (method, path pattern, handler) for every supported endpoint."""
        table: list[tuple[str, str, Handler]] = [
            ("GET", r"/search", self.search),
            ("GET", r"/tracks/(?P<spotify_id>[^/]+)", self.get_track),
            ("GET", r"/artists/(?P<spotify_id>[^/]+)", self.get_artist),
            ("GET", r"/artists/(?P<spotify_id>[^/]+)/albums", self.get_artist_albums),
            ("GET", r"/albums/(?P<spotify_id>[^/]+)", self.get_album),
            ("GET", r"/albums/(?P<spotify_id>[^/]+)/tracks", self.get_album_tracks),
            ("GET", r"/me", self.get_me),
            ("GET", r"/me/top/tracks", self.get_top_tracks),
            ("GET", r"/me/player/recently-played", self.get_recently_played),
            *self.playlist_routes(),
        ]
        return [(m, re.compile(f"^{p}$"), h) for m, p, h in table]

    def dispatch(self, request: Incoming, user: StandInUser) -> Reply:
        """Answer one /v1 request (the path without the /v1 prefix in request.path)."""
        for methods, pattern, status in REMOVED_ENDPOINTS:
            if request.method in methods.split("|") and re.fullmatch(pattern, request.path):
                return Reply(status, error_body(status, "This endpoint is not available"))
        for method, regex, handler in self.routes():
            match = regex.match(request.path)
            if match and method == request.method:
                return handler(request, user, **match.groupdict())
        return Reply(404, error_body(404, "Service not found"))

    def search(self, request: Incoming, user: StandInUser) -> Reply:
        """GET /search (type=track only)."""
        paging = read_limits(request, 5, 10, max_offset=1000)
        if isinstance(paging, Reply):
            return paging
        query, kinds = request.arg("q") or "", (request.arg("type") or "").split(",")
        if not query.strip() or kinds != ["track"]:
            return Reply(400, error_body(400, "The stand-in supports q with type=track only"))
        limit, offset = paging
        found = self.catalog.search(query)
        items = [self.render.track(t) for t in found[offset : offset + limit]]
        href = f"{self.render.api}/search"
        page = self.render.page(href, items, len(found), limit, offset, q=query, type="track")
        return Reply(200, {"tracks": page})

    def _missing(self, what: str) -> Reply:
        return Reply(404, error_body(404, f"Non existing {what}"))

    def get_track(self, request: Incoming, user: StandInUser, spotify_id: str) -> Reply:
        """GET /tracks/{id}."""
        track = self.catalog.tracks.get(spotify_id)
        return Reply(200, self.render.track(track)) if track else self._missing("id")

    def get_artist(self, request: Incoming, user: StandInUser, spotify_id: str) -> Reply:
        """GET /artists/{id}."""
        artist = self.catalog.artists.get(spotify_id)
        return Reply(200, self.render.artist(artist)) if artist else self._missing("id")

    def get_artist_albums(self, request: Incoming, user: StandInUser, spotify_id: str) -> Reply:
        """GET /artists/{id}/albums (dev mode: limit at most 10)."""
        artist = self.catalog.artists.get(spotify_id)
        paging = read_limits(request, 5, 10)
        if artist is None or isinstance(paging, Reply):
            return paging if isinstance(paging, Reply) else self._missing("id")
        limit, offset = paging
        albums = [self.catalog.albums[a] for a in artist.album_ids]
        items = [self.render.simplified_album(a) for a in albums[offset : offset + limit]]
        href = f"{self.render.api}/artists/{spotify_id}/albums"
        return Reply(200, self.render.page(href, items, len(albums), limit, offset))

    def get_album(self, request: Incoming, user: StandInUser, spotify_id: str) -> Reply:
        """GET /albums/{id}."""
        album = self.catalog.albums.get(spotify_id)
        return Reply(200, self.render.album(album)) if album else self._missing("id")

    def get_album_tracks(self, request: Incoming, user: StandInUser, spotify_id: str) -> Reply:
        """GET /albums/{id}/tracks."""
        album = self.catalog.albums.get(spotify_id)
        paging = read_limits(request, 20, 50)
        if album is None or isinstance(paging, Reply):
            return paging if isinstance(paging, Reply) else self._missing("id")
        limit, offset = paging
        tracks = [self.catalog.tracks[t] for t in album.track_ids]
        items = [self.render.simplified_track(t) for t in tracks[offset : offset + limit]]
        href = f"{self.render.api}/albums/{spotify_id}/tracks"
        return Reply(200, self.render.page(href, items, len(tracks), limit, offset))

    def get_me(self, request: Incoming, user: StandInUser) -> Reply:
        """GET /me (with account_id; no email, country or product in dev mode)."""
        return Reply(200, self.render.user(user, private=True))

    def get_top_tracks(self, request: Incoming, user: StandInUser) -> Reply:
        """GET /me/top/tracks: a deterministic slice of the catalog per user."""
        paging = read_limits(request, 20, 50)
        if isinstance(paging, Reply):
            return paging
        limit, offset = paging
        top = self.listening_of(user)[:50]
        items = [self.render.track(t) for t in top[offset : offset + limit]]
        href = f"{self.render.api}/me/top/tracks"
        return Reply(200, self.render.page(href, items, len(top), limit, offset))

    def get_recently_played(self, request: Incoming, user: StandInUser) -> Reply:
        """GET /me/player/recently-played: one play every 4 minutes before a fixed moment."""
        paging = read_limits(request, 20, 50)
        if isinstance(paging, Reply):
            return paging
        limit = paging[0]
        before = int(request.arg("before") or PLAYS_END_MS + 1)
        plays = [
            (PLAYS_END_MS - i * 240_000, t) for i, t in enumerate(self.listening_of(user)[:50])
        ]
        chosen = [(at, t) for at, t in plays if at < before][:limit]
        items = [{"track": self.render.track(t), "played_at": _iso(at)} for at, t in chosen]
        body: dict[str, Any] = {
            "href": f"{self.render.api}/me/player/recently-played?limit={limit}",
            "items": items,
            "limit": limit,
        }
        if chosen:
            body["cursors"] = {"after": str(chosen[0][0]), "before": str(chosen[-1][0])}
            body["next"] = f"{body['href']}&before={chosen[-1][0]}"
        return Reply(200, body)


PLAYS_END_MS = 1_790_000_000_000  # 2026-09-21, a fixed moment keeps answers deterministic


def _iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
