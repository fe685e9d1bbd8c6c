"""Generation latency: 200 catalog seeds in-process and over HTTP, vs its own I/O floor.

"bare_io" replays, per seed, every SELECT that seed's generation issued (recorded once), on the
raw DB-API cursor with nothing else: the rows generation needs, fetched as fast as SQL can.
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
Statement = tuple[str, Any]


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


def recorded_reads(call: Callable[[], Any]) -> list[Statement]:
    """Run `call` once and return the (SQL, DB-API parameters) of every SELECT it issued."""
    reads: list[Statement] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            reads.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return reads


def bare_io(reads: dict[int, list[Statement]]) -> Callable[[int], None]:
    """Return a call that replays one seed's recorded SELECTs on the raw cursor."""
    cursor = db.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]

    def replay(track_id: int) -> None:
        for statement, parameters in reads[track_id]:
            cursor.execute(statement, parameters)
            cursor.fetchall()

    return replay


def timed(call: Callable[[int], Any], seeds: list[int]) -> list[float]:
    """Return each call's wall time in milliseconds."""
    times = []
    for track_id in seeds:
        start = time.perf_counter()
        call(track_id)
        times.append((time.perf_counter() - start) * 1000)
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
        reads = {t: recorded_reads(lambda t=t: generate(t)) for t in seeds}  # type: ignore[misc]
        floor = timed(bare_io(reads), seeds)
        in_process = timed(generate, seeds)
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
            "in_process": summary(in_process, unit),
            "reads_per_seed": round(statistics.mean(len(r) for r in reads.values()), 1),
            "in_process_vs_bare_io": round(
                statistics.median(in_process) / statistics.median(floor), 2
            ),
            "http": summary(http, unit),
        }


def format_table(report: dict[str, Any]) -> str:
    """Return the report as a text table."""
    lines = [
        f"{report['seeds']} seeds, length {report['length']}, {report['matcher']}, "
        f"{report['database']}, {report['reads_per_seed']} SELECTs per seed; "
        f"in-process / bare I/O p50 = {report['in_process_vs_bare_io']}",
        f"{'measure':16s} {'p50 ms':>9s} {'p95 ms':>9s} {'p50 x read':>11s} {'p95 x read':>11s}",
    ]
    for name in ("neighbour_read", "bare_io", "in_process", "http"):
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
