"""Playlist item writes, chunked to Spotify's 100-items-per-request limit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from musaic.shared import chunks

MAX_ITEMS_PER_WRITE = 100
_URI_PREFIXES = ("spotify:track:", "spotify:episode:")


def _checked(uris: Sequence[str]) -> list[str]:
    if isinstance(uris, str):
        raise ValueError("uris must be a sequence of Spotify URIs, not one string")
    bad = [uri for uri in uris if not uri.startswith(_URI_PREFIXES)]
    if bad:
        raise ValueError(f"not a track or episode URI: {bad[0]!r}")
    return list(uris)


class PlaylistWrites:
    """Add, replace and remove playlist items via /playlists/{id}/items (mixed into the client)."""

    def _request(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    def _write(self, method: str, playlist_id: str, body: dict[str, Any]) -> str:
        data = self._request(method, "/playlists/{id}/items", path={"id": playlist_id}, json=body)
        return str((data or {}).get("snapshot_id", ""))

    def add_playlist_items(
        self, playlist_id: str, uris: Sequence[str], *, position: int | None = None
    ) -> str:
        """Append (or insert at `position`) items, 100 per request; return the last snapshot id."""
        checked = _checked(uris)
        snapshot = ""
        for chunk in chunks(checked, MAX_ITEMS_PER_WRITE):
            body: dict[str, Any] = {"uris": chunk}
            if position is not None:
                body["position"] = position
                position += len(chunk)
            snapshot = self._write("POST", playlist_id, body)
        return snapshot

    def replace_playlist_items(self, playlist_id: str, uris: Sequence[str]) -> str:
        """Make the playlist hold exactly `uris`: PUT the first 100, then append the rest."""
        checked = _checked(uris)
        snapshot = self._write("PUT", playlist_id, {"uris": checked[:MAX_ITEMS_PER_WRITE]})
        rest = checked[MAX_ITEMS_PER_WRITE:]
        return self.add_playlist_items(playlist_id, rest) if rest else snapshot

    def change_playlist_details(
        self, playlist_id: str, *, name: str, description: str, public: bool
    ) -> None:
        """Rename a playlist and set its description and visibility (PUT /playlists/{id})."""
        if not name.strip():
            raise ValueError("name must not be empty")
        body = {"name": name, "description": description, "public": public}
        self._request("PUT", "/playlists/{id}", path={"id": playlist_id}, json=body)

    def remove_playlist_items(self, playlist_id: str, uris: Sequence[str]) -> str:
        """Remove every occurrence of `uris`, 100 per request; return the last snapshot id."""
        snapshot = ""
        for chunk in chunks(_checked(uris), MAX_ITEMS_PER_WRITE):
            body = {"items": [{"uri": uri} for uri in chunk]}
            snapshot = self._write("DELETE", playlist_id, body)
        return snapshot
