"""A database or session store that is down or locked: a fast 503 and nothing half-written."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from musaic import create_app
from musaic.extensions import db
from musaic.models import Playlist
from tests.catalog_world.standard import standard_world
from tests.conftest import make_app
from tests.production.servers import free_port

WORKER_TIMEOUT_S = 30  # gunicorn's: every answer below must come well before it


def _playlist_count(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Playlist.id))) or 0


def _assert_database_503(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "database_unavailable"
    assert error["details"]["dependency"] == "database"
    assert int(response.headers["Retry-After"]) > 0


def test_anonymous_generate_with_redis_down_saves_nothing(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    app = make_app(backend, request, tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    with app.app_context():
        world = standard_world(with_index=False)
    response = app.test_client().post("/api/playlists", json={"seed": world.seed, "length": 5})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "session_store_unavailable"
    assert _playlist_count(app) == 0


def test_unreachable_postgres_is_a_503_on_every_data_route() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/musaic"
    client = create_app("test", SQLALCHEMY_DATABASE_URI=url).test_client()
    calls = [
        ("get", "/api/playlists", {}),
        ("post", "/api/playlists", {"json": {"seed": 1}}),
        ("get", "/api/playlists/1", {}),
        ("patch", "/api/playlists/1", {"json": {"name": "x"}}),
        ("delete", "/api/playlists/1", {}),
        ("get", "/api/tracks/1", {}),
        ("get", "/api/artists/1", {}),
        ("get", "/api/search?q=love", {}),
    ]
    for method, path, kwargs in calls:
        started = time.monotonic()
        _assert_database_503(getattr(client, method)(path, **kwargs))
        assert time.monotonic() - started < WORKER_TIMEOUT_S / 2, path
    ready = client.get("/api/ready")
    assert ready.status_code == 503
    assert ready.get_json()["error"]["details"]["dependency"] == "database"
    assert client.get("/api/health").status_code == 200


def test_sqlite_locked_by_a_writer_is_a_503_then_recovers(
    sqlite_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    app = make_app("sqlite", request, tmp_path)
    with app.app_context():
        world = standard_world(with_index=False)
    client = app.test_client()
    importer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")  # what an import holds while it writes
    try:
        started = time.monotonic()
        _assert_database_503(client.post("/api/playlists", json={"seed": world.seed}))
        assert time.monotonic() - started < WORKER_TIMEOUT_S / 2
        assert client.get("/api/playlists").status_code == 200  # readers go on (WAL)
    finally:
        importer.execute("ROLLBACK")
        importer.close()
    assert client.post("/api/playlists", json={"seed": world.seed}).status_code == 201
    assert _playlist_count(app) == 1
    with app.app_context():
        db.engine.dispose()
