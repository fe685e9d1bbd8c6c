"""Server-side sessions: stored in Redis or a local file cache, and a dead store is a 503."""

from __future__ import annotations

from typing import Any

import redis
from flask import session

from musaic import create_app


def _add_session_routes(app: Any) -> None:
    def remember() -> dict[str, str]:
        session["colour"] = "teal"
        return {"stored": "yes"}

    def recall() -> dict[str, str | None]:
        return {"colour": session.get("colour")}

    app.add_url_rule("/api/_remember", "remember", remember, methods=["POST"])
    app.add_url_rule("/api/_recall", "recall", recall)


def test_session_round_trips_through_the_store(app: Any, backend: str) -> None:
    _add_session_routes(app)
    client = app.test_client()
    client.post("/api/_remember")
    assert client.get("/api/_recall").get_json() == {"colour": "teal"}
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and cookie.http_only
    assert "teal" not in cookie.value  # the cookie holds only an id; data lives server-side
    if backend == "postgres":
        store = redis.Redis.from_url(app.config["REDIS_URL"])
        keys = store.keys(app.config["SESSION_KEY_PREFIX"] + "*")
        assert len(keys) == 1 and b"teal" in store.get(keys[0])


def test_local_backend_is_a_file_cache_not_the_database(app: Any, backend: str) -> None:
    expected = "redis" if backend == "postgres" else "cachelib"
    assert app.config["SESSION_TYPE"] == expected


def test_cookie_with_redis_down_is_a_clear_503(sqlite_url: str) -> None:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=sqlite_url, REDIS_URL="redis://127.0.0.1:1/0")
    _add_session_routes(app)
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "some-session-id")
    response = client.get("/api/_recall")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "session_store_unavailable"
    assert response.headers["Retry-After"] == "5"
    health = client.get("/api/health")
    assert health.status_code == 200


def test_writing_a_session_with_redis_down_is_a_clear_503(sqlite_url: str) -> None:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=sqlite_url, REDIS_URL="redis://127.0.0.1:1/0")
    _add_session_routes(app)
    response = app.test_client().post("/api/_remember")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "session_store_unavailable"


def test_a_rediss_store_with_a_self_signed_certificate_works(
    sqlite_url: str, tmp_path: Any
) -> None:
    from tests.throwaway_redis import ThrowawayRedis

    with ThrowawayRedis(tls_dir=tmp_path) as server:
        assert server.url.startswith("rediss://")
        app = create_app(
            "test",
            SQLALCHEMY_DATABASE_URI=sqlite_url,
            REDIS_URL=server.url,
            RATE_LIMIT_ENABLED=True,
            RATE_LIMIT_SEARCH="1 per minute",
        )
        _add_session_routes(app)
        client = app.test_client()
        client.post("/api/_remember")
        assert client.get("/api/_recall").get_json() == {"colour": "teal"}
        assert client.get("/api/ready").get_json()["checks"]["redis"] == "ok"
        store = redis.Redis.from_url(server.url, ssl_cert_reqs="none")
        assert any(b"limits" in key for key in store.keys("*")) is False
        assert client.get("/api/search?q=x").status_code == 200
        assert client.get("/api/search?q=x").status_code == 429
        assert any(b"limits" in key for key in store.keys("*"))  # counted in the TLS Redis
        strict = create_app(
            "test",
            SQLALCHEMY_DATABASE_URI=sqlite_url,
            REDIS_URL=server.url,
            REDIS_SSL_CERT_REQS="required",
        )
        assert strict.test_client().get("/api/ready").status_code == 503
