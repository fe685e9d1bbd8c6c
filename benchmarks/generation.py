"""Generation latency: 200 catalog seeds in-process and over HTTP, vs its own I/O floor.

Two floors, both replayed per seed on the raw DB-API connection with nothing else, from what
that seed's generation issued (recorded once):
- "bare_io": every SELECT, fetched: the rows generation needs, as fast as SQL can read them.
- "bare_io_rw": every statement, the saving writes included (the playlist INSERT ... RETURNING,
  the executemany of its tracks, with the new playlist's id in place of the recorded one), then
  the commit: everything generation asks of the database, since generating saves the playlist.
"in_process_cpu" is the in-process calls' CPU time (thread_time): on a machine shared with other
jobs it moves less than the wall time, so old and new code compare better by it.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import delete, event, func, select, text
from werkzeug.serving import make_server

from musaic import create_app
from musaic.extensions import db
from musaic.matching.registry import DEFAULT_MATCHER
from musaic.models import IndexBuild, Playlist, TrackNeighbourList
from musaic.runtime import settle_heap
from musaic.services.listener import Listener
from musaic.services.playlists import GenerateRequest, generate_playlist

SEED = 2026
BENCH_SESSION = "benchmark-generation"
NEIGHBOUR_READ = text(
    "SELECT neighbour_ids, scores, support FROM track_neighbour_lists "
    "WHERE build_id = :build AND kind = 'cooc' AND track_id = :track"
)
Statement = tuple[str, Any, bool]  # SQL, DB-API parameters, executemany


def pick_seeds(count: int, seed: int = SEED) -> tuple[int, list[int]]:
    """Return the active build id and `count` tracks that have co-occurrence neighbours."""
    build = db.session.scalar(select(IndexBuild.id).where(IndexBuild.active))
    if build is None:
        raise SystemExit("no active index: run `musaic index build` first")
    with_rows = select(TrackNeighbourList.track_id).where(
        TrackNeighbourList.build_id == build, TrackNeighbourList.kind == "cooc"
    )
    ids = sorted(db.session.scalars(with_rows).all())
    return build, random.Random(seed).sample(ids, min(count, len(ids)))


def is_read(statement: Statement) -> bool:
    """Tell whether a recorded statement is a SELECT."""
    return statement[0].lstrip().upper().startswith(("SELECT", "WITH"))


def recorded_statements(call: Callable[[], Any]) -> list[Statement]:
    """Run `call` once and return every statement it sent, in order, as the driver got it."""
    sent: list[Statement] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        sent.append((statement, parameters, many))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return sent


def _renumbered(statement: Statement, playlist_id: int) -> Any:
    """Return a write's parameters with `playlist_id` as the playlist its rows belong to."""
    sql, parameters, many = statement
    if "playlist_id" not in sql:
        return parameters
    rows = parameters if many else [parameters]
    if isinstance(rows[0], dict):  # named parameters (PostgreSQL): playlist_id, playlist_id__0...
        fixed: list[Any] = [
            {k: playlist_id if k.split("__")[0] == "playlist_id" else v for k, v in row.items()}
            for row in rows
        ]
    else:  # positional (SQLite): the column's place in "INSERT INTO t (a, b, ...)"
        columns = [c.strip() for c in sql[sql.index("(") + 1 : sql.index(")")].split(",")]
        at = columns.index("playlist_id")
        fixed = [(*row[:at], playlist_id, *row[at + 1 :]) for row in rows]
    return fixed if many else fixed[0]


def bare_io(sent: dict[int, list[Statement]], *, writes: bool = False) -> Callable[[int], None]:
    """Return a call that replays one seed's recorded SELECTs (and writes, then commits)."""
    connection = db.session.connection().connection.driver_connection
    cursor = connection.cursor()  # type: ignore[union-attr]

    def replay(track_id: int) -> None:
        playlist_id = None
        for statement in sent[track_id]:
            sql, parameters, many = statement
            if is_read(statement):
                cursor.execute(sql, parameters)
                cursor.fetchall()
            elif writes:
                if playlist_id is not None:
                    parameters = _renumbered(statement, playlist_id)
                (cursor.executemany if many else cursor.execute)(sql, parameters)
                if "RETURNING" in sql.upper():
                    playlist_id = cursor.fetchall()[0][0]
        if writes:
            connection.commit()  # type: ignore[union-attr]

    return replay


def timed(
    call: Callable[[int], Any], seeds: list[int], cpu: list[float] | None = None
) -> list[float]:
    """Return each call's wall time in milliseconds (and append its CPU time to `cpu`)."""
    times = []
    for track_id in seeds:
        start, started_cpu = time.perf_counter(), time.thread_time()
        call(track_id)
        times.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - started_cpu) * 1000)
    return times


def summary(times: list[float], unit: float) -> dict[str, float]:
    """Return p50/p95 in ms and as multiples of `unit` (the neighbour read's p50)."""
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else p50
    return {
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "p50_ratio": round(p50 / unit, 1),
        "p95_ratio": round(p95 / unit, 1),
    }


def _http_times(app: Any, seeds: list[int], length: int, matcher: str) -> list[float]:
    """Serve the app on 127.0.0.1 in a thread and time POST /api/playlists per seed."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api/playlists"
    try:
        with requests.Session() as http:

            def post(track_id: int) -> None:
                response = http.post(
                    url, json={"seed": track_id, "length": length, "matcher": matcher}, timeout=60
                )
                response.raise_for_status()

            return timed(post, seeds)
    finally:
        server.shutdown()
        server.server_close()


def run(
    database_url: str | None, count: int, length: int, matcher: str = DEFAULT_MATCHER
) -> dict[str, Any]:
    """Measure the three latencies on one database and return the report."""
    settings: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": database_url} if database_url else {}
    app = create_app(RATE_LIMIT_ENABLED=False, **settings)  # measure generation, not the limiter
    with app.app_context():
        build, seeds = pick_seeds(count)
        last_playlist = db.session.scalar(select(func.max(Playlist.id))) or 0

        def read_neighbours(track_id: int) -> None:
            db.session.execute(NEIGHBOUR_READ, {"build": build, "track": track_id}).all()

        read = timed(read_neighbours, seeds)
        listener = Listener(history_key=BENCH_SESSION)

        def generate(track_id: int) -> None:
            request = GenerateRequest(seed=track_id, length=length, matcher=matcher)
            generate_playlist(request, listener)

        generate(seeds[0])  # once: per-build caches (popularity bands) are not per-seed reads
        settle_heap()  # as `musaic serve` and the gunicorn entry point do after start-up
        sent = {t: recorded_statements(lambda t=t: generate(t)) for t in seeds}  # type: ignore[misc]
        floor = timed(bare_io(sent), seeds)
        floor_rw = timed(bare_io(sent, writes=True), seeds)
        in_process_cpu: list[float] = []  # other jobs on a shared machine inflate it less
        in_process = timed(generate, seeds, in_process_cpu)
    http = _http_times(app, seeds, length, matcher)
    with app.app_context():
        unit = statistics.median(read)
        # the benchmark's playlists are not the catalog's: remove them again
        mine = (Playlist.kind == "generated", Playlist.id > last_playlist)
        db.session.execute(delete(Playlist).where(*mine))
        db.session.commit()
        return {
            "database": db.engine.dialect.name,
            "seeds": len(seeds),
            "length": length,
            "matcher": matcher,
            "neighbour_read": summary(read, unit),
            "bare_io": summary(floor, unit),
            "bare_io_rw": summary(floor_rw, unit),
            "in_process": summary(in_process, unit),
            "in_process_cpu": summary(in_process_cpu, unit),
            "reads_per_seed": _per_seed(sent, reads=True),
            "writes_per_seed": _per_seed(sent, reads=False),
            "in_process_vs_bare_io": round(
                statistics.median(in_process) / statistics.median(floor), 2
            ),
            "in_process_vs_bare_io_rw": round(
                statistics.median(in_process) / statistics.median(floor_rw), 2
            ),
            "http": summary(http, unit),
        }


def _per_seed(sent: dict[int, list[Statement]], *, reads: bool) -> float:
    """Return the mean number of reads (or writes) one seed's generation sent."""
    counts = [sum(is_read(s) == reads for s in statements) for statements in sent.values()]
    return round(statistics.mean(counts), 1)


def format_table(report: dict[str, Any]) -> str:
    """Return the report as a text table."""
    lines = [
        f"{report['seeds']} seeds, length {report['length']}, {report['matcher']}, "
        f"{report['database']}, {report['reads_per_seed']} SELECTs and "
        f"{report['writes_per_seed']} writes per seed; in-process / bare I/O p50 = "
        f"{report['in_process_vs_bare_io']} (reads), {report['in_process_vs_bare_io_rw']} "
        "(reads, writes and commit)",
        f"{'measure':16s} {'p50 ms':>9s} {'p95 ms':>9s} {'p50 x read':>11s} {'p95 x read':>11s}",
    ]
    for name in ("neighbour_read", "bare_io", "bare_io_rw", "in_process", "in_process_cpu", "http"):
        s = report[name]
        lines.append(
            f"{name:16s} {s['p50_ms']:9.2f} {s['p95_ms']:9.2f} "
            f"{s['p50_ratio']:11.1f} {s['p95_ratio']:11.1f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark, print the table and the JSON (and write it with --json)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks generation")
    parser.add_argument("--database-url", help="default: DATABASE_URL / the development DB")
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--length", type=int, default=30)
    parser.add_argument("--matcher", default=DEFAULT_MATCHER, help="matcher to generate with")
    parser.add_argument("--json", type=Path, help="also write the JSON report here")
    args = parser.parse_args(argv)
    report = run(args.database_url, args.seeds, args.length, args.matcher)
    print(format_table(report))
    print(json.dumps(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
