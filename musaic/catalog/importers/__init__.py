"""Catalog importers: one module per file format, all yielding the records in `records`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from musaic.catalog.importers import (
    artist_genres,
    exportify,
    lastfm_tags,
    million_playlist,
    spotify_history,
    tidytuesday,
)
from musaic.catalog.importers.files import Progress, head_text
from musaic.catalog.importers.records import ImportFormatError, ImportItem, UnknownFormatError


@dataclass(frozen=True)
class ImporterFormat:
    """A file format: its name, how to recognise it, and how to read it."""

    name: str
    sniff: Callable[[str], bool]
    read: Callable[[Path, Progress | None], Iterator[ImportItem]]


FORMATS: dict[str, ImporterFormat] = {
    module.NAME: ImporterFormat(module.NAME, module.sniff, module.read)
    for module in (
        tidytuesday,
        million_playlist,
        exportify,
        spotify_history,
        artist_genres,
        lastfm_tags,
    )
}


def detect_format(path: Path) -> ImporterFormat:
    """Recognise the format of `path` from its first few kilobytes (decompressed)."""
    try:
        head = head_text(path)
    except UnicodeDecodeError as exc:  # a binary file (a PDF, an image): no text format
        message = f"{path}: not UTF-8 text ({exc.reason}), so not a format Musaic reads"
        raise UnknownFormatError(message) from exc
    for importer in FORMATS.values():
        if importer.sniff(head):
            return importer
    raise UnknownFormatError(
        f"{path}: unknown file format; pass --format (one of: {', '.join(FORMATS)})"
    )


def importer_for(path: Path, format_name: str = "auto") -> ImporterFormat:
    """Return the importer named `format_name`, or the one that recognises the file."""
    if format_name == "auto":
        return detect_format(path)
    if format_name not in FORMATS:
        raise ImportFormatError(f"unknown format {format_name!r}; one of: {', '.join(FORMATS)}")
    return FORMATS[format_name]
