"""Configuration profiles and the production safety checks."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from musaic import create_app
from musaic.config import ConfigurationError, load_config, normalise_database_url

SAFE_PRODUCTION = {
    "SECRET_KEY": "x" * 48,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://musaic@db/musaic",
    "REDIS_URL": "redis://cache:6379/0",
    "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
}


@pytest.mark.parametrize(
    "override, variable",
    [
        ({"SECRET_KEY": "dev-only-insecure-secret-key"}, "SECRET_KEY"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}, "DATABASE_URL"),
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"TOKEN_ENCRYPTION_KEY": ""}, "TOKEN_ENCRYPTION_KEY"),
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
