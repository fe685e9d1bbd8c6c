"""Search benchmark: seeded catalog queries of nine kinds on one or more databases, side by side.

For every query: the engine (after one warm-up run) and the bare full-text query for its words
(what the engine starts from), timed on the same database; the top-1 and top-3 hit rates per
kind; and, with two databases, whether both return the same top 3.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, func, select, text

from benchmarks.search_queries import KINDS, PER_KIND, SEED, BenchQuery, build_queries
from musaic import create_app
from musaic.catalog.search import backend_for, parse_query, search_catalog
from musaic.catalog.search.engine import strict_groups
from musaic.extensions import db
from musaic.models import Track

DEFAULT_URLS: tuple[str | None, ...] = (None,)  # the configured DATABASE_URL
_FOUND = text(
    "SELECT t.id, t.song_key, a.normalised_name FROM tracks t JOIN track_artists ta"
    " ON ta.track_id = t.id JOIN artists a ON a.id = ta.artist_id WHERE t.id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def _bare(query: str) -> Callable[[], Any]:
    """Return the bare full-text query for the words of `query` (what the engine starts from)."""
    session = db.session()
    backend = backend_for(session)
    parsed = parse_query(query)
    clause, params = backend.match_clause(strict_groups(parsed))
    statement = text(
        f"SELECT s.{backend.document_id_column} FROM {backend.documents_table} AS s"
        f" WHERE {clause} LIMIT 20"
    )
    return lambda: session.execute(statement, params).all()


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def _hit(query: BenchQuery, top: list[int]) -> bool:
    rows = db.session.execute(_FOUND, {"ids": top}).all() if top else []
    if query.artist:
        return any(name == query.artist for _, _, name in rows)
    return any(key == query.song_key for _, key, _ in rows)


def _top3_keys(top: list[int]) -> list[str]:
    keys = dict(
        db.session.execute(select(Track.id, Track.match_key).where(Track.id.in_(top))).all()
    )
    return [keys[i] for i in top]


def _median_of(repeat: int, call: Callable[[], Any]) -> tuple[float, Any]:
    """Run `call` `repeat` times; return the median time and the last result."""
    timings = [_timed(call) for _ in range(repeat)]
    return statistics.median(ms for ms, _ in timings), timings[-1][1]


def run(queries: list[BenchQuery], repeat: int = 1) -> tuple[dict[str, Any], list[list[str]]]:
    """Time every query through the engine and bare; report latency and top-3 hits per kind.

    Each query's time is the median of `repeat` runs, so one run caught by the scheduler on a
    busy machine does not stand for the query.
    """
    rows: dict[str, dict[str, list[float]]] = {}
    tops: list[list[str]] = []
    for query in queries:
        parsed = parse_query(query.q)
        search_catalog(parsed, limit=20)  # warm the page cache for this query's terms
        engine_ms, hits = _median_of(repeat, lambda p=parsed: search_catalog(p, limit=20))  # type: ignore[misc]
        bare = _bare(query.q)
        bare()  # warmed like the engine: its statement prepared, its pages read
        bare_ms, _ = _median_of(repeat, bare)
        row = rows.setdefault(query.kind, {"engine": [], "bare": [], "top1": [], "top3": []})
        row["engine"].append(engine_ms)
        row["bare"].append(bare_ms)
        row["top1"].append(float(_hit(query, hits.track_ids[:1])))
        row["top3"].append(float(_hit(query, hits.track_ids[:3])))
        tops.append(_top3_keys(hits.track_ids[:3]))
    rows["all"] = {
        k: [v for r in rows.values() for v in r[k]] for k in ("engine", "bare", "top1", "top3")
    }
    return {kind: _summary(row) for kind, row in rows.items()}, tops


def _summary(row: dict[str, list[float]]) -> dict[str, Any]:
    cuts = statistics.quantiles(row["engine"], n=20, method="inclusive")
    p50, bare = statistics.median(row["engine"]), statistics.median(row["bare"])
    return {
        "queries": len(row["engine"]),
        "p50_ms": round(p50, 2),
        "p95_ms": round(cuts[18], 2),
        "bare_p50_ms": round(bare, 3),
        "ratio_p50": round(p50 / max(bare, 1e-3), 1),
        "top1": round(statistics.fmean(row["top1"]), 3),
        "top3": round(statistics.fmean(row["top3"]), 3),
    }


def _measure(
    url: str | None, queries: list[BenchQuery] | None, seed: int, per_kind: int, repeat: int
) -> dict[str, Any]:
    overrides: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": url} if url else {}
    app = create_app("development", RATE_LIMIT_ENABLED=False, **overrides)
    with app.app_context():
        tracks = db.session.scalar(select(func.count(Track.id))) or 0
        queries = queries or build_queries(seed, per_kind)
        report, tops = run(queries, repeat)
        dialect = db.engine.dialect.name
        db.engine.dispose()
    return {
        "dialect": dialect,
        "tracks": tracks,
        "queries": queries,
        "results": report,
        "tops": tops,
    }


def _table(runs: list[dict[str, Any]]) -> str:
    head = f"{'kind':<13}{'n':>4}" + "".join(
        f" | {r['dialect'][:6]:<6}{'p50':>7}{'p95':>7}{'bare':>7}{'ratio':>6}{'top1':>6}{'top3':>6}"
        for r in runs
    )
    lines = [head]
    for kind in [*KINDS, "all"]:
        cells = [r["results"][kind] for r in runs]
        line = f"{kind:<13}{cells[0]['queries']:>4}"
        for c in cells:
            line += (
                f" | {'':<6}{c['p50_ms']:>7}{c['p95_ms']:>7}{c['bare_p50_ms']:>7}"
                f"{c['ratio_p50']:>6}{c['top1']:>6}{c['top3']:>6}"
            )
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the search benchmark on each --database-url (already migrated and indexed)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks search", description=__doc__)
    parser.add_argument("--database-url", action="append", help="SQLAlchemy URL (repeatable)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--per-kind", type=int, default=PER_KIND)
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per query; its median is kept (5)"
    )
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args(argv)
    runs: list[dict[str, Any]] = []
    queries: list[BenchQuery] | None = None
    for url in args.database_url or DEFAULT_URLS:
        runs.append(_measure(url, queries, args.seed, args.per_kind, max(1, args.repeat)))
        queries = runs[0]["queries"]
    print(
        f"search benchmark: {len(queries or [])} queries, seed {args.seed}, median of"
        f" {max(1, args.repeat)} runs each, "
        + ", ".join(f"{r['dialect']} {r['tracks']} tracks" for r in runs)
    )
    print(_table(runs))
    if len(runs) > 1:
        same = sum(a == b for a, b in zip(runs[0]["tops"], runs[1]["tops"], strict=True))
        print(f"same top 3 on both: {same}/{len(queries or [])}")
    if args.json:
        print(
            json.dumps(
                [{k: r[k] for k in ("dialect", "tracks", "results")} for r in runs], indent=2
            )
        )
