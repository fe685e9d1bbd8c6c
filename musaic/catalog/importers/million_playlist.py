"""Million Playlist Dataset slice JSON: playlists and their tracks, streamed one at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from musaic.catalog.importers.files import Progress, open_text, reading
from musaic.catalog.importers.jsonstream import JsonStream
from musaic.catalog.importers.records import (
    AlbumRef,
    ArtistRef,
    ImportFormatError,
    ImportItem,
    PlaylistRecord,
    SkippedRecord,
    TrackRecord,
    spotify_id_from_uri,
)
from musaic.catalog.normalise import featured_artists

NAME = "mpd"


def sniff(head: str) -> bool:
    """Say whether the file starts like an MPD slice (an object with "info" or "playlists")."""
    compact = "".join(head.split())
    return compact.startswith(('{"info":', '{"playlists":'))


def _track(item: Any, where: str) -> TrackRecord:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: not an object")
    spotify_id = spotify_id_from_uri(item.get("track_uri"), "track")
    title, artist = item.get("track_name"), item.get("artist_name")
    if spotify_id is None:
        raise ValueError(f"{where}: track_uri is missing or not a Spotify track URI")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"{where}: track_name is missing")
    if not isinstance(artist, str) or not artist.strip():
        raise ValueError(f"{where}: artist_name is missing")
    primary = ArtistRef(artist.strip(), spotify_id_from_uri(item.get("artist_uri"), "artist"))
    album_name = item.get("album_name")
    duration = item.get("duration_ms")
    return TrackRecord(
        title=title.strip(),
        artists=[primary, *(ArtistRef(name) for name in featured_artists(title))],
        spotify_id=spotify_id,
        album=AlbumRef(album_name.strip(), spotify_id_from_uri(item.get("album_uri"), "album"))
        if isinstance(album_name, str) and album_name.strip()
        else None,
        duration_ms=duration if isinstance(duration, int) and duration >= 0 else None,
    )


def _playlist(value: Any, number: int) -> tuple[PlaylistRecord, list[SkippedRecord]]:
    location = f"playlist #{number}"
    if not isinstance(value, dict):
        raise ValueError("not an object")
    pid, tracks = value.get("pid", value.get("id")), value.get("tracks")
    if not isinstance(pid, int | str) or isinstance(pid, bool):
        raise ValueError("pid is missing")
    if not isinstance(tracks, list):
        raise ValueError(f"pid {pid}: tracks is not a list")
    name = value.get("name")
    records, skipped = [], []
    for position, item in enumerate(tracks):
        try:
            records.append(_track(item, f"pid {pid} track {position}"))
        except ValueError as exc:
            skipped.append(SkippedRecord(location, str(exc)))
    for record in records:
        record.location = location
    playlist = PlaylistRecord(NAME, str(pid), str(name or f"MPD {pid}")[:300], records, location)
    return playlist, skipped


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportItem]:
    """Yield one PlaylistRecord per playlist of the slice, in file order."""
    with reading(path), open_text(path, progress) as text:
        stream = JsonStream(text, str(path))
        found = False
        for key in stream.members("an MPD slice object"):
            if key != "playlists":
                stream.value()
                continue
            found = True
            if stream.peek() != "[":
                raise ImportFormatError(f'{path}: "playlists" is not an array')
            for number, value in enumerate(stream.items('the "playlists" array'), start=1):
                try:
                    playlist, skipped = _playlist(value, number)
                except ValueError as exc:
                    yield SkippedRecord(f"playlist #{number}", str(exc))
                    continue
                yield from skipped
                yield playlist
        stream.expect_end()
        if not found:
            raise ImportFormatError(f'{path}: not an MPD slice (no "playlists" array)')
