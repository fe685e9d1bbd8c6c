"""Read, split and write Million Playlist Dataset (MPD) slice files for offline evaluation."""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from musaic.catalog.importers.files import folder_files

Playlist = dict[str, Any]
BUCKETS = 10_000
SLICE_SUFFIXES = (".json", ".json.gz")


class PlaylistFileError(ValueError):
    """An MPD file (or folder of them) that cannot be read as playlists; says where and why."""


def _open(path: Path, mode: str) -> IO[str]:
    """Open a plain or gzip-compressed text file (gzip by magic bytes or a .gz name)."""
    if "r" in mode:
        with path.open("rb") as raw:
            compressed = raw.read(2) == b"\x1f\x8b"
    else:
        compressed = path.suffix == ".gz"
    if compressed:
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8")


def slice_files(path: Path) -> list[Path]:
    """Return the MPD files `path` names: itself, or a folder's *.json / *.json.gz in order."""
    if not path.is_dir():
        return [path]
    files = folder_files(path, SLICE_SUFFIXES)
    if not files:
        raise PlaylistFileError(f"{path}: a folder with no .json or .json.gz MPD slice files")
    return files


def _load(path: Path) -> list[Playlist]:
    """Return one file's checked playlists, or raise PlaylistFileError naming the place."""
    try:
        with _open(path, "r") as handle:
            document = json.load(handle)
    except json.JSONDecodeError as exc:
        raise PlaylistFileError(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise PlaylistFileError(f"{path}: cannot be read as UTF-8 JSON or gzip ({exc})") from None
    playlists = document.get("playlists") if isinstance(document, dict) else None
    if not isinstance(playlists, list):
        raise PlaylistFileError(f"{path} is not an MPD slice: no top-level 'playlists' list")
    for number, playlist in enumerate(playlists, 1):
        problem = _problem(playlist)
        if problem is not None:
            raise PlaylistFileError(f"{path}: playlist {number} in the file: {problem}")
    return playlists


def _problem(playlist: object) -> str | None:
    """Say what makes one MPD playlist unusable (None when it is fine)."""
    if not isinstance(playlist, dict):
        return "expected an object with 'tracks'"
    pid = playlist.get("pid")
    label = "" if pid is None else f"(pid {pid}) "
    tracks = playlist.get("tracks")
    if not isinstance(tracks, list):
        return f"{label}'tracks' must be a list"
    for number, track in enumerate(tracks, 1):
        if not isinstance(track, dict) or not isinstance(track.get("track_uri"), str):
            return f"{label}track {number}: expected an object with a string 'track_uri'"
    return None


def iter_playlists(path: Path, limit: int | None = None) -> Iterator[Playlist]:
    """Yield the playlists of an MPD slice file or folder, at most `limit`, a file at a time."""
    count = 0
    for file in slice_files(path):
        for playlist in _load(file):
            if limit is not None and count >= limit:
                return
            count += 1
            yield playlist


def read_playlists(path: Path, limit: int | None = None) -> list[Playlist]:
    """Return the playlists of an MPD slice file (`{"playlists": [...]}`) or folder, <= `limit`."""
    return list(iter_playlists(path, limit))


class _SliceWriter:
    """Write one MPD slice file playlist by playlist; it appears whole on `commit` or not at all."""

    def __init__(self, path: Path, info: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.count = path, 0
        self.partial = path.with_name(f".partial-{path.name}")  # same suffix: gzip or not alike
        self.handle = _open(self.partial, "w")
        self.handle.write(f'{{"info": {json.dumps(info)}, "playlists": [')

    def add(self, playlist: Playlist) -> None:
        self.handle.write((", " if self.count else "") + json.dumps(playlist))
        self.count += 1

    def commit(self) -> None:
        self.handle.write("]}")
        self.handle.close()
        self.partial.replace(self.path)

    def discard(self) -> None:
        self.handle.close()
        self.partial.unlink(missing_ok=True)


def write_playlists(path: Path, playlists: list[Playlist], info: dict[str, Any]) -> None:
    """Write playlists as an MPD slice file (gzip for a .gz name), whole or not at all."""
    writer = _SliceWriter(path, info)
    try:
        for playlist in playlists:
            writer.add(playlist)
    except BaseException:
        writer.discard()
        raise
    writer.commit()


def in_holdout(pid: object, holdout: float, seed: int) -> bool:
    """Say whether playlist `pid` is held out: a stable hash of (seed, pid), not the order."""
    digest = hashlib.sha1(f"{seed}:{pid}".encode()).hexdigest()
    return int(digest, 16) % BUCKETS < round(holdout * BUCKETS)


def _checked_pid(source: Path, number: int, playlist: Playlist, seen: set[object]) -> object:
    """Return a playlist's pid, refusing a missing or repeated one: the split hashes it."""
    pid = playlist.get("pid")
    if not isinstance(pid, int | str) or isinstance(pid, bool):
        raise PlaylistFileError(f"{source}: playlist {number}: 'pid' must be a number or string")
    if pid in seen:
        raise PlaylistFileError(f"{source}: playlist {number}: pid {pid!r} appears twice")
    seen.add(pid)
    return pid


def split_playlists(
    source: Path, out_dir: Path, holdout: float = 0.15, seed: int = 7
) -> dict[str, int]:
    """Write out_dir/train.json.gz and out_dir/test.json.gz; return how many went to each.

    Streams: a folder of slices is read a file at a time and written as it goes, so memory
    stays at one slice; both files appear only when every playlist was read and checked.
    """
    if not 0.0 < holdout < 1.0:
        raise ValueError("holdout must be between 0 and 1")
    slice_files(source)  # refuse an empty folder before creating anything
    info = {"source": source.name, "holdout": holdout, "seed": seed}
    parts = {
        part: _SliceWriter(out_dir / f"{part}.json.gz", {**info, "part": part})
        for part in ("train", "test")
    }
    seen: set[object] = set()
    try:
        for number, playlist in enumerate(iter_playlists(source), 1):
            pid = _checked_pid(source, number, playlist, seen)
            parts["test" if in_holdout(pid, holdout, seed) else "train"].add(playlist)
    except BaseException:
        for writer in parts.values():
            writer.discard()
        raise
    for writer in parts.values():
        writer.commit()
    return {part: writer.count for part, writer in parts.items()}
