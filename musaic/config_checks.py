"""Start-up checks: a production app refuses to start on an unsafe setting, naming the variable."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from limits import parse_many

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
RATE_LIMIT_KEYS = tuple(f"RATE_LIMIT_{g}" for g in ("GENERATE", "SEARCH", "EXPORT", "LOGIN"))

Check = Callable[[Mapping[str, Any]], str | None]


class ConfigurationError(RuntimeError):
    """A setting is missing or unsafe for the chosen profile."""


def _is_loopback_ip(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret_key(s: Mapping[str, Any]) -> str | None:
    secret = str(s.get("SECRET_KEY", ""))
    if secret == DEFAULT_SECRET_KEY or len(secret) < 32:
        return "SECRET_KEY must be set to a random value of at least 32 characters"
    return None


def _database(s: Mapping[str, Any]) -> str | None:
    if str(s.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        return "DATABASE_URL must point at PostgreSQL (SQLite is for development only)"
    return None


def _redis(s: Mapping[str, Any]) -> str | None:
    if not s.get("REDIS_URL"):
        return "REDIS_URL must be set (sessions, limits and caches are shared through Redis)"
    return None


def _token_key(s: Mapping[str, Any]) -> str | None:
    key = str(s.get("TOKEN_ENCRYPTION_KEY") or "")
    if not key:
        return "TOKEN_ENCRYPTION_KEY must be set (Fernet key for Spotify tokens at rest)"
    for part in key.split(","):
        try:
            Fernet(part.strip().encode())
        except (ValueError, TypeError):
            return "TOKEN_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64 bytes)"
    if key == str(s.get("SECRET_KEY", "")) or str(s.get("SECRET_KEY", "")) in key.split(","):
        return "SECRET_KEY must differ from TOKEN_ENCRYPTION_KEY (one leak must not give both)"
    return None


def _redirect_uri(s: Mapping[str, Any]) -> str | None:
    uri = str(s.get("SPOTIFY_REDIRECT_URI", ""))
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and _is_loopback_ip(parts.hostname or ""):
        return None
    return f"SPOTIFY_REDIRECT_URI must be an https:// URL (got {uri!r})"


def _cors(s: Mapping[str, Any]) -> str | None:
    if any("*" in origin for origin in s.get("CORS_ORIGINS", [])):
        return "CORS_ORIGINS must list exact origins, not * (credentials are allowed)"
    return None


PRODUCTION_CHECKS: tuple[Check, ...] = (
    _secret_key,
    _database,
    _redis,
    _token_key,
    _redirect_uri,
    _cors,
)


def _always(settings: Mapping[str, Any]) -> list[str]:
    problems = []
    if settings.get("LOG_LEVEL") not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL must be a logging level, got {settings.get('LOG_LEVEL')!r}")
    for key in RATE_LIMIT_KEYS:
        try:
            parse_many(str(settings.get(key) or "1 per second"))
        except ValueError:
            problems.append(f"{key} must be in Flask-Limiter notation, got {settings.get(key)!r}")
    budget = float(settings.get("SPOTIFY_REQUEST_BUDGET_SECONDS", 20))
    timeout = float(settings.get("GUNICORN_TIMEOUT", 60))
    if budget + 5 > timeout:
        problems.append(
            "SPOTIFY_REQUEST_BUDGET_SECONDS must stay at least 5 s below GUNICORN_TIMEOUT"
        )
    return problems


def validate(settings: Mapping[str, Any]) -> None:
    """Refuse to start with an unsafe setting (production: every check), naming the variable."""
    problems = _always(settings)
    if settings.get("ENV_NAME") == "production":
        problems += [p for p in (check(settings) for check in PRODUCTION_CHECKS) if p]
    if problems:
        raise ConfigurationError("Refusing to start: " + "; ".join(problems))
