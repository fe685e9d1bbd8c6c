"""Fixed-rate load on two gunicorn processes sharing PostgreSQL and Redis: search + generate.

`python -m benchmarks load --database-url URL [--redis-url URL] [--rate 20] [--duration 30]`
starts two gunicorn instances on loopback ports (the command the tests use), sends requests at a
fixed rate alternating between them (a router), and reports throughput, p50/p95/p99 and errors.
Latency is measured from each request's scheduled start, so a stalled server cannot hide its
queue (no coordinated omission). Needs a catalog with an index (see README "Load").
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

MAX_RATE = 200.0  # requests per second: loopback only, bounded
MAX_DURATION_S = 600.0
MIX = (("search", 0.6), ("generate", 0.4))  # add ("export", ...) once POST .../export exists
LISTENERS = 16  # browser sessions; each keeps its own cookie and playlist history


@dataclass
class Targets:
    """What to ask for: server base URLs, search words and catalog seeds."""

    urls: list[str]
    queries: list[str]
    seeds: list[int]


@dataclass
class Results:
    """Latencies (ms, from the scheduled start) and failures per request kind."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, scheduled: float, ok: bool) -> None:
        """Add one answer."""
        elapsed = (time.perf_counter() - scheduled) * 1000
        with self.lock:
            self.latencies[kind].append(elapsed)
            if not ok:
                self.errors[kind] += 1


def _request(
    kind: str, browser: requests.Session, base: str, rng: random.Random, t: Targets
) -> bool:
    if kind == "search":
        response = browser.get(
            f"{base}/api/search", params={"q": rng.choice(t.queries)}, timeout=30
        )
        return response.status_code == 200
    body = {"seed": rng.choice(t.seeds), "length": 30}
    response = browser.post(f"{base}/api/playlists", json=body, timeout=30)
    return response.status_code == 201


def run_load(targets: Targets, rate: float, duration_s: float, seed: int = 2026) -> dict[str, Any]:
    """Send `rate` requests per second for `duration_s` seconds; return the report."""
    rate, duration_s = min(rate, MAX_RATE), min(duration_s, MAX_DURATION_S)
    rng = random.Random(seed)
    kinds = [kind for kind, _ in MIX]
    total = int(rate * duration_s)
    plan = rng.choices(kinds, weights=[w for _, w in MIX], k=total)
    browsers = [requests.Session() for _ in range(LISTENERS)]
    results = Results()
    started = time.perf_counter()

    def one(index: int, kind: str, scheduled: float) -> None:
        browser = browsers[index % LISTENERS]
        base = targets.urls[index % len(targets.urls)]
        try:
            ok = _request(kind, browser, base, random.Random(seed + index), targets)
        except requests.RequestException:
            ok = False
        results.record(kind, scheduled, ok)

    with ThreadPoolExecutor(max_workers=64) as pool:
        for index, kind in enumerate(plan):
            scheduled = started + index / rate
            time.sleep(max(0.0, scheduled - time.perf_counter()))
            pool.submit(one, index, kind, scheduled)
    wall = time.perf_counter() - started
    for browser in browsers:
        browser.close()
    return _report(results, rate, duration_s, wall)


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _report(results: Results, rate: float, duration_s: float, wall: float) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    every = [v for values in results.latencies.values() for v in values]
    for kind, values in sorted({**results.latencies, "all": every}.items()):
        errors = sum(results.errors.values()) if kind == "all" else results.errors[kind]
        kinds[kind] = {
            "requests": len(values),
            "errors": errors,
            "p50_ms": _percentile(values, 0.50) if values else None,
            "p95_ms": _percentile(values, 0.95) if values else None,
            "p99_ms": _percentile(values, 0.99) if values else None,
            "mean_ms": round(statistics.fmean(values), 1) if values else None,
        }
    return {
        "rate": rate,
        "duration_s": duration_s,
        "throughput_rps": round(len(every) / wall, 1),
        "kinds": kinds,
    }


def format_table(report: dict[str, Any]) -> str:
    """Render the report as a Markdown table."""
    lines = [
        f"offered {report['rate']}/s for {report['duration_s']} s, "
        f"served {report['throughput_rps']}/s",
        "| kind | requests | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for kind, row in report["kinds"].items():
        lines.append(
            f"| {kind} | {row['requests']} | {row['errors']} | {row['p50_ms']} | "
            f"{row['p95_ms']} | {row['p99_ms']} |"
        )
    return "\n".join(lines)


def load_targets(database_url: str, urls: list[str], count: int = 200) -> Targets:
    """Pick search words from track titles and seeds with co-occurrence neighbours."""
    from musaic import create_app
    from musaic.extensions import db
    from musaic.models import Track

    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        from benchmarks.generation import pick_seeds

        _, seeds = pick_seeds(count)
        titles = db.session.scalars(db.select(Track.title).where(Track.id.in_(seeds))).all()
        db.engine.dispose()
    queries = [" ".join(title.split()[:2]) for title in titles if title.split()]
    return Targets(urls=urls, queries=queries, seeds=seeds)


def with_two_processes(
    database_url: str, redis_url: str, body: Callable[[list[str]], dict[str, Any]]
) -> dict[str, Any]:
    """Start two gunicorn instances on the shared database and Redis, run `body`, stop them."""
    from tests.production.servers import Gunicorn

    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "LOG_LEVEL": "ERROR"}
    servers = [Gunicorn(env), Gunicorn(env)]
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        return body([server.url for server in servers])
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.stop()


def main(argv: list[str] | None = None) -> None:
    """Parse options, run the load on two processes and print the table (and JSON)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks load")
    parser.add_argument("--database-url", required=True, help="PostgreSQL with catalog + index")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--rate", type=float, default=20.0, help=f"requests/s (max {MAX_RATE})")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds (max 600)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON too")
    args = parser.parse_args(argv)

    def body(urls: list[str]) -> dict[str, Any]:
        targets = load_targets(args.database_url, urls)
        run_load(targets, rate=min(args.rate, 5.0), duration_s=2.0)  # warm both processes
        return run_load(targets, args.rate, args.duration)

    report = with_two_processes(args.database_url, args.redis_url, body)
    print(format_table(report))
    if args.json:
        print(json.dumps(report, indent=2))
