"""CSRF origin checks, security headers, cookie flags, session timeouts and proxy handling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import session

from musaic import create_app
from tests.conftest import make_app

EVIL = "https://evil.example"


def _add_session_routes(app: Any) -> None:
    def remember() -> dict[str, str]:
        session["colour"] = "teal"
        return {"stored": "yes"}

    def recall() -> dict[str, str | None]:
        return {"colour": session.get("colour")}

    app.add_url_rule("/api/_remember", "remember", remember, methods=["POST"])
    app.add_url_rule("/api/_recall", "recall", recall)


def _with_cookie(app: Any) -> Any:
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "some-session-id")
    return client


def test_foreign_origin_with_the_session_cookie_is_refused(app: Any) -> None:
    response = _with_cookie(app).post("/api/auth/logout", headers={"Origin": EVIL})
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "csrf_refused"
    assert error["details"]["origin"] == EVIL


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_every_unsafe_method_is_checked(app: Any, method: str) -> None:
    response = getattr(_with_cookie(app), method)("/api/playlists/1", headers={"Origin": EVIL})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "csrf_refused"


def test_foreign_referer_is_refused_when_origin_is_absent(app: Any) -> None:
    response = _with_cookie(app).post("/api/auth/logout", headers={"Referer": f"{EVIL}/page"})
    assert response.status_code == 403


def test_own_origin_and_configured_front_end_pass(app: Any) -> None:
    app.config["CORS_ORIGINS"] = ["https://front.example"]
    client = _with_cookie(app)
    response = client.post("/api/auth/logout", headers={"Origin": "http://localhost"})
    assert response.status_code == 200
    response = client.post("/api/auth/logout", headers={"Origin": "https://front.example"})
    assert response.status_code == 200
    response = client.post("/api/auth/logout", headers={"Referer": "http://localhost/x"})
    assert response.status_code == 200


def test_foreign_origin_without_a_cookie_has_nothing_to_abuse(app: Any) -> None:
    response = app.test_client().post("/api/auth/logout", headers={"Origin": EVIL})
    assert response.status_code == 200


def test_a_safe_method_is_never_refused(app: Any) -> None:
    response = _with_cookie(app).get("/api/auth/status", headers={"Origin": EVIL})
    assert response.status_code == 200


def test_security_headers_on_every_response(app: Any) -> None:
    client = app.test_client()
    for path in ("/api/health", "/api/auth/callback?code=x&state=y", "/api/nowhere"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # development and tests: no HSTS


def test_responses_to_a_session_are_not_stored_by_caches(app: Any) -> None:
    assert "no-store" not in app.test_client().get("/api/health").headers.get("Cache-Control", "")
    assert _with_cookie(app).get("/api/auth/status").headers["Cache-Control"] == "no-store"


def _production(tmp_path: Path, **overrides: Any) -> Any:
    settings = {
        "SECRET_KEY": "s" * 48,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://musaic@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "SPOTIFY_REDIRECT_URI": "https://musaic.example/api/auth/callback",
    }
    return create_app("production", **{**settings, **overrides})


def test_production_adds_hsts_and_turns_docs_off(tmp_path: Path) -> None:
    app = _production(tmp_path)
    client = app.test_client()
    response = client.get("/api/health", base_url="https://musaic.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert client.get("/docs/").status_code == 404
    docs = _production(tmp_path, API_DOCS=True).test_client().get("/docs/")
    assert docs.status_code == 200


def test_https_is_detected_from_the_router_headers(tmp_path: Path) -> None:
    app = _production(tmp_path)
    seen: dict[str, Any] = {}

    def where() -> dict[str, str]:
        from flask import request

        seen.update(scheme=request.scheme, remote=request.remote_addr)
        return {}

    app.add_url_rule("/api/_where", "where", where)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9, 10.0.0.1"}
    app.test_client().get("/api/_where", headers=headers)
    assert seen == {"scheme": "https", "remote": "10.0.0.1"}  # one trusted hop: the router's view
    deeper = _production(tmp_path, PROXY_HOPS=2)
    deeper.add_url_rule("/api/_where", "where", where)
    deeper.test_client().get("/api/_where", headers=headers)
    assert seen["remote"] == "203.0.113.9"


def test_production_cookie_has_host_prefix_and_strict_flags(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    app = _production(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=request.getfixturevalue("postgres_url"),
        REDIS_URL=request.getfixturevalue("redis_url"),
        SESSION_KEY_PREFIX="musaic-test-cookie:",
    )
    _add_session_routes(app)
    response = app.test_client().post("/api/_remember", base_url="https://musaic.example")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-musaic_session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie
    assert response.headers["Cache-Control"] == "no-store"


class Clock:
    """A settable session clock."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_idle_timeout_is_refreshed_on_use(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = Clock()
    app = make_app(backend, request, tmp_path, SESSION_CLOCK=clock)
    _add_session_routes(app)
    client = app.test_client()
    client.post("/api/_remember")
    for _ in range(3):  # each use within 30 minutes keeps the session alive
        clock.now += 25 * 60
        response = client.get("/api/_recall")
        assert response.get_json() == {"colour": "teal"}
        assert "Set-Cookie" in response.headers  # the cookie's expiry moves forward too
    capsys.readouterr()
    clock.now += 31 * 60
    assert client.get("/api/_recall").get_json() == {"colour": None}
    assert '"security_event": "session_expired"' in capsys.readouterr().err


def test_absolute_timeout_ends_a_busy_session(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    clock = Clock()
    app = make_app("sqlite", request, tmp_path, SESSION_CLOCK=clock)
    assert app.config["SESSION_ABSOLUTE_SECONDS"] == 12 * 3600
    assert app.permanent_session_lifetime.total_seconds() == 30 * 60
    _add_session_routes(app)
    client = app.test_client()
    client.post("/api/_remember")
    for _ in range(28):  # a request every 25 minutes: 11 h 40 min of activity
        clock.now += 25 * 60
        assert client.get("/api/_recall").get_json() == {"colour": "teal"}
    clock.now += 25 * 60
    assert client.get("/api/_recall").get_json() == {"colour": None}


def test_logging_in_restarts_the_absolute_limit(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    clock = Clock()
    app = make_app("sqlite", request, tmp_path, SESSION_CLOCK=clock)
    _add_session_routes(app)

    def pretend_login() -> dict[str, str]:
        session["user_id"] = 3
        app.session_interface.regenerate(session)
        return {}

    app.add_url_rule("/api/_login", "pretend_login", pretend_login, methods=["POST"])
    client = app.test_client()
    client.post("/api/_remember")
    for _ in range(20):  # 8 h 20 min as an anonymous listener
        clock.now += 25 * 60
        client.get("/api/_recall")
    client.post("/api/_login")
    for _ in range(20):  # 8 h 20 min more after logging in: 16 h 40 min since first use
        clock.now += 25 * 60
        assert client.get("/api/_recall").get_json() == {"colour": "teal"}
