"""Settings read from the environment, one profile each, validated at start-up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"
PROJECT_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_DIR / "instance"


class ConfigurationError(RuntimeError):
    """A setting is missing or unsafe for the chosen profile."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _int_env(name: str, default: int) -> int:
    raw = _env(name)
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc


def normalise_database_url(url: str) -> str:
    """Make a postgres:// or postgresql:// URL use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _default_data_dir() -> str:
    shared = PROJECT_DIR.parent / "shared" / "data"
    return str(shared) if shared.is_dir() else ""


def from_environment() -> dict[str, Any]:
    """Read every setting Musaic knows from the environment (development defaults)."""
    return {
        "ENV_NAME": "development",
        "TESTING": False,
        "SECRET_KEY": _env("SECRET_KEY") or DEFAULT_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(_env("DATABASE_URL"))
        or f"sqlite:///{INSTANCE_DIR / 'musaic.sqlite3'}",
        "REDIS_URL": _env("REDIS_URL"),
        "CORS_ORIGINS": [o.strip() for o in _env("CORS_ORIGINS").split(",") if o.strip()],
        "TOKEN_ENCRYPTION_KEY": _env("TOKEN_ENCRYPTION_KEY"),
        "SPOTIFY_CLIENT_ID": _env("SPOTIFY_CLIENT_ID"),
        "SPOTIFY_CLIENT_SECRET": _env("SPOTIFY_CLIENT_SECRET"),
        "SPOTIFY_REDIRECT_URI": _env(
            "SPOTIFY_REDIRECT_URI", "http://127.0.0.1:5000/api/auth/callback"
        ),
        "SPOTIFY_API_BASE_URL": _env("SPOTIFY_API_BASE_URL", "https://api.spotify.com/v1"),
        "SPOTIFY_ACCOUNTS_BASE_URL": _env(
            "SPOTIFY_ACCOUNTS_BASE_URL", "https://accounts.spotify.com"
        ),
        "SPOTIFY_MAX_RETRY_AFTER_SECONDS": _int_env("SPOTIFY_MAX_RETRY_AFTER_SECONDS", 5),
        "EXPORT_RESOLVE_BUDGET": _int_env("EXPORT_RESOLVE_BUDGET", 20),
        "MUSAIC_DATA_DIR": _env("MUSAIC_DATA_DIR") or _default_data_dir(),
        "SESSION_DIR": _env("SESSION_DIR") or str(INSTANCE_DIR / "sessions"),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO").upper(),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "musaic_session",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 14,
    }


def _test_profile() -> dict[str, Any]:
    return {
        "ENV_NAME": "test",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "REDIS_URL": "",
    }


def _production_profile() -> dict[str, Any]:
    return {"ENV_NAME": "production", "SESSION_COOKIE_SECURE": True}


PROFILES = {
    "development": dict,
    "test": _test_profile,
    "production": _production_profile,
}


def load_config(profile: str | None = None) -> dict[str, Any]:
    """Return the settings of `profile` (default: MUSAIC_ENV, else development)."""
    name = profile or _env("MUSAIC_ENV", "development")
    if name not in PROFILES:
        raise ConfigurationError(f"MUSAIC_ENV must be one of {sorted(PROFILES)}, got {name!r}")
    settings = from_environment()
    settings.update(PROFILES[name]())
    return settings


def validate(settings: dict[str, Any]) -> None:
    """Refuse to start a production app with an unsafe setting, naming the variable to set."""
    if settings.get("LOG_LEVEL") not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigurationError(
            f"LOG_LEVEL must be a logging level, got {settings['LOG_LEVEL']!r}"
        )
    if settings.get("ENV_NAME") != "production":
        return
    problems = []
    secret = str(settings.get("SECRET_KEY", ""))
    if secret == DEFAULT_SECRET_KEY or len(secret) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if str(settings.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("DATABASE_URL must point at PostgreSQL (SQLite is for development only)")
    if not settings.get("REDIS_URL"):
        problems.append("REDIS_URL must be set (sessions and caches are shared through Redis)")
    if not settings.get("TOKEN_ENCRYPTION_KEY"):
        problems.append("TOKEN_ENCRYPTION_KEY must be set (Fernet key for Spotify tokens at rest)")
    if problems:
        raise ConfigurationError("Refusing to start in production: " + "; ".join(problems))
