"""Catalog use cases: import a file, fetch a known dataset, count the catalog, load the demo."""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from musaic.catalog import fetch
from musaic.catalog.importers import importer_for
from musaic.catalog.importers.files import Progress
from musaic.catalog.importers.records import (
    ArtistTagsRecord,
    BadRecordError,
    ImportItem,
    PlaylistRecord,
    PlayRecord,
    SkippedRecord,
    TrackRecord,
)
from musaic.catalog.search import index_tracks
from musaic.catalog.upsert import CatalogLookups, CatalogWriter, Tally
from musaic.errors import field_error
from musaic.extensions import db
from musaic.models import Album, Artist, ListeningEvent, Playlist, Tag, Track
from musaic.models.statistics import refresh_statistics

BATCH_TRACKS = 5000
SQLITE_IMPORT_CACHE_KB = 128 * 1024
DEMO_FILES = (  # in this order: the genres tag artists the first two brought in
    ("tidytuesday", "tidytuesday_spotify_songs/spotify_songs.csv.gz"),
    ("mpd", "mpd_subset_followers10/mpd_dev.json.gz"),
    ("artist-genres", "spotify_artist_genres_2020/data_w_genres.csv"),
    ("lastfm-tags", "lastfm_hetrec2011_2k/user_taggedartists.dat"),
)


@dataclass
class ImportSummary:
    """What one import read, wrote and skipped."""

    path: str
    format: str
    read: int = 0
    skipped: list[SkippedRecord] = field(default_factory=list)
    tallies: dict[str, Tally] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Batch:
    tracks: list[TrackRecord] = field(default_factory=list)
    playlists: list[PlaylistRecord] = field(default_factory=list)
    plays: list[PlayRecord] = field(default_factory=list)
    artist_tags: list[ArtistTagsRecord] = field(default_factory=list)
    size: int = 0

    def add(self, item: TrackRecord | PlaylistRecord | PlayRecord | ArtistTagsRecord) -> None:
        if isinstance(item, TrackRecord):
            self.tracks.append(item)
        elif isinstance(item, PlaylistRecord):
            self.playlists.append(item)
            self.size += len(item.tracks)
        elif isinstance(item, ArtistTagsRecord):
            self.artist_tags.append(item)
        else:
            self.plays.append(item)
        self.size += 1

    def flush(self, writer: CatalogWriter) -> None:
        if self.tracks:
            writer.write_tracks(self.tracks)
        if self.playlists:
            writer.write_playlists(self.playlists)
        if self.plays:
            writer.write_plays(self.plays)
        if self.artist_tags:
            writer.write_artist_tags(self.artist_tags)
        self.tracks, self.playlists, self.plays, self.artist_tags = [], [], [], []
        self.size = 0


def default_history_key(path: Path) -> str:
    """Return the history key of a streaming-history file: a hash of the folder it sits in."""
    folder = str(path.resolve().parent)
    return "dir-" + hashlib.sha256(folder.encode()).hexdigest()[:16]


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector for one import (the MPD file: a sixth of its CPU time).

    An import holds millions of small objects (the in-memory lookups, the records) and makes
    few reference cycles: the full passes the collector starts as they pile up find nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _sqlite_import_settings(session: Session) -> Iterator[None]:
    """Give SQLite a larger page cache and no foreign-key checks for one import, then restore.

    With the default 2 MB cache, pages of the growing indexes are spilled to the WAL and read
    back again and again inside the one transaction: more system time than the inserts. The
    foreign keys of the rows an import writes are ids the writer has just read or inserted in
    the same transaction; checking them was 1.2 s of the MPD file's 25 (two lookups for each of
    its 594,000 playlist entries). The caller ends the transaction inside this block: SQLite
    ignores `PRAGMA foreign_keys` while one is open, and so keeps it off if one already was.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    # The driver's connection: the session hands its own back to the pool when it commits.
    driver: Any = connection.connection.driver_connection
    (cache,) = driver.execute("PRAGMA cache_size").fetchone()
    (foreign_keys,) = driver.execute("PRAGMA foreign_keys").fetchone()
    driver.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KB}")
    driver.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size = {int(cache)}")
        driver.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")


def _write_all(
    items: Iterable[ImportItem],
    writer: CatalogWriter,
    summary: ImportSummary,
    strict: bool,
    records: Progress | None = None,
) -> None:
    batch = _Batch()
    for item in items:
        summary.read += 1
        if isinstance(item, SkippedRecord):
            if strict:
                raise BadRecordError(f"{item.location}: {item.reason} (--strict: nothing written)")
            summary.skipped.append(item)
            continue
        batch.add(item)
        if batch.size >= BATCH_TRACKS:
            batch.flush(writer)
            if records is not None:
                records(summary.read)
    batch.flush(writer)
    if records is not None:
        records(summary.read)


@dataclass
class SharedImport:
    """What imports of several files in a row share: the lookups, and a search refresh.

    Each import leaves `lookups` up to date for the next (None after a rolled-back one: the
    next loads them again) and keeps in `recounted` the tracks whose playlist counts changed
    since their search document was last built; the caller rebuilds those once, at the end.
    """

    lookups: CatalogLookups | None = None
    recounted: set[int] = field(default_factory=set)


def import_file(
    path: Path,
    *,
    format_name: str = "auto",
    strict: bool = False,
    history_key: str | None = None,
    progress: Progress | None = None,
    records: Progress | None = None,
    analyze: bool = True,
    shared: SharedImport | None = None,
) -> ImportSummary:
    """Import one file in ONE transaction: on any failure nothing is written.

    Args:
        format_name: "auto" (recognise the file) or one of `musaic.catalog.importers.FORMATS`.
        strict: abort on the first bad record instead of skipping it.
        history_key: whose listening history a streaming-history file is (default: a hash of
            the file's folder, see `default_history_key`).
        progress: called with the number of (compressed) bytes read, for a progress bar.
        records: called with the running count of records read after each written batch.
        analyze: refresh PostgreSQL's planner statistics afterwards (a caller importing several
            files in a row passes False and calls `refresh_statistics` once at the end).
        shared: lookups and a deferred search refresh, for one of several files in a row.

    Raises:
        ImportFormatError: the file is unreadable or not in the format (nothing written).
        BadRecordError: `strict` and a record is bad (nothing written).
    """
    started = time.perf_counter()
    importer = importer_for(path, format_name)
    summary = ImportSummary(str(path), importer.name)
    key = history_key or default_history_key(path)
    with _no_cycle_collection(), _sqlite_import_settings(db.session()):
        try:
            lookups = shared.lookups if shared else None
            writer = CatalogWriter(
                db.session(), source=importer.name, history_key=key, lookups=lookups
            )
            _write_all(importer.read(path, progress), writer, summary, strict, records)
            writer.finish()
            index_tracks(writer.written_track_ids() if shared else writer.changed_track_ids())
            db.session.commit()
        except BaseException:
            db.session.rollback()
            if shared:
                shared.lookups = None  # they hold rows that were just rolled back
            raise
    if shared:
        shared.lookups = writer.lookups
        written = writer.written_track_ids()  # their documents were just built: current
        shared.recounted = (shared.recounted | set(writer.recounted_tracks)) - written
    if analyze:
        refresh_statistics(db.session, vacuum=True)  # PostgreSQL: plans, visibility map
    summary.tallies = writer.tallies()
    summary.notes = writer.notes()
    summary.seconds = time.perf_counter() - started
    return summary


def fetch_dataset(
    name: str,
    dest_dir: Path,
    *,
    url: str | None = None,
    download_progress: Progress | None = None,
    import_progress: Progress | None = None,
) -> ImportSummary:
    """Download the known dataset `name` (size and sha256 checked), then import it.

    Raises:
        ValidationError: `name` is not a known dataset.
        FetchError, ChecksumError: see `musaic.catalog.fetch.download` (nothing imported).
    """
    if name not in fetch.DATASETS:
        raise field_error("name", f"unknown dataset; one of: {', '.join(fetch.DATASETS)}")
    dataset = fetch.DATASETS[name]
    path = fetch.download(dataset, dest_dir, url=url, progress=download_progress)
    return import_file(path, format_name=dataset.format, progress=import_progress)


def catalog_stats() -> dict[str, int]:
    """Count what the catalog holds."""
    count = func.count()
    playlists = dict(db.session.execute(select(Playlist.kind, count).group_by(Playlist.kind)).all())
    scalar = db.session.scalar
    return {
        "tracks": scalar(select(count).select_from(Track)) or 0,
        "artists": scalar(select(count).select_from(Artist)) or 0,
        "albums": scalar(select(count).select_from(Album)) or 0,
        "tags": scalar(select(count).select_from(Tag)) or 0,
        "imported playlists": int(playlists.get("imported", 0)),
        "generated playlists": int(playlists.get("generated", 0)),
        "listening events": scalar(select(count).select_from(ListeningEvent)) or 0,
        "tracks with audio features": scalar(
            select(count).where(Track.energy.is_not(None), Track.tempo.is_not(None))
        )
        or 0,
        "tracks with Spotify ids": scalar(select(count).where(Track.spotify_id.is_not(None))) or 0,
    }


@dataclass
class DemoResult:
    """What `load_demo_catalog` did; `imported` tells a later step (index build) to run."""

    imported: bool
    message: str
    summaries: list[ImportSummary] = field(default_factory=list)


def load_demo_catalog(
    data_dir: str | Path | None, progress_for: Callable[[Path], Progress | None] | None = None
) -> DemoResult:
    """Import the demo datasets from `data_dir` into an EMPTY catalog; else do nothing."""
    tracks = db.session.scalar(select(func.count()).select_from(Track)) or 0
    if tracks:
        return DemoResult(False, f"The catalog already holds {tracks} tracks: demo import skipped.")
    folder = Path(data_dir) if data_dir else None
    files = [(f, folder / rel) for f, rel in DEMO_FILES if folder and (folder / rel).is_file()]
    if not files:
        return DemoResult(
            False,
            f"No demo data found (MUSAIC_DATA_DIR={str(folder or '') or 'unset'}): the catalog "
            "stays empty. Import your own files with `musaic catalog import PATH`.",
        )
    summaries = [
        import_file(
            path,
            format_name=name,
            progress=progress_for(path) if progress_for else None,
            analyze=False,
        )
        for name, path in files
    ]
    refresh_statistics(db.session, vacuum=True)  # once for the four files, not after each
    names = ", ".join(path.name for _, path in files)
    return DemoResult(True, f"Imported the demo catalog from {folder}: {names}.", summaries)
