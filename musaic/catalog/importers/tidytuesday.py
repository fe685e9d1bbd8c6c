"""TidyTuesday `spotify_songs.csv`: tracks, audio features, genres as artist tags, playlists."""

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

NAME = "tidytuesday"
COLUMNS = (
    "track_id",
    "track_name",
    "track_artist",
    "track_popularity",
    "track_album_id",
    "track_album_name",
    "track_album_release_date",
    "playlist_name",
    "playlist_id",
    "playlist_genre",
    "playlist_subgenre",
    "duration_ms",
)
FLOAT_FEATURES = (
    "danceability",
    "energy",
    "loudness",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
)
INT_FEATURES = ("key", "mode")


def sniff(head: str) -> bool:
    """Say whether the file starts like a TidyTuesday spotify_songs.csv header."""
    return head.lstrip("\ufeff").startswith("track_id,track_name,track_artist")


def _number(row: dict[str, str], column: str, kind: type[float] | type[int]) -> float | None:
    raw = row.get(column, "").strip()
    if raw in ("", "NA"):
        return None
    try:
        return kind(float(raw)) if kind is int else float(raw)
    except ValueError:
        raise ValueError(f"{column}: not a number: {raw!r}") from None


def _track(row: dict[str, str], location: str) -> TrackRecord:
    spotify_id = spotify_id_from_uri(row["track_id"], "track")
    if spotify_id is None:
        raise ValueError(f"track_id: not a Spotify id: {row['track_id']!r}")
    title, credit = row["track_name"].strip(), row["track_artist"].strip()
    if title in ("", "NA") or credit in ("", "NA"):
        raise ValueError("track_name or track_artist is empty")
    popularity = _number(row, "track_popularity", int)
    if popularity is not None and not 0 <= popularity <= 100:
        raise ValueError(f"track_popularity: out of range 0-100: {popularity}")
    features = {c: _number(row, c, float) for c in FLOAT_FEATURES}
    features.update({c: _number(row, c, int) for c in INT_FEATURES})
    album_name = row["track_album_name"].strip()
    duration = _number(row, "duration_ms", int)
    return TrackRecord(
        title=title,
        artists=[ArtistRef(name) for name in split_credit(credit)],
        spotify_id=spotify_id,
        album=AlbumRef(
            album_name,
            spotify_id_from_uri(row["track_album_id"], "album"),
            row["track_album_release_date"].strip() or None,
        )
        if album_name not in ("", "NA")
        else None,
        duration_ms=int(duration) if duration is not None and duration >= 0 else None,
        popularity=int(popularity) if popularity is not None else None,
        features={k: v for k, v in features.items() if v is not None},
        tags=[t for t in (row["playlist_genre"].strip(), row["playlist_subgenre"].strip()) if t],
        location=location,
    )


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportItem]:
    """Yield one TrackRecord per row, then every playlist the rows belong to, in file order."""
    playlists: dict[str, PlaylistRecord] = {}
    with reading(path), open_text(path, progress) as text:
        reader = csv.reader(text)
        header = next(reader, [])
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise ImportFormatError(
                f"{path}: not a TidyTuesday spotify_songs.csv file (missing columns: "
                f"{', '.join(missing)})"
            )
        for row in reader:
            location = f"line {reader.line_num}"
            if len(row) != len(header):
                yield SkippedRecord(location, f"{len(row)} fields, expected {len(header)}")
                continue
            fields = dict(zip(header, row, strict=True))
            try:
                track = _track(fields, location)
            except ValueError as exc:
                yield SkippedRecord(location, str(exc))
                continue
            yield track
            playlist_id = fields["playlist_id"].strip()
            if playlist_id:
                playlist = playlists.setdefault(
                    playlist_id,
                    PlaylistRecord(
                        NAME, playlist_id, fields["playlist_name"].strip(), [], location
                    ),
                )
                playlist.tracks.append(track)
    yield from playlists.values()
