"""Open an input file (plain or gzip) as text, report bytes read, and name read failures."""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from musaic.catalog.importers.records import ImportFormatError

Progress = Callable[[int], object]
GZIP_MAGIC = b"\x1f\x8b"


class _ProgressReader(io.RawIOBase):
    """A raw reader that tells `progress` how many bytes of the file it has read."""

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self._raw = raw
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if count and self._progress is not None:
            self._progress(count)
        return int(count or 0)

    def close(self) -> None:
        self._raw.close()
        super().close()


def folder_files(folder: Path, suffixes: tuple[str, ...] = ()) -> list[Path]:
    """Return a folder's visible files (ending in one of `suffixes`, if given) in natural order.

    Natural: mpd.slice.2000-2999.json comes before mpd.slice.10000-10999.json.
    """
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name.endswith(suffixes or ("",))
    ]
    return sorted(files, key=_natural_key)


def _natural_key(path: Path) -> list[tuple[int, str]]:
    """Sort key comparing the digit runs of a name as numbers."""
    parts = re.split(r"(\d+)", path.name)
    return [(int(part), "") if part.isdigit() else (-1, part) for part in parts]


def is_gzip(path: Path) -> bool:
    """Say whether `path` starts with the gzip magic bytes."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def head_text(path: Path, size: int = 4096) -> str:
    """Return the first characters of the (decompressed) file, for format detection.

    Raises UnicodeDecodeError as it is (the caller tells a binary file from a broken one).
    """
    with reading(path, decode_errors=False), open_text(path) as text:
        return text.read(size)


@contextmanager
def open_text(path: Path, progress: Progress | None = None) -> Iterator[IO[str]]:
    """Open `path` (plain or gzip, UTF-8 with or without BOM) as text."""
    try:
        raw: IO[bytes] = path.open("rb", buffering=0)
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot open: {exc.strerror or exc}") from exc
    buffered = io.BufferedReader(_ProgressReader(raw, progress), buffer_size=1 << 16)
    binary: IO[bytes] = buffered
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        binary = cast(IO[bytes], gzip.GzipFile(fileobj=buffered))
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        yield text
    finally:
        text.close()


@contextmanager
def reading(path: Path, decode_errors: bool = True) -> Iterator[None]:
    """Turn the ways a file can be unreadable into one ImportFormatError naming the file.

    `decode_errors=False` lets a UnicodeDecodeError through unchanged.
    """
    try:
        yield
    except EOFError as exc:
        raise ImportFormatError(f"{path}: the file is truncated ({exc})") from exc
    except (OSError, zlib.error) as exc:
        raise ImportFormatError(f"{path}: cannot read the file ({exc})") from exc
    except UnicodeDecodeError as exc:
        if not decode_errors:
            raise
        raise ImportFormatError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise ImportFormatError(f"{path}: not a readable CSV file ({exc})") from exc
