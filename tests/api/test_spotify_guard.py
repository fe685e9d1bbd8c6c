"""One Spotify budget for all processes: quota wall, daily budget, search cache, time budget."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from musaic.extensions import db
from musaic.models import SpotifyToken
from musaic.spotify.guard import cache_key, seconds_to_utc_midnight
from tests.conftest import LiveServer, log_in, make_app, spotify_settings


def _serve(app: Any) -> LiveServer:
    server = LiveServer(app)
    app.config["SPOTIFY_REDIRECT_URI"] = f"{server.url}/api/auth/callback"
    return server.start()


@pytest.fixture
def make_pair(request: pytest.FixtureRequest, tmp_path: Path, standin: Any) -> Iterator[Any]:
    """Start two Musaic processes' worth of apps on one PostgreSQL and one Redis."""
    servers: list[LiveServer] = []

    def start(**overrides: Any) -> tuple[LiveServer, LiveServer]:
        settings = {**spotify_settings(standin, "http://x/"), **overrides}
        first = make_app("postgres", request, tmp_path, **settings)
        prefix = first.config["SESSION_KEY_PREFIX"]
        second = make_app("postgres", request, tmp_path, SESSION_KEY_PREFIX=prefix, **settings)
        servers.extend([_serve(first), _serve(second)])
        return servers[0], servers[1]

    yield start
    for server in servers:
        server.stop()
        with server.server.app.app_context():
            db.engine.dispose()


def _spotify_paths(standin: Any) -> list[str]:
    return [r.path for r in standin.requests if r.path.startswith("/v1/")]


def test_a_quota_wall_seen_by_one_process_stops_the_other_at_once(
    make_pair: Any, standin: Any
) -> None:
    first, second = make_pair()
    browser = log_in(first)
    standin.faults.quota_exceeded(retry_after=600)
    response = browser.get(f"{first.url}/api/me", timeout=10)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "spotify_quota_exceeded"
    standin.reset()
    response = browser.get(f"{second.url}/api/me", timeout=10)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "spotify_quota_exceeded"
    assert 590 <= int(response.headers["Retry-After"]) <= 600
    assert _spotify_paths(standin) == []  # the second process never asked Spotify


def test_the_daily_budget_is_counted_across_processes(make_pair: Any, standin: Any) -> None:
    first, second = make_pair(SPOTIFY_DAILY_CALL_BUDGET=2)
    browser = log_in(first)
    standin.reset()
    assert browser.get(f"{first.url}/api/me", timeout=10).status_code == 200
    assert browser.get(f"{second.url}/api/me", timeout=10).status_code == 200
    refused = browser.get(f"{first.url}/api/me", timeout=10)
    assert refused.status_code == 503
    assert refused.json()["error"]["details"]["budget"] == 2
    assert 0 < int(refused.headers["Retry-After"]) <= seconds_to_utc_midnight() + 1
    assert _spotify_paths(standin) == ["/v1/me", "/v1/me"]


def test_spotify_search_is_cached_by_normalised_query_for_everyone(
    make_pair: Any, standin: Any
) -> None:
    first, second = make_pair()
    alice, bob = log_in(first), log_in(first)
    standin.reset()
    hits = alice.get(f"{first.url}/api/search", params={"q": "Bohemian Rhapsody"}, timeout=10)
    again = bob.get(f"{second.url}/api/search", params={"q": "  bohemian   RHAPSODY "}, timeout=10)
    assert hits.json()["sources"]["spotify"] == again.json()["sources"]["spotify"] == "ok"
    assert [i["title"] for i in hits.json()["items"]] == [i["title"] for i in again.json()["items"]]
    assert _spotify_paths(standin) == ["/v1/search"]


def test_cache_keys_ignore_case_and_spacing_and_never_hold_a_token() -> None:
    one = cache_key("/search", {"q": "Bohemian Rhapsody", "limit": 10})
    two = cache_key("/search", {"q": "  bohemian   RHAPSODY", "limit": "10"})
    assert one == two
    assert one != cache_key("/search", {"q": "Bohemian Rhapsody", "limit": 5})


def _expire_tokens(app: Any) -> None:
    with app.app_context():
        db.session.execute(
            update(SpotifyToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=5))
        )
        db.session.commit()


@pytest.mark.parametrize("slow_part", ["/v1/", "/api/token"])
def test_a_slow_spotify_ends_in_503_within_the_request_budget(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, standin: Any, slow_part: str
) -> None:
    settings = spotify_settings(standin, "http://x/")
    app = make_app(backend, request, tmp_path, SPOTIFY_REQUEST_BUDGET_SECONDS=1.0, **settings)
    server = _serve(app)
    try:
        browser = log_in(server)
        if slow_part == "/api/token":
            _expire_tokens(app)  # the next call must refresh first, and the refresh is slow
        standin.faults.queue(delay=3, times=3, path_prefix=slow_part)
        started = time.monotonic()
        response = browser.get(f"{server.url}/api/me", timeout=30)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "spotify_unavailable"
    assert elapsed < 3  # the budget, not Spotify's delay, decided when the answer came
    if slow_part == "/v1/":
        assert response.json()["error"]["details"]["reason"] == "time_budget"
