"""Per-listener rate limits: 429 rate_limited with Retry-After, shared in Redis, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import session

from musaic import create_app
from musaic.limits import apply_limits, rate_limited
from tests.conftest import make_app
from tests.throwaway_redis import ThrowawayRedis

LIMITS = {"RATE_LIMIT_ENABLED": True, "RATE_LIMIT_SEARCH": "2 per minute"}


def _search(client: Any, ip: str = "198.51.100.1") -> Any:
    return client.get("/api/search", query_string={"q": "x"}, environ_base={"REMOTE_ADDR": ip})


def test_third_search_in_a_minute_is_refused_with_retry_after(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    app = make_app(backend, request, tmp_path, **LIMITS)
    client = app.test_client()
    assert [_search(client).status_code for _ in range(2)] == [200, 200]
    refused = _search(client)
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited"
    assert error["request_id"] == refused.headers["X-Request-ID"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert _search(client, ip="198.51.100.2").status_code == 200  # another listener


def test_a_logged_in_listener_is_counted_by_user_not_by_address(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    app = make_app("sqlite", request, tmp_path, **LIMITS)

    def pretend_login() -> dict[str, str]:
        session["user_id"] = 7
        return {}

    app.add_url_rule("/api/_login", "pretend_login", pretend_login, methods=["POST"])
    client = app.test_client()
    client.post("/api/_login")
    statuses = [_search(client, ip=f"198.51.100.{n}").status_code for n in range(1, 4)]
    assert statuses == [200, 200, 429]


def test_two_processes_share_one_count_through_redis(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    first = make_app("postgres", request, tmp_path, **LIMITS)
    prefix = first.config["SESSION_KEY_PREFIX"]
    second = make_app("postgres", request, tmp_path, SESSION_KEY_PREFIX=prefix, **LIMITS)
    assert _search(first.test_client()).status_code == 200
    assert _search(second.test_client()).status_code == 200
    assert _search(first.test_client()).status_code == 429


def test_limits_fall_back_to_memory_when_redis_dies(sqlite_url: str) -> None:
    with ThrowawayRedis() as server:
        app = create_app("test", SQLALCHEMY_DATABASE_URI=sqlite_url, REDIS_URL=server.url, **LIMITS)
        client = app.test_client()
        assert _search(client).status_code == 200
        server.stop()
        statuses = [_search(client).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # counted again, in process memory: no 500, no 503


def test_login_is_limited(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    app = make_app(
        "sqlite", request, tmp_path, RATE_LIMIT_ENABLED=True, RATE_LIMIT_LOGIN="1 per minute"
    )
    client = app.test_client()
    assert [client.get("/api/auth/login").status_code for _ in range(2)][1] == 429


def test_an_export_route_is_limited_by_its_rule_or_its_mark(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    app = make_app(
        "sqlite", request, tmp_path, RATE_LIMIT_ENABLED=True, RATE_LIMIT_EXPORT="2 per hour"
    )

    def export(playlist_id: int) -> dict[str, int]:
        return {"exported": playlist_id}

    @rate_limited("EXPORT")
    def share(playlist_id: int) -> dict[str, int]:
        return {"shared": playlist_id}

    app.add_url_rule("/api/drafts/<int:playlist_id>/export", "export", export, methods=["POST"])
    app.add_url_rule("/api/playlists/<int:playlist_id>/share", "share", share, methods=["POST"])
    apply_limits(app)
    client = app.test_client()
    paths = ["/api/drafts/1/export", "/api/playlists/1/share"] * 2
    statuses = [client.post(path).status_code for path in paths]
    assert statuses == [200, 200, 429, 429]  # one EXPORT budget per listener for both


def test_refusals_are_counted_and_logged_as_security_events(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app("sqlite", request, tmp_path, **LIMITS)
    client = app.test_client()
    for _ in range(3):
        _search(client)
    assert '"security_event": "rate_limited"' in capsys.readouterr().err
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'musaic_rate_limited_total{limit="SEARCH"}' in metrics
