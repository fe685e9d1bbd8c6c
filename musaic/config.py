"""Typed settings read from the environment (and `.env`), one profile each, checked at start-up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from musaic.config_checks import DEFAULT_SECRET_KEY, ConfigurationError, validate

__all__ = [
    "DEFAULT_SECRET_KEY",
    "ConfigurationError",
    "EnvSettings",
    "load_config",
    "normalise_database_url",
    "validate",
]

PROJECT_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_DIR / "instance"


def normalise_database_url(url: str) -> str:
    """Make a postgres:// or postgresql:// URL use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _default_data_dir() -> str:
    shared = PROJECT_DIR.parent / "shared" / "data"
    return str(shared) if shared.is_dir() else ""


class EnvSettings(BaseSettings):
    """Every variable Musaic reads; add a field here to add a setting (same name as the env)."""

    model_config = SettingsConfigDict(
        env_file=os.environ.get("MUSAIC_ENV_FILE", ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
        str_strip_whitespace=True,
        env_ignore_empty=True,
    )

    MUSAIC_ENV: str = "development"
    SECRET_KEY: SecretStr = SecretStr("")
    DATABASE_URL: str = ""
    REDIS_URL: str = ""
    REDIS_SSL_CERT_REQS: str = "none"
    REDIS_KEY_PREFIX: str = "musaic:"  # sessions, limits and the Spotify budget live under it
    CORS_ORIGINS: str = ""
    TOKEN_ENCRYPTION_KEY: SecretStr = SecretStr("")
    SPOTIFY_CLIENT_ID: str = ""
    SPOTIFY_CLIENT_SECRET: SecretStr = SecretStr("")
    SPOTIFY_REDIRECT_URI: str = "http://127.0.0.1:5000/api/auth/callback"
    SPOTIFY_API_BASE_URL: str = "https://api.spotify.com/v1"
    SPOTIFY_ACCOUNTS_BASE_URL: str = "https://accounts.spotify.com"
    SPOTIFY_MAX_RETRY_AFTER_SECONDS: int = Field(default=5, ge=0, le=60)
    SPOTIFY_REQUEST_BUDGET_SECONDS: float = Field(default=20.0, gt=0, le=300)
    SPOTIFY_DAILY_CALL_BUDGET: int = Field(default=0, ge=0)
    SPOTIFY_SEARCH_CACHE_SECONDS: int = Field(default=3600, ge=0)
    EXPORT_RESOLVE_BUDGET: int = Field(default=20, ge=0)  # Spotify searches per export (export)
    GUNICORN_TIMEOUT: int = Field(default=60, ge=5)
    MUSAIC_DATA_DIR: str = ""
    SESSION_DIR: str = ""
    SESSION_IDLE_MINUTES: int = Field(default=30, ge=1)
    SESSION_ABSOLUTE_HOURS: float = Field(default=12.0, gt=0)
    LOG_LEVEL: str = "INFO"
    PROXY_HOPS: int | None = Field(default=None, ge=0, le=10)
    DB_POOL_SIZE: int = Field(default=4, ge=1, le=100)  # one per gunicorn thread
    DB_MAX_OVERFLOW: int = Field(default=1, ge=0, le=100)
    DB_POOL_RECYCLE_SECONDS: int = Field(default=300, ge=10)
    DB_STATEMENT_TIMEOUT_MS: int = Field(default=0, ge=0)  # gunicorn.conf.py sets it for web
    RATE_LIMIT_GENERATE: str = "30 per minute;300 per day"
    RATE_LIMIT_SEARCH: str = "120 per minute"
    RATE_LIMIT_EXPORT: str = "10 per minute;100 per day"
    RATE_LIMIT_LOGIN: str = "10 per minute"
    RATE_LIMIT_ENABLED: bool = True
    METRICS_TOKEN: SecretStr = SecretStr("")
    API_DOCS: bool = False


def _secret(value: SecretStr) -> str:
    return value.get_secret_value()


def _read_environment() -> EnvSettings:
    try:
        return EnvSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"])
        raise ConfigurationError(f"{name}: {first['msg']}") from None


def _engine_options(env: EnvSettings, url: str) -> dict[str, Any]:
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options.update(
            pool_size=env.DB_POOL_SIZE,
            max_overflow=env.DB_MAX_OVERFLOW,
            pool_recycle=env.DB_POOL_RECYCLE_SECONDS,
            pool_timeout=5,
        )
        if env.DB_STATEMENT_TIMEOUT_MS:
            timeout = f"-c statement_timeout={env.DB_STATEMENT_TIMEOUT_MS}"
            options["connect_args"] = {"options": timeout}
    return options


def from_environment() -> dict[str, Any]:
    """Read every setting Musaic knows from the environment (development defaults)."""
    env = _read_environment()
    url = normalise_database_url(env.DATABASE_URL) or f"sqlite:///{INSTANCE_DIR / 'musaic.sqlite3'}"
    settings: dict[str, Any] = {
        name: _secret(value) if isinstance(value, SecretStr) else value for name, value in env
    }
    settings.update(
        ENV_NAME="development",
        TESTING=False,
        SECRET_KEY=settings["SECRET_KEY"] or DEFAULT_SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(env, url),
        CORS_ORIGINS=[o.strip().rstrip("/") for o in env.CORS_ORIGINS.split(",") if o.strip()],
        MUSAIC_DATA_DIR=env.MUSAIC_DATA_DIR or _default_data_dir(),
        SESSION_DIR=env.SESSION_DIR or str(INSTANCE_DIR / "sessions"),
        LOG_LEVEL=env.LOG_LEVEL.upper(),
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="musaic_session",
        SESSION_COOKIE_SECURE=False,
        PERMANENT_SESSION_LIFETIME=env.SESSION_IDLE_MINUTES * 60,
        SESSION_ABSOLUTE_SECONDS=int(env.SESSION_ABSOLUTE_HOURS * 3600),
        SESSION_KEY_PREFIX=env.REDIS_KEY_PREFIX,
    )
    return settings


def _test_profile() -> dict[str, Any]:
    return {
        "ENV_NAME": "test",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": "",
        "SPOTIFY_DAILY_CALL_BUDGET": 0,
        "RATE_LIMIT_ENABLED": False,
    }


def _production_profile() -> dict[str, Any]:
    # __Host- cookies must be Secure, have Path=/ and no Domain: the browser enforces all three,
    # so a sibling subdomain can neither set nor overwrite the session cookie.
    return {
        "ENV_NAME": "production",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-musaic_session",
    }


PROFILES = {
    "development": dict,
    "test": _test_profile,
    "production": _production_profile,
}


def load_config(profile: str | None = None) -> dict[str, Any]:
    """Return the settings of `profile` (default: MUSAIC_ENV, else development)."""
    settings = from_environment()
    name = profile or str(settings.pop("MUSAIC_ENV") or "development")
    settings.pop("MUSAIC_ENV", None)
    if name not in PROFILES:
        raise ConfigurationError(f"MUSAIC_ENV must be one of {sorted(PROFILES)}, got {name!r}")
    settings.update(PROFILES[name]())
    return settings
