"""Cost and bounds of the protection layer: `python -m benchmarks protection [--requests N]`.

1. Per-request cost of the Redis rate limiter on GET /api/search (empty catalog).
2. How long a request waits on a Spotify that never answers, per time budget (loopback stand-in).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from flask_migrate import upgrade

from musaic import create_app
from musaic.extensions import db
from musaic.spotify.errors import SpotifyUnavailableError
from musaic.spotify.transport import SpotifyTransport


def _migrated_sqlite(folder: Path) -> str:
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _per_request_ms(app: Any, requests: int) -> float:
    client = app.test_client()
    timings = []
    for n in range(requests):
        started = time.perf_counter()
        response = client.get("/api/search", query_string={"q": f"zz{n % 50}"})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_json()
    return statistics.median(timings)


def overhead(requests: int, redis_url: str) -> None:
    """Print the median time of one search with the protection stack off and on."""
    with tempfile.TemporaryDirectory() as folder:
        url = _migrated_sqlite(Path(folder))
        plain = create_app("test", SQLALCHEMY_DATABASE_URI=url, LOG_LEVEL="WARNING")
        guarded = create_app(
            "test",
            SQLALCHEMY_DATABASE_URI=url,
            LOG_LEVEL="WARNING",
            REDIS_URL=redis_url,
            SESSION_KEY_PREFIX=f"musaic-bench-{uuid.uuid4().hex[:8]}:",
            RATE_LIMIT_ENABLED=True,
            RATE_LIMIT_SEARCH="1000000 per minute",
        )
        rounds = [(_per_request_ms(plain, requests), _per_request_ms(guarded, requests))]
        rounds += [(_per_request_ms(plain, requests), _per_request_ms(guarded, requests))]
    off, on = min(r[0] for r in rounds), min(r[1] for r in rounds)
    print(f"search, median of {requests}: rate limits off {off:.2f} ms, on (Redis) {on:.2f} ms")


def budget_bound(budgets: list[float]) -> None:
    """Print how long a call to a Spotify that stalls for 60 s takes, per budget."""
    from tests.spotify_standin import SpotifyStandIn

    with SpotifyStandIn(row_limit=50) as standin:
        for budget in budgets:
            standin.reset()
            standin.faults.queue(delay=60, times=10)
            end = time.monotonic() + budget
            transport = SpotifyTransport(
                standin.api_base_url, lambda: "t", deadline=lambda end=end: end
            )
            started = time.monotonic()
            try:
                transport.request("GET", "/me")
            except SpotifyUnavailableError as exc:
                outcome = exc.code
            elapsed = time.monotonic() - started
            print(f"budget {budget:>4.1f} s: answered {outcome} after {elapsed:.2f} s")
            standin.reset()


def main(argv: list[str]) -> None:
    """Run both measurements."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks protection")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--budgets", default="2,5,20")
    args = parser.parse_args(argv)
    overhead(args.requests, args.redis_url)
    budget_bound([float(b) for b in args.budgets.split(",")])
