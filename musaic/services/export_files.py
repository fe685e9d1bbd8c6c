"""Playlist files: M3U8, Exportify-style CSV and JSPF, with a safe attachment file name."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from musaic.errors import NotFoundError
from musaic.extensions import db
from musaic.models import Playlist, PlaylistTrack, Track, TrackArtist
from musaic.services.listener import Listener
from musaic.services.playlists import get_playlist
from musaic.spotify.refs import spotify_uri, spotify_url

# Exportify's current column layout (the importer also reads its older one).
EXPORTIFY_COLUMNS = (
    "Track URI",
    "Track Name",
    "Artist URI(s)",
    "Artist Name(s)",
    "Album URI",
    "Album Name",
    "Album Artist URI(s)",
    "Album Artist Name(s)",
    "Album Release Date",
    "Album Image URL",
    "Disc Number",
    "Track Number",
    "Track Duration (ms)",
    "Track Preview URL",
    "Explicit",
    "Popularity",
    "ISRC",
    "Added By",
    "Added At",
)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*%;]+')


@dataclass(frozen=True)
class PlaylistFile:
    """A rendered playlist file: its bytes, media type and attachment file name."""

    content: bytes
    media_type: str
    filename: str

    @property
    def content_disposition(self) -> str:
        """Return an RFC 6266 attachment header (filename* when the name is not ASCII)."""
        fallback = unicodedata.normalize("NFKD", self.filename).encode("ascii", "ignore")
        ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "_", fallback.decode()).strip(" ._") or "x"
        if "." not in ascii_name:
            ascii_name += "." + self.filename.rsplit(".", 1)[-1]
        header = f'attachment; filename="{ascii_name}"'
        if ascii_name != self.filename:
            header += f"; filename*=UTF-8''{quote(self.filename, safe='')}"
        return header


def safe_filename(name: str, extension: str) -> str:
    """Return a file name derived from the playlist name, without path or control characters."""
    stem = _UNSAFE.sub(" ", unicodedata.normalize("NFC", name))
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:80].strip(" .") or "playlist"
    return f"{stem}.{extension}"


def _artists(track: Track) -> str:
    return ", ".join(a.name for a in track.artists)


def _m3u8(playlist: Playlist) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(playlist.name)}"]
    for item in playlist.items:
        track = item.track
        seconds = round(track.duration_ms / 1000) if track.duration_ms else -1
        lines.append(f"#EXTINF:{seconds},{_one_line(f'{_artists(track)} - {track.title}')}")
        lines.append(_location(track))
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n]+", " ", text)


def _location(track: Track) -> str:
    """Return the track's Spotify URL, else a Spotify search for it."""
    if track.spotify_id:
        return spotify_url(track.spotify_id)
    return "https://open.spotify.com/search/" + quote(f"{_artists(track)} {track.title}")


def _csv_row(track: Track) -> list[str]:
    album = track.album
    artist_uris = [spotify_uri(a.spotify_id, "artist") for a in track.artists if a.spotify_id]
    all_artist_ids = len(artist_uris) == len(track.artists)
    explicit = "" if track.explicit is None else str(track.explicit).lower()
    return [
        spotify_uri(track.spotify_id) if track.spotify_id else "",
        track.title,
        ",".join(artist_uris) if all_artist_ids else "",
        ",".join(a.name for a in track.artists),
        spotify_uri(album.spotify_id, "album") if album and album.spotify_id else "",
        album.name if album else "",
        "",
        "",
        str(album.release_date or album.release_year or "") if album else "",
        "",
        "",
        "",
        str(track.duration_ms or ""),
        "",
        explicit,
        "" if track.popularity is None else str(track.popularity),
        track.isrc or "",
        "",
        "",
    ]


def _csv(playlist: Playlist) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(EXPORTIFY_COLUMNS)
    writer.writerows(_csv_row(item.track) for item in playlist.items)
    return out.getvalue()


def _jspf_track(item: PlaylistTrack) -> dict[str, Any]:
    track = item.track
    entry: dict[str, Any] = {"title": track.title, "creator": _artists(track)}
    if track.album is not None:
        entry["album"] = track.album.name
    if track.duration_ms:
        entry["duration"] = track.duration_ms
    if track.spotify_id:
        entry["identifier"] = [spotify_url(track.spotify_id)]
    reasons = "; ".join(str(r.get("text")) for r in item.reasons or [] if r.get("text"))
    if reasons:
        entry["annotation"] = reasons
    return entry


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def _jspf(playlist: Playlist) -> str:
    body = {
        "playlist": {
            "title": playlist.name,
            "creator": "Musaic",
            "annotation": f"Made with Musaic ({playlist.matcher or playlist.kind}).",
            "date": _aware(playlist.created_at).isoformat(),
            "track": [_jspf_track(item) for item in playlist.items],
        }
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


FORMATS: dict[str, tuple[str, Callable[[Playlist], str]]] = {
    "m3u8": ("application/vnd.apple.mpegurl", _m3u8),
    "csv": ("text/csv; charset=utf-8", _csv),
    "jspf": ("application/json", _jspf),
}


def render(playlist: Playlist, file_format: str) -> PlaylistFile:
    """Render the playlist in one of FORMATS."""
    media_type, write = FORMATS[file_format]
    return PlaylistFile(
        write(playlist).encode("utf-8"), media_type, safe_filename(playlist.name, file_format)
    )


def listener_file(playlist_id: int, listener: Listener, file_format: str) -> PlaylistFile:
    """Render one of the listener's playlists (404 for anyone else's)."""
    return render(get_playlist(playlist_id, listener), file_format)


def any_playlist_file(playlist_id: int, file_format: str) -> PlaylistFile:
    """Render any playlist by id, generated or imported (for the command line)."""
    track = selectinload(Playlist.items).selectinload(PlaylistTrack.track)
    playlist = db.session.scalar(
        select(Playlist)
        .where(Playlist.id == playlist_id)
        .options(
            track.selectinload(Track.credits).selectinload(TrackArtist.artist),
            track.selectinload(Track.album),
        )
    )
    if playlist is None:
        raise NotFoundError(f"No playlist {playlist_id}.", code="playlist_not_found")
    return render(playlist, file_format)
