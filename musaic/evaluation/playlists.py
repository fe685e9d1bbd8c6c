"""Read, split and write Million Playlist Dataset (MPD) slice files for offline evaluation."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import IO, Any

Playlist = dict[str, Any]
BUCKETS = 10_000


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


def read_playlists(path: Path, limit: int | None = None) -> list[Playlist]:
    """Return the playlists of an MPD slice file (`{"playlists": [...]}`), at most `limit`."""
    with _open(path, "r") as handle:
        document = json.load(handle)
    playlists = document.get("playlists") if isinstance(document, dict) else None
    if not isinstance(playlists, list):
        raise ValueError(f"{path} is not an MPD slice: no top-level 'playlists' list")
    return playlists[:limit] if limit is not None else playlists


def write_playlists(path: Path, playlists: list[Playlist], info: dict[str, Any]) -> None:
    """Write playlists as an MPD slice file (gzip when the name ends in .gz)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _open(path, "w") as handle:
        json.dump({"info": info, "playlists": playlists}, handle)


def in_holdout(pid: object, holdout: float, seed: int) -> bool:
    """Say whether playlist `pid` is held out: a stable hash of (seed, pid), not the order."""
    digest = hashlib.sha1(f"{seed}:{pid}".encode()).hexdigest()
    return int(digest, 16) % BUCKETS < round(holdout * BUCKETS)


def split_playlists(
    source: Path, out_dir: Path, holdout: float = 0.15, seed: int = 7
) -> dict[str, int]:
    """Write out_dir/train.json.gz and out_dir/test.json.gz; return how many went to each."""
    if not 0.0 < holdout < 1.0:
        raise ValueError("holdout must be between 0 and 1")
    playlists = read_playlists(source)
    test = [p for p in playlists if in_holdout(p.get("pid"), holdout, seed)]
    train = [p for p in playlists if not in_holdout(p.get("pid"), holdout, seed)]
    info = {"source": source.name, "holdout": holdout, "seed": seed}
    write_playlists(out_dir / "train.json.gz", train, {**info, "part": "train"})
    write_playlists(out_dir / "test.json.gz", test, {**info, "part": "test"})
    return {"train": len(train), "test": len(test)}
