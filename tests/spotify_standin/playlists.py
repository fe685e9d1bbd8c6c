"""The stand-in's playlists: /me/playlists, /playlists/{id} and /playlists/{id}/items."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.spotify_standin.catalog import Catalog
from tests.spotify_standin.render import Renderer, StandInUser
from tests.spotify_standin.wire import Incoming, Reply, error_body, read_limits

MAX_ITEMS_PER_WRITE = 100
ADDED_AT = "2026-09-21T12:00:00Z"
_URI = re.compile(r"^spotify:track:[0-9A-Za-z]{22}$")


@dataclass
class StoredPlaylist:
    """A playlist created through the stand-in, with its items (track URIs, in order)."""

    spotify_id: str
    name: str
    description: str
    public: bool
    owner: StandInUser
    items: list[str] = field(default_factory=list)
    version: int = 1

    @property
    def snapshot_id(self) -> str:
        """Return a snapshot id that changes on every write."""
        return f"{self.spotify_id}-v{self.version}"


class PlaylistRoutes:
    """Playlist endpoints plus the shared state every route needs."""

    def __init__(self, catalog: Catalog, render: Renderer, users: list[StandInUser]) -> None:
        self.catalog = catalog
        self.render = render
        self.users = users
        self.playlists: dict[str, StoredPlaylist] = {}
        self._lock = threading.Lock()

    def playlist_routes(self) -> list[tuple[str, str, Callable[..., Reply]]]:
        """Return the playlist routes (method, pattern, handler)."""
        one = r"/playlists/(?P<playlist_id>[^/]+)"
        items = f"{one}/items"
        return [
            ("GET", r"/me/playlists", self.get_my_playlists),
            ("POST", r"/me/playlists", self.create_playlist),
            ("GET", one, self.get_playlist),
            ("PUT", one, self.change_details),
            ("GET", items, self.get_items),
            ("POST", items, self.add_items),
            ("PUT", items, self.replace_items),
            ("DELETE", items, self.remove_items),
        ]

    def _playlist_json(self, playlist: StoredPlaylist, *, full: bool) -> dict[str, Any]:
        links = self.render.links("playlist", playlist.spotify_id)
        href = f"{self.render.api}/playlists/{playlist.spotify_id}/items"
        items: dict[str, Any] = {"href": href, "total": len(playlist.items)}
        if full:
            items = self._items_page(playlist, 100, 0)
        return {
            **links,
            "collaborative": False,
            "description": playlist.description,
            "images": [],
            "name": playlist.name,
            "owner": self.render.user(playlist.owner, private=False),
            "public": playlist.public,
            "snapshot_id": playlist.snapshot_id,
            "items": items,
        }

    def _items_page(self, playlist: StoredPlaylist, limit: int, offset: int) -> dict[str, Any]:
        added_by = {k: v for k, v in self.render.user(playlist.owner, private=False).items()}
        added_by.pop("display_name", None)
        chosen = playlist.items[offset : offset + limit]
        entries = [
            {
                "added_at": ADDED_AT,
                "added_by": added_by,
                "is_local": False,
                "item": self.render.track_by_uri(u),
            }
            for u in chosen
        ]
        href = f"{self.render.api}/playlists/{playlist.spotify_id}/items"
        return self.render.page(href, entries, len(playlist.items), limit, offset)

    def get_my_playlists(self, request: Incoming, user: StandInUser) -> Reply:
        """GET /me/playlists: the playlists this user created here."""
        paging = read_limits(request, 20, 50)
        if isinstance(paging, Reply):
            return paging
        limit, offset = paging
        mine = [p for p in self.playlists.values() if p.owner == user]
        items = [self._playlist_json(p, full=False) for p in mine[offset : offset + limit]]
        href = f"{self.render.api}/me/playlists"
        return Reply(200, self.render.page(href, items, len(mine), limit, offset))

    def create_playlist(self, request: Incoming, user: StandInUser) -> Reply:
        """POST /me/playlists."""
        body = request.json()
        if not isinstance(body, dict) or not str(body.get("name") or "").strip():
            return Reply(400, error_body(400, "Missing required field: name"))
        playlist = StoredPlaylist(
            spotify_id=secrets.token_hex(11),
            name=str(body["name"]),
            description=str(body.get("description") or ""),
            public=bool(body.get("public", True)),
            owner=user,
        )
        with self._lock:
            self.playlists[playlist.spotify_id] = playlist
        return Reply(201, self._playlist_json(playlist, full=True))

    def _owned(self, playlist_id: str, user: StandInUser) -> StoredPlaylist | Reply:
        playlist = self.playlists.get(playlist_id)
        if playlist is None:
            return Reply(404, error_body(404, "Not found."))
        if playlist.owner != user:
            return Reply(403, error_body(403, "Forbidden"))
        return playlist

    def get_playlist(self, request: Incoming, user: StandInUser, playlist_id: str) -> Reply:
        """GET /playlists/{id} (dev mode: the listener's own playlists only)."""
        playlist = self._owned(playlist_id, user)
        if isinstance(playlist, Reply):
            return playlist
        return Reply(200, self._playlist_json(playlist, full=True))

    def change_details(self, request: Incoming, user: StandInUser, playlist_id: str) -> Reply:
        """PUT /playlists/{id}: name, description and public (200 with no body, as Spotify)."""
        playlist, body = self._owned(playlist_id, user), request.json()
        if isinstance(playlist, Reply):
            return playlist
        if not isinstance(body, dict) or ("name" in body and not str(body["name"]).strip()):
            return Reply(400, error_body(400, "Invalid playlist details"))
        with self._lock:
            playlist.name = str(body.get("name", playlist.name))
            playlist.description = str(body.get("description", playlist.description))
            playlist.public = bool(body.get("public", playlist.public))
            playlist.version += 1
        return Reply(200)

    def owned_by(self, account_id: str) -> list[StoredPlaylist]:
        """Return the playlists of one user, oldest first (for assertions in tests)."""
        return [p for p in self.playlists.values() if p.owner.account_id == account_id]

    def get_items(self, request: Incoming, user: StandInUser, playlist_id: str) -> Reply:
        """GET /playlists/{id}/items (owner only, as in 2026)."""
        playlist, paging = self._owned(playlist_id, user), read_limits(request, 20, 50)
        if isinstance(playlist, Reply) or isinstance(paging, Reply):
            return playlist if isinstance(playlist, Reply) else paging  # type: ignore[return-value]
        return Reply(200, self._items_page(playlist, *paging))

    def _uris(self, request: Incoming, key: str = "uris") -> list[str] | Reply:
        body = request.json() or {}
        raw = body.get(key) if isinstance(body, dict) else None
        if raw is None and request.arg("uris"):
            raw = (request.arg("uris") or "").split(",")
        if key == "items" and isinstance(raw, list):
            raw = [entry.get("uri") if isinstance(entry, dict) else None for entry in raw]
        if not isinstance(raw, list) or not all(isinstance(u, str) and _URI.match(u) for u in raw):
            return Reply(400, error_body(400, "Invalid base62 id"))
        if len(raw) > MAX_ITEMS_PER_WRITE:
            return Reply(400, error_body(400, "Too many items: at most 100 per request"))
        return list(raw)

    def _write(
        self,
        request: Incoming,
        user: StandInUser,
        playlist_id: str,
        change: Callable[[StoredPlaylist, list[str]], None],
        key: str = "uris",
        status: int = 200,
    ) -> Reply:
        playlist, uris = self._owned(playlist_id, user), self._uris(request, key)
        if isinstance(playlist, Reply) or isinstance(uris, Reply):
            return playlist if isinstance(playlist, Reply) else uris  # type: ignore[return-value]
        with self._lock:
            change(playlist, uris)
            playlist.version += 1
        return Reply(status, {"snapshot_id": playlist.snapshot_id})

    def add_items(self, request: Incoming, user: StandInUser, playlist_id: str) -> Reply:
        """POST /playlists/{id}/items (at most 100, optional position)."""
        body = request.json() if isinstance(request.json(), dict) else {}
        position = body.get("position", request.arg("position"))

        def add(playlist: StoredPlaylist, uris: list[str]) -> None:
            at = len(playlist.items) if position is None else int(position)
            playlist.items[at:at] = uris

        return self._write(request, user, playlist_id, add, status=201)

    def replace_items(self, request: Incoming, user: StandInUser, playlist_id: str) -> Reply:
        """PUT /playlists/{id}/items with uris: replace everything (reordering is not supported)."""

        def replace(playlist: StoredPlaylist, uris: list[str]) -> None:
            playlist.items[:] = uris

        return self._write(request, user, playlist_id, replace)

    def remove_items(self, request: Incoming, user: StandInUser, playlist_id: str) -> Reply:
        """DELETE /playlists/{id}/items: remove every occurrence of the given URIs."""

        def remove(playlist: StoredPlaylist, uris: list[str]) -> None:
            playlist.items[:] = [u for u in playlist.items if u not in set(uris)]

        return self._write(request, user, playlist_id, remove, key="items")
