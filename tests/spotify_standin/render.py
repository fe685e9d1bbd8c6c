"""Spotify Web API JSON shapes for the stand-in (dev mode: no popularity, followers, markets)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.spotify_standin.catalog import Catalog, CatalogAlbum, CatalogArtist, CatalogTrack

Json = dict[str, Any]


@dataclass(frozen=True)
class StandInUser:
    """A listener the stand-in knows (dev mode allows at most 5 per app)."""

    account_id: str
    display_name: str
    spotify_id: str = ""

    @property
    def user_id(self) -> str:
        """Return the public user id (`spotify_id`, else derived from the account id)."""
        return self.spotify_id or f"user-{self.account_id}"


def _precision(release_date: str) -> str:
    return {4: "year", 7: "month"}.get(len(release_date), "day")


class Renderer:
    """Turn catalog rows and stand-in state into Spotify JSON with links to the stand-in."""

    def __init__(self, catalog: Catalog, api_base_url: str) -> None:
        self.catalog = catalog
        self.api = api_base_url.rstrip("/")

    def links(self, kind: str, spotify_id: str) -> Json:
        """Render the id, uri, href, type and external_urls every Spotify object carries."""
        return {
            "external_urls": {"spotify": f"https://open.spotify.com/{kind}/{spotify_id}"},
            "href": f"{self.api}/{kind}s/{spotify_id}",
            "id": spotify_id,
            "type": kind,
            "uri": f"spotify:{kind}:{spotify_id}",
        }

    def simplified_artist(self, artist: CatalogArtist) -> Json:
        """Render a SimplifiedArtistObject."""
        return {**self.links("artist", artist.spotify_id), "name": artist.name}

    def artist(self, artist: CatalogArtist) -> Json:
        """Render an ArtistObject."""
        return {**self.simplified_artist(artist), "images": []}

    def simplified_album(self, album: CatalogAlbum) -> Json:
        """Render a SimplifiedAlbumObject (also valid as an artist discography album)."""
        return {
            **self.links("album", album.spotify_id),
            "album_type": "single" if len(album.track_ids) < 3 else "album",
            "total_tracks": len(album.track_ids),
            "images": [],
            "name": album.name,
            "release_date": album.release_date,
            "release_date_precision": _precision(album.release_date),
            "artists": [self.simplified_artist(self.catalog.artists[album.artist_id])],
        }

    def album(self, album: CatalogAlbum) -> Json:
        """Render an AlbumObject with the first page of its tracks."""
        tracks = [self.simplified_track(self.catalog.tracks[t]) for t in album.track_ids]
        href = f"{self.api}/albums/{album.spotify_id}/tracks"
        return {
            **self.simplified_album(album),
            "tracks": self.page(href, tracks[:50], len(tracks), 50, 0),
            "copyrights": [],
            "external_ids": {},
        }

    def simplified_track(self, track: CatalogTrack) -> Json:
        """Render a SimplifiedTrackObject."""
        return {
            **self.links("track", track.spotify_id),
            "artists": [self.simplified_artist(self.catalog.artists[track.artist_id])],
            "disc_number": 1,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "is_playable": True,
            "is_local": False,
            "name": track.name,
            "track_number": track.track_number,
        }

    def track(self, track: CatalogTrack) -> Json:
        """Render a TrackObject, with the album and the (invented) ISRC."""
        return {
            **self.simplified_track(track),
            "album": self.simplified_album(self.catalog.albums[track.album_id]),
            "external_ids": {"isrc": track.isrc},
        }

    def track_by_uri(self, uri: str) -> Json:
        """Render the track of a URI, or a minimal track for ids outside the catalog."""
        spotify_id = uri.rsplit(":", 1)[-1]
        known = self.catalog.tracks.get(spotify_id)
        if known is not None:
            return self.track(known)
        return {
            **self.links("track", spotify_id),
            "artists": [],
            "duration_ms": 0,
            "explicit": False,
            "is_local": False,
            "name": "Unknown track",
        }

    def user(self, user: StandInUser, *, private: bool) -> Json:
        """Render a PrivateUserObject (GET /me) or a playlist owner."""
        data = {**self.links("user", user.user_id), "display_name": user.display_name}
        if private:
            data.update(account_id=user.account_id, images=[])
        return data

    def page(
        self, href: str, items: Sequence[Any], total: int, limit: int, offset: int, **query: Any
    ) -> Json:
        """Render an offset PagingObject whose links point back at `href`."""

        def link(at: int) -> str:
            return f"{href}?{urlencode({**query, 'offset': at, 'limit': limit})}"

        return {
            "href": link(offset),
            "items": list(items),
            "limit": limit,
            "next": link(offset + limit) if offset + limit < total else None,
            "offset": offset,
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "total": total,
        }
