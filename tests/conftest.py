"""Fixtures: an app and client per database backend, a clean database for every test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import requests
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import text

from musaic import create_app
from musaic.extensions import db

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_DATA_DIR = REPO_DIR.parent / "shared" / "data"
REQUIRE_SERVICES = os.environ.get("MUSAIC_REQUIRE_SERVICES") == "1"
TEST_PG_URL = os.environ.get(
    "MUSAIC_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TEST_REDIS_URL = os.environ.get("MUSAIC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def service_missing(reason: str) -> None:
    """Skip a test that needs a live service, or fail it when services are required (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (MUSAIC_REQUIRE_SERVICES=1 turns this skip into a failure)")
    pytest.skip(reason)


def _pg_admin_dsn() -> str:
    return TEST_PG_URL.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Create a private PostgreSQL database for this test run, migrated, and drop it after."""
    name = f"musaic_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        service_missing(f"PostgreSQL is not answering at {TEST_PG_URL}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = _pg_admin_dsn().rsplit("/", 1)[0]
    url = f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    _migrate(url)
    yield url
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Create a migrated SQLite file for this test run."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'musaic.sqlite3'}"
    _migrate(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Return the test Redis URL, or skip/fail when Redis is not answering."""
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis is not answering at {TEST_REDIS_URL}: {exc}")
    return TEST_REDIS_URL


def _migrate(url: str) -> None:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Run a test once on the embedded default and once on PostgreSQL + Redis."""
    return str(request.param)


def make_app(backend: str, request: pytest.FixtureRequest, tmp_path: Path, **overrides: Any) -> Any:
    """Build a test app on `backend` with its database emptied."""
    if backend == "postgres":
        settings: dict[str, Any] = {
            "SQLALCHEMY_DATABASE_URI": request.getfixturevalue("postgres_url"),
            "REDIS_URL": request.getfixturevalue("redis_url"),
            "SESSION_KEY_PREFIX": f"musaic-test-{uuid.uuid4().hex[:8]}:",
        }
    else:
        settings = {
            "SQLALCHEMY_DATABASE_URI": request.getfixturevalue("sqlite_url"),
            "SESSION_DIR": str(tmp_path / "sessions"),
        }
    settings.update(overrides)
    app = create_app("test", **settings)
    with app.app_context():
        _empty_all_tables()
    return app


@pytest.fixture
def app(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A Musaic app on a clean database of the current backend."""
    application = make_app(backend, request, tmp_path)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Any) -> FlaskClient:
    """A test client for `app`."""
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> FlaskCliRunner:
    """A CLI runner for `app`."""
    return app.test_cli_runner()


@pytest.fixture
def app_context(app: Any) -> Iterator[None]:
    """Push an application context so tests can use the database session."""
    with app.app_context():
        yield


@pytest.fixture(scope="session")
def spotify_standin() -> Iterator[Any]:
    """Serve the Spotify stand-in (3,000 TidyTuesday rows) on a loopback port for the run."""
    from tests.spotify_standin import SpotifyStandIn

    if not (SHARED_DATA_DIR / "tidytuesday_spotify_songs").is_dir():
        pytest.skip(f"the TidyTuesday data is not at {SHARED_DATA_DIR}")
    with SpotifyStandIn(row_limit=3000) as standin:
        yield standin


@pytest.fixture
def standin(spotify_standin: Any) -> Iterator[Any]:
    """The shared stand-in with no faults, requests or playlists left over."""
    spotify_standin.reset()
    yield spotify_standin
    spotify_standin.reset()


def spotify_settings(standin: Any, redirect_uri: str) -> dict[str, Any]:
    """Return the settings that point Musaic at the stand-in."""
    return {
        "SPOTIFY_CLIENT_ID": standin.accounts.client_id,
        "SPOTIFY_CLIENT_SECRET": standin.accounts.client_secret,
        "SPOTIFY_REDIRECT_URI": redirect_uri,
        "SPOTIFY_API_BASE_URL": standin.api_base_url,
        "SPOTIFY_ACCOUNTS_BASE_URL": standin.accounts_base_url,
        "TOKEN_ENCRYPTION_KEY": "HrTRVSTWp-1iVNbJqKVDj4KKR1bLwkvhz7bThG43LDk=",
    }


class LiveServer:
    """Serve a Musaic app on a free 127.0.0.1 port in a background thread."""

    def __init__(self, app: Any) -> None:
        import threading

        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        """Start serving."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live(
    backend: str, request: pytest.FixtureRequest, tmp_path: Any, standin: Any
) -> Iterator[Any]:
    """Serve Musaic for real on 127.0.0.1, pointed at the Spotify stand-in."""
    app = make_app(backend, request, tmp_path, **spotify_settings(standin, "http://x/"))
    server = LiveServer(app)
    app.config["SPOTIFY_REDIRECT_URI"] = f"{server.url}/api/auth/callback"
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def log_in(live: Any, next_path: str = "/api/auth/status") -> requests.Session:
    """Log a fresh browser session in through the whole Spotify dance; return it."""
    browser = requests.Session()
    response = browser.get(f"{live.url}/api/auth/login", params={"next": next_path}, timeout=10)
    assert response.status_code == 200, response.text
    return browser
