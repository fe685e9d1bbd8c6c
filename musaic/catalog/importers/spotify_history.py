"""Spotify "extended streaming history" JSON: a listener's plays, podcast episodes skipped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from musaic.catalog.importers.files import Progress, open_text, reading
from musaic.catalog.importers.jsonstream import JsonStream
from musaic.catalog.importers.records import (
    AlbumRef,
    ArtistRef,
    ImportFormatError,
    ImportItem,
    PlayRecord,
    SkippedRecord,
    TrackRecord,
    spotify_id_from_uri,
)

NAME = "spotify-history"


def sniff(head: str) -> bool:
    """Say whether the file starts like a streaming history array (objects with ts, ms_played)."""
    return head.lstrip().startswith("[") and '"ts"' in head and '"ms_played"' in head


def _played_at(raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise ValueError("ts is missing")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"ts: not an ISO 8601 time: {raw!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _play(item: Any, location: str) -> PlayRecord:
    if not isinstance(item, dict):
        raise ValueError("not an object")
    if item.get("spotify_episode_uri") or item.get("episode_name"):
        raise ValueError("podcast episode, not a track")
    title = item.get("master_metadata_track_name")
    artist = item.get("master_metadata_album_artist_name")
    spotify_id = spotify_id_from_uri(item.get("spotify_track_uri"), "track")
    if not title or not artist or spotify_id is None:
        raise ValueError("no track (audiobook, local file or missing metadata)")
    ms_played = item.get("ms_played")
    if not isinstance(ms_played, int) or isinstance(ms_played, bool) or ms_played < 0:
        raise ValueError(f"ms_played: not a non-negative integer: {ms_played!r}")
    album = item.get("master_metadata_album_album_name")
    track = TrackRecord(
        title=str(title).strip(),
        artists=[ArtistRef(str(artist).strip())],
        spotify_id=spotify_id,
        album=AlbumRef(str(album).strip()) if isinstance(album, str) and album.strip() else None,
        location=location,
    )
    return PlayRecord(_played_at(item.get("ts")), ms_played, track, location)


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportItem]:
    """Yield one PlayRecord per track play, and a SkippedRecord for every other row."""
    with reading(path), open_text(path, progress) as text:
        stream = JsonStream(text, str(path))
        for number, item in enumerate(stream.items("a streaming history array"), start=1):
            location = f"record #{number}"
            if number == 1 and not isinstance(item, dict):
                raise ImportFormatError(f"{path}: not a streaming history (items are not objects)")
            try:
                yield _play(item, location)
            except ValueError as exc:
                yield SkippedRecord(location, str(exc))
        stream.expect_end()
