"""Exportify CSV: one listener playlist, in the current and the older column layouts."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from musaic.catalog.importers.files import Progress, open_text, reading
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
from musaic.catalog.normalise import split_credit
from musaic.models import AUDIO_FEATURES

NAME = "exportify"
# Each field, with every header Exportify has used for it (current layout first).
COLUMNS: dict[str, tuple[str, ...]] = {
    "uri": ("Track URI", "Spotify ID", "Track ID"),
    "title": ("Track Name",),
    "artist_uris": ("Artist URI(s)", "Artist IDs", "Artist ID(s)"),
    "artists": ("Artist Name(s)",),
    "album_uri": ("Album URI",),
    "album": ("Album Name",),
    "release_date": ("Album Release Date", "Release Date"),
    "duration_ms": ("Track Duration (ms)", "Duration (ms)"),
    "explicit": ("Explicit", "Explicit?"),
    "popularity": ("Popularity",),
    "isrc": ("ISRC",),
    "genres": ("Genres",),
    **{feature: (feature.capitalize(),) for feature in AUDIO_FEATURES},
}
REQUIRED = ("title", "artists")


def sniff(head: str) -> bool:
    """Say whether the first line is an Exportify header."""
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return "Track Name" in first and "Artist Name(s)" in first


def _columns(header: list[str]) -> dict[str, int]:
    stripped = [h.strip() for h in header]
    found = {}
    for field, names in COLUMNS.items():
        for name in names:
            if name in stripped:
                found[field] = stripped.index(name)
                break
    return found


def _artists(names: str, uris: str) -> list[ArtistRef]:
    ids = [spotify_id_from_uri(u, "artist") for u in uris.replace(";", ",").split(",") if u.strip()]
    parts = [n.strip() for n in names.split(",") if n.strip()]
    if ids and len(ids) == len(parts):
        return [ArtistRef(name, spotify_id) for name, spotify_id in zip(parts, ids, strict=True)]
    return [ArtistRef(name) for name in split_credit(names)]


def _number(value: str, field: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{field}: not a number: {value!r}") from None


def _track(get: dict[str, str], location: str) -> TrackRecord:
    title, names = get.get("title", "").strip(), get.get("artists", "").strip()
    if not title or not names:
        raise ValueError("Track Name or Artist Name(s) is empty")
    isrc = get.get("isrc", "").strip().upper()
    popularity, duration = _number(get.get("popularity", ""), "Popularity"), None
    duration = _number(get.get("duration_ms", ""), "Track Duration (ms)")
    features = {f: _number(get.get(f, ""), f) for f in AUDIO_FEATURES}
    album = get.get("album", "").strip()
    return TrackRecord(
        title=title,
        artists=_artists(names, get.get("artist_uris", "")),
        spotify_id=spotify_id_from_uri(get.get("uri"), "track"),
        isrc=isrc if len(isrc) == 12 and isrc.isalnum() else None,
        album=AlbumRef(
            album,
            spotify_id_from_uri(get.get("album_uri"), "album"),
            get.get("release_date", "").strip() or None,
        )
        if album
        else None,
        duration_ms=int(duration) if duration is not None and duration >= 0 else None,
        explicit={"true": True, "false": False}.get(get.get("explicit", "").strip().lower()),
        popularity=int(popularity) if popularity is not None and 0 <= popularity <= 100 else None,
        features={k: v for k, v in features.items() if v is not None},
        tags=[g.strip() for g in get.get("genres", "").split(",") if g.strip()],
        location=location,
    )


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportItem]:
    """Yield each row's TrackRecord, then the playlist (external id and name: the file name)."""
    stem = path.name.removesuffix(".gz").removesuffix(".csv")
    playlist = PlaylistRecord(NAME, stem, stem.replace("_", " ")[:300], [], "line 1")
    with reading(path), open_text(path, progress) as text:
        reader = csv.reader(text)
        columns = _columns(next(reader, []))
        missing = [COLUMNS[field][0] for field in REQUIRED if field not in columns]
        if missing:
            raise ImportFormatError(
                f"{path}: not an Exportify CSV file (missing columns: {', '.join(missing)})"
            )
        for row in reader:
            location = f"line {reader.line_num}"
            get = {f: row[i] for f, i in columns.items() if i < len(row)}
            try:
                track = _track(get, location)
            except ValueError as exc:
                yield SkippedRecord(location, str(exc))
                continue
            yield track
            playlist.tracks.append(track)
    yield playlist
