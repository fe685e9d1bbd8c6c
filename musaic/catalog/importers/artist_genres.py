"""Artist genres: a CSV with an `artists` name column and a `genres` list column.

The shape of the Spotify-derived `data_w_genres.csv` (one row per artist, the genres written as
a Python list literal, e.g. `"['dance pop', 'pop']"`); other columns are ignored. It carries no
Spotify ids, so rows join the catalog by normalised artist name, and it only tags artists the
catalog already holds (import their tracks first): it creates no artist and no track.
"""

from __future__ import annotations

import ast
import csv
from collections.abc import Iterator
from pathlib import Path

from musaic.catalog.importers.files import Progress, open_text, reading
from musaic.catalog.importers.records import (
    ArtistTagsRecord,
    ImportFormatError,
    ImportItem,
    SkippedRecord,
)

NAME = "artist-genres"
COLUMNS = ("artists", "genres")
MAX_GENRES_TEXT = 10_000  # characters of one genres cell: a real one is a few hundred
MAX_GENRE = 200  # characters of one genre name (the tag column's width)


def sniff(head: str) -> bool:
    """Say whether the first line is a header with an `artists` and a `genres` column."""
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    columns = [c.strip() for c in first.split(",")]
    return columns[:1] == ["artists"] and "genres" in columns


def parse_genres(raw: str) -> list[str]:
    """Return the genres of a cell: a list literal of strings (`[]` or empty: no genres).

    Raises:
        ValueError: the cell is not a list of strings.
    """
    text = raw.strip()
    if not text:
        return []
    if len(text) > MAX_GENRES_TEXT:
        raise ValueError(f"genres: longer than {MAX_GENRES_TEXT} characters")
    try:
        value = ast.literal_eval(text)  # literals only: never evaluates code
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise ValueError(f"genres: not a list literal: {text[:60]!r}") from None
    if not isinstance(value, list | tuple) or not all(isinstance(g, str) for g in value):
        raise ValueError(f"genres: not a list of strings: {text[:60]!r}")
    genres = [g.strip() for g in value if g.strip()]
    too_long = [g for g in genres if len(g) > MAX_GENRE]
    if too_long:
        raise ValueError(f"genres: a genre longer than {MAX_GENRE} characters")
    return list(dict.fromkeys(genres))


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportItem]:
    """Yield one ArtistTagsRecord per row (bad rows as SkippedRecord with their line)."""
    with reading(path), open_text(path, progress) as text:
        reader = csv.reader(text)
        header = [c.strip().lstrip("\ufeff") for c in next(reader, [])]
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise ImportFormatError(
                f"{path}: not an artist genres file (missing columns: {', '.join(missing)})"
            )
        name_at, genres_at = header.index("artists"), header.index("genres")
        for row in reader:
            location = f"line {reader.line_num}"
            if len(row) != len(header):
                yield SkippedRecord(location, f"{len(row)} fields, expected {len(header)}")
                continue
            artist = row[name_at].strip()
            if not artist:
                yield SkippedRecord(location, "artists: empty")
                continue
            try:
                genres = parse_genres(row[genres_at])
            except ValueError as exc:
                yield SkippedRecord(location, str(exc))
                continue
            yield ArtistTagsRecord(artist, dict.fromkeys(genres, 1.0), location)
