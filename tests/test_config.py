"""Configuration profiles and the production safety checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from musaic import create_app
from musaic.config import ConfigurationError, load_config, normalise_database_url
from musaic.extensions import redis_connection

SAFE_PRODUCTION = {
    "SECRET_KEY": "x" * 48,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://musaic@db/musaic",
    "REDIS_URL": "redis://cache:6379/0",
    "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "SPOTIFY_REDIRECT_URI": "https://musaic.example/api/auth/callback",
}


@pytest.mark.parametrize(
    "override, variable",
    [
        ({"SECRET_KEY": "dev-only-insecure-secret-key"}, "SECRET_KEY"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}, "DATABASE_URL"),
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"TOKEN_ENCRYPTION_KEY": ""}, "TOKEN_ENCRYPTION_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"TOKEN_ENCRYPTION_KEY": "not-a-fernet-key"}, "TOKEN_ENCRYPTION_KEY"),
        ({"SPOTIFY_REDIRECT_URI": "http://localhost:5000/api/auth/callback"}, "REDIRECT_URI"),
        ({"SPOTIFY_REDIRECT_URI": "http://musaic.example/cb"}, "SPOTIFY_REDIRECT_URI"),
        ({"SPOTIFY_REDIRECT_URI": "musaic.example/cb"}, "SPOTIFY_REDIRECT_URI"),
        ({"CORS_ORIGINS": ["*"]}, "CORS_ORIGINS"),
        ({"CORS_ORIGINS": ["https://a.example", "https://*.example"]}, "CORS_ORIGINS"),
    ],
)
def test_production_refuses_unsafe_settings_naming_the_variable(
    override: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        create_app("production", **{**SAFE_PRODUCTION, **override})


def test_production_starts_with_safe_settings() -> None:
    app = create_app("production", **SAFE_PRODUCTION)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_TYPE"] == "redis"


def test_development_defaults_to_sqlite_under_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_config("development")
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert settings["SQLALCHEMY_DATABASE_URI"].endswith("instance/musaic.sqlite3")


def test_environment_is_read_at_load_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/d")
    monkeypatch.setenv("CORS_ORIGINS", "http://127.0.0.1:5173, https://musaic.example")
    settings = load_config("development")
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/d"
    assert settings["CORS_ORIGINS"] == ["http://127.0.0.1:5173", "https://musaic.example"]


def test_unknown_profile_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSAIC_ENV", "staging")
    with pytest.raises(ConfigurationError, match="MUSAIC_ENV"):
        load_config()


def test_bad_log_level_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="LOG_LEVEL"):
        create_app("test", LOG_LEVEL="LOUD")


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgres://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgresql://a@b/c", "postgresql+psycopg://a@b/c"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(url: str, expected: str) -> None:
    assert normalise_database_url(url) == expected


def test_production_refuses_a_secret_key_equal_to_the_token_key() -> None:
    key = Fernet.generate_key().decode()  # 44 characters: long enough to pass as a SECRET_KEY
    with pytest.raises(ConfigurationError, match="SECRET_KEY must differ from TOKEN_ENCRYPTION"):
        create_app(
            "production", **{**SAFE_PRODUCTION, "SECRET_KEY": key, "TOKEN_ENCRYPTION_KEY": key}
        )


def test_production_names_every_problem_at_once() -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_app("production", SECRET_KEY="", TOKEN_ENCRYPTION_KEY="", REDIS_URL="")
    for variable in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TOKEN_ENCRYPTION_KEY"):
        assert variable in str(caught.value)


def test_loopback_ip_redirect_is_allowed_in_production() -> None:
    uri = "http://127.0.0.1:8000/api/auth/callback"
    app = create_app("production", **{**SAFE_PRODUCTION, "SPOTIFY_REDIRECT_URI": uri})
    assert app.config["SPOTIFY_REDIRECT_URI"] == uri


@pytest.mark.parametrize(
    "variable, value",
    [
        ("RATE_LIMIT_SEARCH", "lots per minute"),
        ("SPOTIFY_REQUEST_BUDGET_SECONDS", 58),
    ],
)
def test_every_profile_refuses_unusable_limits(variable: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        create_app("test", **{variable: value})


def test_badly_typed_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPOTIFY_DAILY_CALL_BUDGET", "many")
    with pytest.raises(ConfigurationError, match="SPOTIFY_DAILY_CALL_BUDGET"):
        load_config("development")


def test_settings_are_read_from_a_dotenv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgres://u@h:5432/d\nRATE_LIMIT_SEARCH=7 per minute\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_config("development")
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h:5432/d"
    assert settings["RATE_LIMIT_SEARCH"] == "7 per minute"


def test_postgres_pool_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/d")
    monkeypatch.setenv("DB_POOL_SIZE", "8")
    options = load_config("production")["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    assert options["pool_size"] == 8
    assert options["pool_recycle"] == 300


def test_rediss_url_accepts_a_self_signed_certificate_by_default() -> None:
    connection = redis_connection({"REDIS_URL": "rediss://:pw@cache.example:6380/0"})
    kwargs = connection.connection_pool.connection_kwargs
    assert kwargs["ssl_cert_reqs"] == "none"
    strict = redis_connection(
        {"REDIS_URL": "rediss://cache.example:6380/0", "REDIS_SSL_CERT_REQS": "required"}
    )
    assert strict.connection_pool.connection_kwargs["ssl_cert_reqs"] == "required"
    plain = redis_connection({"REDIS_URL": "redis://cache.example:6379/0"})
    assert "ssl_cert_reqs" not in plain.connection_pool.connection_kwargs


def test_a_statement_timeout_cancels_a_long_query(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from musaic.extensions import db

    monkeypatch.setenv("DB_STATEMENT_TIMEOUT_MS", "300")
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    settings = load_config("development")
    app = create_app(settings)
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        with pytest.raises(OperationalError, match="statement timeout"):
            db.session.execute(text("SELECT pg_sleep(3)"))
        db.session.rollback()
        db.engine.dispose()
