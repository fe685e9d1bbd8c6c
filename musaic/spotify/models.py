"""Frozen dataclasses for what Musaic reads from Spotify: no Spotify JSON leaves this package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class SpotifyArtistRef:
    """An artist as credited on a track or album: id and name only."""

    spotify_id: str
    name: str


@dataclass(frozen=True)
class SpotifyAlbumRef:
    """The album a track belongs to, as embedded in a track."""

    spotify_id: str
    name: str
    release_date: str | None
    release_year: int | None


@dataclass(frozen=True)
class SpotifyTrack:
    """A track; `album` is None for album-track listings, `isrc` None when Spotify omits it."""

    spotify_id: str
    name: str
    artists: tuple[SpotifyArtistRef, ...]
    album: SpotifyAlbumRef | None
    duration_ms: int
    explicit: bool
    isrc: str | None
    uri: str
    external_url: str | None


@dataclass(frozen=True)
class SpotifyArtist:
    """An artist (dev mode: no popularity, followers or genres)."""

    spotify_id: str
    name: str
    uri: str
    external_url: str | None
    image_url: str | None


@dataclass(frozen=True)
class SpotifyAlbum:
    """An album; `tracks` holds the first page Spotify embeds (empty for simplified albums)."""

    spotify_id: str
    name: str
    album_type: str
    release_date: str | None
    release_year: int | None
    total_tracks: int
    artists: tuple[SpotifyArtistRef, ...]
    uri: str
    external_url: str | None
    image_url: str | None
    upc: str | None
    tracks: tuple[SpotifyTrack, ...]


@dataclass(frozen=True)
class SpotifyUser:
    """The logged-in listener; key users on `account_id` (`spotify_id` is not for linking)."""

    account_id: str | None
    spotify_id: str
    display_name: str | None
    image_url: str | None


@dataclass(frozen=True)
class SpotifyPlaylist:
    """A playlist as listed or created; `items_total` is its number of items."""

    spotify_id: str
    name: str
    description: str | None
    public: bool | None
    owner_spotify_id: str | None
    snapshot_id: str
    uri: str
    external_url: str | None
    items_total: int


@dataclass(frozen=True)
class SpotifyPlay:
    """One entry of the listener's recently played tracks."""

    track: SpotifyTrack
    played_at: datetime


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of an offset-paged Spotify listing."""

    items: tuple[T, ...]
    total: int
    limit: int
    offset: int
    next: str | None
