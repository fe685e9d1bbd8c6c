"""Spotify references in one place: parse track ids, URIs and open.spotify.com URLs; build them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

_BASE62_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_URL_PATH = re.compile(r"^/(?:intl-[A-Za-z-]+/)?(\w+)/([0-9A-Za-z]{22})/?$")
_URL_HOSTS = ("open.spotify.com", "play.spotify.com")
MAX_CATALOG_ID_DIGITS = 18  # anything longer does not fit a 64-bit integer column
# The reference forms a track path accepts, as one pattern (catalog ids bounded to an int32 column).
TRACK_REF_PATTERN = re.compile(
    r"^(\d{1,10}|[0-9A-Za-z]{22}|spotify:track:[0-9A-Za-z]{22}"
    r"|https?://open\.spotify\.com/(intl-[a-z-]+/)?track/[0-9A-Za-z]{22}/?(\?[^#]*)?(#.*)?)$"
)
TRACK_REF_FORMATS = (
    "a catalog id, a 22-character Spotify id, a spotify:track: URI "
    "or an open.spotify.com/track/ URL"
)


@dataclass(frozen=True)
class TrackRef:
    """A parsed track reference: our integer id or a Spotify id (exactly one is set)."""

    id: int | None = None
    spotify_id: str | None = None


def is_spotify_id(value: str) -> bool:
    """Tell whether `value` is a 22-character base62 Spotify id."""
    return bool(_BASE62_ID.match(value))


def spotify_id_from(value: str | None, kind: str = "track") -> str | None:
    """Return the Spotify id in a bare id, "spotify:<kind>:<id>" or an open.spotify.com URL."""
    text = (value or "").strip()
    if not text:
        return None
    if is_spotify_id(text):
        return text
    prefix = f"spotify:{kind}:"
    if text.startswith(prefix):
        rest = text[len(prefix) :]
        return rest if is_spotify_id(rest) else None
    url = urlparse(text)
    match = _URL_PATH.match(url.path)
    if url.scheme in ("http", "https") and url.netloc in _URL_HOSTS and match:
        return match.group(2) if match.group(1) == kind else None
    return None


def uri_id(value: str, kind: str = "track") -> str | None:
    """Return the id part of "spotify:<kind>:<id>" without checking its form (a lookup key)."""
    prefix = f"spotify:{kind}:"
    text = value.strip()
    return text[len(prefix) :] or None if text.startswith(prefix) else None


def parse_track_ref(value: int | str) -> TrackRef | None:
    """Read a catalog id (int or digits), or a Spotify id, URI or URL; None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return TrackRef(id=value) if value > 0 else None
    text = value.strip()
    if text.isdigit() and len(text) <= MAX_CATALOG_ID_DIGITS:
        return TrackRef(id=int(text)) if int(text) > 0 else None
    spotify_id = spotify_id_from(text, "track")
    return TrackRef(spotify_id=spotify_id) if spotify_id else None


def spotify_uri(spotify_id: str, kind: str = "track") -> str:
    """Return "spotify:<kind>:<id>"."""
    return f"spotify:{kind}:{spotify_id}"


def spotify_url(spotify_id: str, kind: str = "track") -> str:
    """Return the open.spotify.com URL of a track, artist, album or playlist."""
    return f"https://open.spotify.com/{kind}/{spotify_id}"
