"""What a Spotify playlist is called and says: the listener's choices, else the playlist's own."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from musaic.errors import field_error
from musaic.models import Playlist

MAX_NAME = 100
MAX_DESCRIPTION = 300
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ExportRequest:
    """What the listener asked for; None means "derive it from the playlist"."""

    name: str | None = None
    description: str | None = None
    public: bool = False


@dataclass(frozen=True)
class Details:
    """The name, description (without marker) and visibility the Spotify playlist should have."""

    name: str
    description: str
    public: bool


def clean_text(value: str, limit: int) -> str:
    """Strip HTML tags and control characters, collapse spaces, and cut to `limit` characters."""
    text = _TAG.sub(" ", html.unescape(_TAG.sub(" ", value))).replace("<", " ").replace(">", " ")
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return _SPACES.sub(" ", text).strip()[:limit].rstrip()


def export_details(request: ExportRequest, playlist: Playlist) -> Details:
    """Return the cleaned name, description and visibility (defaults from the playlist)."""
    name = clean_text(request.name if request.name is not None else playlist.name, MAX_NAME)
    if not name:
        raise field_error("name", "must contain text once HTML and control characters are removed")
    if request.description is not None:
        return Details(name, clean_text(request.description, MAX_DESCRIPTION), request.public)
    seed = next((i.track for i in playlist.items if i.track_id == playlist.seed_track_id), None)
    made_from = ""
    if seed is not None:
        by = ", ".join(a.name for a in seed.artists[:2])
        made_from = f' from "{seed.title}"' + (f" by {by}" if by else "")
    text = f"A playlist{made_from}, made with Musaic."
    return Details(name, clean_text(text, MAX_DESCRIPTION), request.public)


def with_marker(description: str, marker: str) -> str:
    """Return the description Spotify gets: the listener's text plus this export's marker."""
    suffix = f"[{marker}]"
    room = MAX_DESCRIPTION - len(suffix) - 1
    return f"{description[:room].rstrip()} {suffix}".strip()
