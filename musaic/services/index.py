"""Build the similarity index from the catalog, swap it in atomically, and report on it."""

from __future__ import annotations

import os
import resource
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select

from musaic.extensions import db
from musaic.indexing import tables
from musaic.indexing.als import als_table
from musaic.indexing.artist_tracks import artist_tracks_table
from musaic.indexing.data import CatalogMatrices, load_catalog
from musaic.indexing.writer import MODELS, activate, fail, write_table
from musaic.models import ARTIST_TRACKS_K, ARTIST_TRACKS_KIND, IndexBuild
from musaic.models.statistics import refresh_statistics

AUDIO_K = 50
EMBED_K = 100  # the research stored 200 per track; 100 halves the table (storage)
ALS_K = 100  # the learned stage's ALS candidates (musaic/indexing/als.py)
ARTIST_K = 50
Maker = partial[tables.Table]
# A build whose process cannot be checked (another host, or no owner recorded) is presumed dead
# after this long; the slowest full build measured takes well under an hour.
STALE_AFTER = timedelta(hours=6)

INDEX_TABLES = (IndexBuild.__tablename__, *(m.__tablename__ for m in MODELS.values()))


@dataclass
class BuildOptions:
    """What to build: neighbours per track, the co-occurrence method and its parameters."""

    k: int = 100
    method: str = tables.DEFAULT_METHOD
    params: dict[str, float] = field(default_factory=dict)
    progress: bool = False
    block_rows: int = 8192  # owners per co-occurrence block: bounds the build's peak memory
    block_mb: int = 64  # size of one embedding score block
    als: bool = False  # also the "als" track kind, the learned stage's (`--ranker` turns it on)


@dataclass
class _StageClock:
    """Record wall time and peak resident memory of each named stage."""

    stages: list[dict[str, Any]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage `name`."""
        start = time.perf_counter()
        yield
        seconds = round(time.perf_counter() - start, 3)
        self.stages.append({"stage": name, "seconds": seconds, "peak_mb": peak_memory_mb()})

    def summary(self) -> dict[str, Any]:
        """Return the stages with the total time and the process's peak memory."""
        total = round(time.perf_counter() - self.started, 3)
        return {"stages": self.stages, "seconds": total, "peak_mb": peak_memory_mb()}


def peak_memory_mb() -> float:
    """Return this process's peak resident set size in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _table_plan(data: CatalogMatrices, options: BuildOptions) -> list[tuple[str, Maker]]:
    """Return (owner, make table) for every kind the contract names, in build order."""
    cooc = partial(
        tables.cooccurrence_table,
        method=options.method,
        params=options.params,
        chunk_size=options.block_rows,
    )
    embed = partial(tables.embed_table, block_bytes=options.block_mb << 20)
    als = partial(als_table, block_bytes=options.block_mb << 20)
    optional = [("track", partial(als, "als", data.contexts, data.track_ids, ALS_K))]
    return [
        ("track", partial(cooc, "cooc", data.contexts, data.track_ids, options.k)),
        ("track", partial(embed, "embed", data.contexts, data.track_ids, EMBED_K)),
        ("track", partial(tables.audio_table, "audio", data.audio_tracks, data.audio, AUDIO_K)),
        ("artist", partial(cooc, "cooc", data.artist_contexts, data.artist_ids, ARTIST_K)),
        (
            "artist",
            partial(
                tables.cooccurrence_table,
                "credit",
                data.credits,
                data.artist_ids,
                ARTIST_K,
                "cosine",
                chunk_size=options.block_rows,
            ),
        ),
        ("artist", partial(tables.tags_table, "tags", data.tags, data.artist_ids, ARTIST_K)),
        ("artist", partial(artist_tracks_table, ARTIST_TRACKS_KIND, db.session(), ARTIST_TRACKS_K)),
        *(optional if options.als else []),
    ]


def build_index(
    options: BuildOptions | None = None, before_swap: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Build every neighbour table into a new build and make it the active one.

    Args:
        options: k, co-occurrence method and parameters, progress bar on stderr.
        before_swap: Called with the new build id once every row is written, before the swap.

    Returns:
        The stats stored on the new IndexBuild: counts per kind, stage times, peak memory.

    Raises:
        Exception: Whatever stopped the build; the build is then marked "failed", its rows are
            deleted and the previously active build stays active.
    """
    options = options or BuildOptions()
    parameters = tables.method_parameters(options.method, options.params)
    repair_interrupted_builds()
    session = db.session()
    build = IndexBuild(status="building", active=False, stats={"owner": _this_process()})
    session.add(build)
    session.commit()
    build_id = build.id
    clock = _StageClock()
    stats: dict[str, Any] = {"method": options.method, "parameters": parameters, "k": options.k}
    try:
        with clock.stage("load"):
            data = load_catalog(session)
            session.commit()
        stats["contexts"] = {"playlists": data.n_playlists, "sessions": data.n_sessions}
        counts: dict[str, int] = {}
        for owner, make in _table_plan(data, options):
            name = f"{owner}.{make.args[0]}"
            with clock.stage(name):  # blocks are computed as they are written
                table = make()
                counts[name] = write_table(session, build_id, table, owner, options.progress)
            if table.details:
                stats.setdefault("tables", {})[name] = table.details
            del table
        if before_swap is not None:
            before_swap(build_id)
        stats.update(counts=counts, **clock.summary())
        activate(session, session.get(IndexBuild, build_id) or build, stats)
    except Exception as exc:
        fail(session, build_id, f"{type(exc).__name__}: {exc}", {**stats, **clock.summary()})
        raise
    refresh_statistics(session, INDEX_TABLES)  # PostgreSQL: plans for the new lists
    return stats


def _this_process() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by another user
    return False


def _interrupted(build: IndexBuild, now: datetime) -> bool:
    """Tell whether a "building" build's process has died (or is presumed dead)."""
    owner = (build.stats or {}).get("owner") or {}
    if owner.get("host") == socket.gethostname() and isinstance(owner.get("pid"), int):
        return _process_gone(owner["pid"])
    started = build.started_at
    if started is not None and started.tzinfo is None:
        started = started.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return started is None or now - started > STALE_AFTER


def repair_interrupted_builds() -> list[int]:
    """Mark builds whose process died mid-build failed and delete their rows; return their ids."""
    session = db.session()
    now = datetime.now(UTC)
    building = session.scalars(select(IndexBuild).where(IndexBuild.status == "building")).all()
    stale = [(b.id, dict(b.stats or {})) for b in building if _interrupted(b, now)]
    for build_id, stats in stale:
        fail(session, build_id, "interrupted: its process stopped before the swap", stats)
    return [build_id for build_id, _ in stale]


def index_status() -> dict[str, Any]:
    """Return the active build and the most recent build (they differ while one is building)."""
    active = db.session.scalar(select(IndexBuild).where(IndexBuild.active))
    latest = db.session.scalar(select(IndexBuild).order_by(IndexBuild.id.desc()).limit(1))
    return {"active": _describe(active), "latest": _describe(latest)}


def _describe(build: IndexBuild | None) -> dict[str, Any] | None:
    """Return a build as plain values."""
    if build is None:
        return None
    return {
        "id": build.id,
        "status": build.status,
        "active": build.active,
        "started_at": build.started_at.isoformat() if build.started_at else None,
        "finished_at": build.finished_at.isoformat() if build.finished_at else None,
        "stats": build.stats or {},
    }
