"""Search latency benchmark: 200 fixed queries built from the catalog, vs the bare FTS query."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from benchmarks.search_load import load_tidytuesday
from musaic import create_app
from musaic.catalog.search import backend_for, parse_query, rebuild_index, search_catalog
from musaic.catalog.search.engine import strict_groups
from musaic.catalog.search.query import tokenize
from musaic.extensions import db
from musaic.models import Track

KINDS = {"exact": 60, "prefix": 50, "typo": 50, "filtered": 40}
SEED = 2026


def _typo(word: str, chooser: random.Random) -> str:
    at = chooser.randrange(1, len(word) - 2)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def build_queries(seed: int = SEED) -> list[tuple[str, str, int]]:
    """Return (kind, query, source track id) for 200 queries drawn from the catalog."""
    chooser = random.Random(seed)
    rows = db.session.execute(
        select(Track.id, Track.title, Track.release_year).order_by(Track.id)
    ).all()
    queries: list[tuple[str, str, int]] = []
    while len(queries) < sum(KINDS.values()):
        track_id, title, year = chooser.choice(rows)
        words = tokenize(title)[:4]
        kind = next(k for k, n in KINDS.items() if sum(q[0] == k for q in queries) < n)
        if not words or (kind == "typo" and max(map(len, words)) < 5):
            continue
        if kind == "exact":
            q = " ".join(words)
        elif kind == "prefix":
            q = " ".join([*words[:-1], words[-1][:3]])
        elif kind == "typo":
            longest = max(words, key=len)
            q = " ".join(_typo(w, chooser) if w == longest else w for w in words)
        else:
            track = db.session.get(Track, track_id)
            artist = track.artists[0].name if track and track.artists else ""
            if not artist or year is None:
                continue
            q = f'artist:"{artist}" year:{year} {words[0]}'
        queries.append((kind, q, track_id))
    return queries


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


def _song_keys(track_ids: list[int]) -> list[str]:
    rows = db.session.execute(select(Track.id, Track.match_key).where(Track.id.in_(track_ids)))
    keys = {track_id: key for track_id, key in rows}
    return [keys[i] for i in track_ids]


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def _percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return {"p50": round(statistics.median(values), 2), "p95": round(cuts[18], 2)}


def run(queries: list[tuple[str, str, int]]) -> dict[str, Any]:
    """Time every query through the engine and bare; report latency and top-3/top-10 hits."""
    rows: dict[str, dict[str, list[float]]] = {}
    for kind, q, track_id in queries:
        parsed = parse_query(q)
        search_catalog(parsed, limit=20)  # warm the page cache for this query's terms
        engine_ms, hits = _timed(lambda p=parsed: search_catalog(p, limit=20))  # type: ignore[misc]
        bare_ms, _ = _timed(_bare(q))
        row = rows.setdefault(kind, {"engine": [], "bare": [], "top3": [], "top10": []})
        row["engine"].append(engine_ms)
        row["bare"].append(bare_ms)
        found = _song_keys(hits.track_ids)  # another copy of the same song counts as found
        row["top3"].append(float(_song_keys([track_id])[0] in found[:3]))
        row["top10"].append(float(_song_keys([track_id])[0] in found[:10]))
    everything = {k: [v for r in rows.values() for v in r[k]] for k in ("engine", "bare", "top3")}
    rows["all"] = everything | {"top10": [v for r in rows.values() for v in r["top10"]]}
    report = {}
    for kind, row in rows.items():
        engine, bare = _percentiles(row["engine"]), _percentiles(row["bare"])
        report[kind] = {
            "queries": len(row["engine"]),
            "engine_ms": engine,
            "bare_fts_ms": bare,
            "ratio_p50": round(engine["p50"] / max(bare["p50"], 1e-3), 1),
            "top3": round(statistics.fmean(row["top3"]), 3),
            "top10": round(statistics.fmean(row["top10"]), 3),
        }
    return report


def _table(report: dict[str, Any], header: str) -> str:
    lines = [
        header,
        f"{'kind':<9}{'n':>4}{'p50 ms':>9}{'p95 ms':>9}{'bare p50':>10}"
        f"{'bare p95':>10}{'ratio':>7}{'top3':>7}{'top10':>7}",
    ]
    for kind, r in report.items():
        lines.append(
            f"{kind:<9}{r['queries']:>4}{r['engine_ms']['p50']:>9}{r['engine_ms']['p95']:>9}"
            f"{r['bare_fts_ms']['p50']:>10}{r['bare_fts_ms']['p95']:>10}{r['ratio_p50']:>7}"
            f"{r['top3']:>7}{r['top10']:>7}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the search benchmark against --database-url (default: the configured database)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks search", description=__doc__)
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: DATABASE_URL / SQLite)")
    parser.add_argument(
        "--load-tidytuesday",
        type=Path,
        metavar="DATA_DIR",
        help="load TidyTuesday into an EMPTY catalog first (stop-gap importer)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    overrides = {"SQLALCHEMY_DATABASE_URI": args.database_url} if args.database_url else {}
    app = create_app("development", **overrides)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        if args.load_tidytuesday and not db.session.scalar(select(func.count(Track.id))):
            load_tidytuesday(args.load_tidytuesday)
        tracks = db.session.scalar(select(func.count(Track.id))) or 0
        start = time.perf_counter()
        rebuild_index()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # fresh statistics, as autovacuum would give
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        index_s = round(time.perf_counter() - start, 1)
        report = run(build_queries(args.seed))
        dialect = db.engine.dialect.name
    print(_table(report, f"search benchmark: {dialect}, {tracks} tracks, index rebuild {index_s}s"))
    print(
        json.dumps(
            {
                "dialect": dialect,
                "tracks": tracks,
                "rebuild_index_s": index_s,
                "seed": args.seed,
                "results": report,
            },
            indent=2,
        )
    )
