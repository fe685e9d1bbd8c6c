"""Turn Spotify's JSON into the dataclasses of musaic.spotify.models."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from musaic.shared import release_year
from musaic.spotify.errors import SpotifyUpstreamError
from musaic.spotify.models import (
    Page,
    SpotifyAlbum,
    SpotifyAlbumRef,
    SpotifyArtist,
    SpotifyArtistRef,
    SpotifyPlay,
    SpotifyPlaylist,
    SpotifyTrack,
    SpotifyUser,
)

T = TypeVar("T")
Json = Mapping[str, Any]


def _image_url(data: Json) -> str | None:
    images = data.get("images") or []
    return str(images[0]["url"]) if images else None


def _external_url(data: Json) -> str | None:
    url = (data.get("external_urls") or {}).get("spotify")
    return str(url) if url else None


def _artist_refs(data: Json) -> tuple[SpotifyArtistRef, ...]:
    return tuple(SpotifyArtistRef(a["id"], a["name"]) for a in data.get("artists") or [])


def album_ref_from_json(data: Json) -> SpotifyAlbumRef:
    """Parse the album embedded in a track."""
    date = data.get("release_date")
    return SpotifyAlbumRef(data["id"], data["name"], date, release_year(date))


def track_from_json(data: Json) -> SpotifyTrack:
    """Parse a TrackObject or SimplifiedTrackObject."""
    album = data.get("album")
    return SpotifyTrack(
        spotify_id=data["id"],
        name=data["name"],
        artists=_artist_refs(data),
        album=album_ref_from_json(album) if album else None,
        duration_ms=int(data.get("duration_ms") or 0),
        explicit=bool(data.get("explicit", False)),
        isrc=(data.get("external_ids") or {}).get("isrc"),
        uri=data.get("uri") or f"spotify:track:{data['id']}",
        external_url=_external_url(data),
    )


def artist_from_json(data: Json) -> SpotifyArtist:
    """Parse an ArtistObject."""
    return SpotifyArtist(
        spotify_id=data["id"],
        name=data["name"],
        uri=data.get("uri") or f"spotify:artist:{data['id']}",
        external_url=_external_url(data),
        image_url=_image_url(data),
    )


def album_from_json(data: Json) -> SpotifyAlbum:
    """Parse an AlbumObject or SimplifiedAlbumObject."""
    date = data.get("release_date")
    tracks = (data.get("tracks") or {}).get("items") or []
    return SpotifyAlbum(
        spotify_id=data["id"],
        name=data["name"],
        album_type=data.get("album_type", "album"),
        release_date=date,
        release_year=release_year(date),
        total_tracks=int(data.get("total_tracks") or 0),
        artists=_artist_refs(data),
        uri=data.get("uri") or f"spotify:album:{data['id']}",
        external_url=_external_url(data),
        image_url=_image_url(data),
        upc=(data.get("external_ids") or {}).get("upc"),
        tracks=tuple(track_from_json(t) for t in tracks),
    )


def user_from_json(data: Json) -> SpotifyUser:
    """Parse a PrivateUserObject (GET /me)."""
    return SpotifyUser(
        account_id=data.get("account_id"),
        spotify_id=data["id"],
        display_name=data.get("display_name"),
        image_url=_image_url(data),
    )


def playlist_from_json(data: Json) -> SpotifyPlaylist:
    """Parse a PlaylistObject or SimplifiedPlaylistObject."""
    items = data.get("items") or data.get("tracks") or {}
    return SpotifyPlaylist(
        spotify_id=data["id"],
        name=data["name"],
        description=data.get("description"),
        public=data.get("public"),
        owner_spotify_id=(data.get("owner") or {}).get("id"),
        snapshot_id=data.get("snapshot_id", ""),
        uri=data.get("uri") or f"spotify:playlist:{data['id']}",
        external_url=_external_url(data),
        items_total=int(items.get("total") or 0),
    )


def play_from_json(data: Json) -> SpotifyPlay:
    """Parse a PlayHistoryObject."""
    played_at = datetime.fromisoformat(str(data["played_at"]).replace("Z", "+00:00"))
    return SpotifyPlay(track=track_from_json(data["track"]), played_at=played_at)


def playlist_item_from_json(data: Json) -> SpotifyTrack | None:
    """Parse a PlaylistTrackObject; None for episodes and removed tracks."""
    item = data.get("item") or data.get("track")
    if not item or item.get("type", "track") != "track":
        return None
    return track_from_json(item)


def page_from_json(data: Json, parse: Callable[[Json], T]) -> Page[T]:
    """Parse an offset PagingObject, each item with `parse`."""
    return Page(
        items=tuple(parse(item) for item in data.get("items") or [] if item),
        total=int(data.get("total") or 0),
        limit=int(data.get("limit") or 0),
        offset=int(data.get("offset") or 0),
        next=data.get("next"),
    )


def parse_or_fail(data: Any, parse: Callable[[Json], T], what: str) -> T:
    """Apply `parse`, turning a malformed Spotify body into SpotifyUpstreamError."""
    try:
        return parse(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SpotifyUpstreamError(
            f"Spotify sent a malformed {what}", details={"problem": type(exc).__name__}
        ) from None
