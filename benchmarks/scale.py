"""Scale benchmark: synthetic catalogs at 1x, 4x, 16x the demo, imported and indexed.

Each step runs as its own `musaic` process, so its wall time and peak memory (ru_maxrss of that
child) are its own; figures are also given per million playlist entries, to read the growth.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

from benchmarks.synthetic import playlists, write_catalog

MUSAIC = str(Path(sys.executable).with_name("musaic"))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SLICE_PLAYLISTS = 1_000  # the MPD's slice size


def _run(args: list[str], url: str) -> dict[str, float]:
    """Run `musaic ARGS` on database `url`; return its wall and CPU seconds and peak MiB."""
    env = {**os.environ, "DATABASE_URL": url}
    start = time.perf_counter()
    child = subprocess.Popen(
        [MUSAIC, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"musaic {' '.join(args)} failed: {child.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
    child.stderr.close()  # type: ignore[union-attr]
    cpu = usage.ru_utime + usage.ru_stime  # on a shared machine, steadier than wall time
    return {
        "seconds": round(seconds, 1),
        "cpu_s": round(cpu, 1),
        "peak_mb": usage.ru_maxrss // 1024,
    }


class Database:
    """A fresh database for one run, and its size on disk."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend, self.name = backend, f"musaic_scale_{uuid.uuid4().hex[:8]}"
        if backend == "sqlite":
            self.path = workdir / f"{self.name}.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.name}"

    def size_mb(self) -> float:
        """Return the database's size in MiB (SQLite: file + WAL)."""
        if self.backend == "sqlite":
            files = [self.path, self.path.with_name(self.path.name + "-wal")]
            return round(sum(f.stat().st_size for f in files if f.exists()) / 2**20, 1)
        with psycopg.connect(PG_ADMIN.rsplit("/", 1)[0] + f"/{self.name}") as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return round((size[0] if size else 0) / 2**20, 1)

    def drop(self) -> None:
        """Remove the database."""
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def measure(
    size: int, backend: str, workdir: Path, keep: bool = False, slices: bool = False
) -> dict[str, Any]:
    """Generate (or reuse) the size's catalog, import it and build its index on `backend`.

    With `slices` the catalog is a folder of 1,000-playlist slices, as the MPD ships, imported
    by one `musaic catalog import FOLDER`; else one slice file holds every playlist.
    """
    source = workdir / (f"synthetic-{size}x-slices" if slices else f"synthetic-{size}x.json")
    counts_file = source.with_name(source.name.removesuffix(".json") + ".counts.json")
    if not counts_file.exists():
        counts = write_catalog(size, source, slice_size=SLICE_PLAYLISTS if slices else None)
        counts_file.write_text(json.dumps(counts))
    counts = json.loads(counts_file.read_text())
    database = Database(backend, workdir)
    try:
        _run(["db", "upgrade"], database.url)
        imported = _run(["catalog", "import", str(source), "--format", "mpd"], database.url)
        built = _run(["index", "build"], database.url)
        report = {"size": size, "backend": backend, **counts, "import": imported, "build": built}
        report["slices"] = slices
        report["db_mb"] = database.size_mb()
    finally:
        if not keep:
            database.drop()
    millions = counts["entries"] / 1e6
    for step in ("import", "build"):
        report[step]["seconds_per_m"] = round(report[step]["seconds"] / millions, 1)
        report[step]["cpu_s_per_m"] = round(report[step]["cpu_s"] / millions, 1)
        report[step]["peak_mb_per_m"] = round(report[step]["peak_mb"] / millions, 0)
    report["db_mb_per_m"] = round(report["db_mb"] / millions, 1)
    return report


def build_stages(size: int) -> dict[str, Any]:
    """Compute a `size`x catalog's index tables in this process, without a database.

    The playlists go straight into the incidence matrices (no JSON, no import), then each stage
    the build runs on an MPD-only catalog (track cooc, track embed, artist cooc; the synthetic
    catalog has no audio, tags or credits) computes its blocks and packs its rows as the
    writer would, so the CPU seconds and peak memory are the build's own.
    """

    from musaic.indexing import tables
    from musaic.indexing.similarity import incidence_matrix
    from musaic.indexing.writer import block_rows

    def peak() -> float:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    stages: list[dict[str, Any]] = []
    cpu, wall = time.process_time(), time.perf_counter()
    u, drawn = playlists(size)
    contexts = [tracks for _, tracks in drawn]
    used = np.unique(np.concatenate([np.asarray(t, dtype=np.int64) for t in contexts]))
    artists = np.unique(u.artist_of[used])
    columns = np.full(u.artist_of.size, -1, dtype=np.int64)
    columns[used] = np.arange(used.size)
    track_x = incidence_matrix((columns[t].tolist() for t in contexts), used.size)
    artist_col = np.searchsorted(artists, u.artist_of)
    artist_x = incidence_matrix((artist_col[t].tolist() for t in contexts), artists.size)
    entries = int(track_x.nnz)
    del contexts
    stages.append(_stage("matrices", cpu, wall, peak(), 0))
    plan = [
        ("track.cooc", lambda: tables.cooccurrence_table("cooc", track_x, used, 100)),
        ("track.embed", lambda: tables.embed_table("embed", track_x, used, 100)),
        ("artist.cooc", lambda: tables.cooccurrence_table("cooc", artist_x, artists, 50)),
    ]
    details = {}
    for name, make in plan:
        cpu, wall = time.process_time(), time.perf_counter()
        table = make()
        written = sum(row[3] for block in table.blocks for row in block_rows(1, name, block))
        stages.append(_stage(name, cpu, wall, peak(), written))
        details[name] = table.details
    return {
        "size": size,
        "entries": entries,
        "tracks": int(used.size),
        "artists": int(artists.size),
        "stages": stages,
        "tables": details,
    }


def _stage(name: str, cpu: float, wall: float, peak_mb: float, entries: int) -> dict[str, Any]:
    return {
        "stage": name,
        "cpu_s": round(time.process_time() - cpu, 1),
        "seconds": round(time.perf_counter() - wall, 1),
        "peak_mb": peak_mb,
        "entries": entries,
    }


def measure_stages(size: int) -> dict[str, Any]:
    """Run build_stages(size) in a child process; add its total CPU, peak and per-M figures."""
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks", "scale", "--stages-child", str(size)],
        stdout=subprocess.PIPE,
        env={**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")},
    )
    out = child.stdout.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"build stages at {size}x failed")
    report: dict[str, Any] = json.loads(out)
    millions = report["entries"] / 1e6
    report["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    report["peak_mb"] = usage.ru_maxrss // 1024
    report["cpu_s_per_m"] = round(report["cpu_s"] / millions, 1)
    report["peak_mb_per_m"] = round(report["peak_mb"] / millions, 0)
    for stage in report["stages"]:
        stage["cpu_s_per_m"] = round(stage["cpu_s"] / millions, 1)
    return report


def format_stages(r: dict[str, Any]) -> str:
    """Return one build-stages result as a line."""
    parts = " ".join(f"{s['stage']} {s['cpu_s']:.0f}" for s in r["stages"])
    return (
        f"{r['size']:>3}x {r['entries']:>10,} entries {r['tracks']:>9,} tracks | CPU s: {parts} | "
        f"total {r['cpu_s']:.0f} ({r['cpu_s_per_m']:.1f}/M) | peak {r['peak_mb']} MiB "
        f"({r['peak_mb_per_m']:.0f}/M)"
    )


def format_row(r: dict[str, Any]) -> str:
    """Return one result as a table row."""
    i, b = r["import"], r["build"]
    return (
        f"{r['size']:>3}x {r['backend']:10s} {r['entries']:>10,} {r['tracks']:>9,} "
        f"{i['seconds']:>7.0f} {i['cpu_s']:>7.0f} {i['cpu_s_per_m']:>7.1f} {i['peak_mb']:>6.0f} "
        f"{b['seconds']:>7.0f} {b['cpu_s']:>7.0f} {b['cpu_s_per_m']:>7.1f} {b['peak_mb']:>6.0f} "
        f"{b['peak_mb_per_m']:>7.0f} {r['db_mb']:>7.0f} {r['db_mb_per_m']:>7.1f}"
    )


HEADER = (
    "size backend       entries    tracks | import: wall s  CPU s CPU s/M  MiB "
    "| build: wall s  CPU s CPU s/M  MiB  MiB/M | DB MiB  MiB/M"
)


def main(argv: list[str] | None = None) -> None:
    """Run every (size, backend), print a row as each finishes, then the JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/musaic-scale"))
    parser.add_argument("--json", type=Path, help="append each result (one JSON line) here")
    parser.add_argument(
        "--stages-only",
        action="store_true",
        help="only the index build's computation, without import or database (one process each)",
    )
    parser.add_argument(
        "--slices",
        action="store_true",
        help="write each catalog as a folder of 1,000-playlist slices (as the MPD ships)",
    )
    parser.add_argument("--stages-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stages_child:
        print(json.dumps(build_stages(args.stages_child)))
        return
    if args.stages_only:
        for size in args.sizes:
            result = measure_stages(size)
            print(format_stages(result), flush=True)
            if args.json:
                with args.json.open("a") as out:
                    out.write(json.dumps(result) + "\n")
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(HEADER, flush=True)
    results = []
    for size in args.sizes:
        for backend in args.backends:
            result = measure(size, backend, args.workdir, slices=args.slices)
            results.append(result)
            print(format_row(result), flush=True)
            if args.json:
                with args.json.open("a") as out:
                    out.write(json.dumps(result) + "\n")
    print(json.dumps(results))
