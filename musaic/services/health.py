"""Dependency checks behind the readiness probe."""

from __future__ import annotations

import redis
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from musaic.errors import ServiceUnavailableError
from musaic.extensions import db


def check_dependencies(redis_url: str, ssl_cert_reqs: str = "none") -> dict[str, str]:
    """Ping the database and Redis (when configured); raise 503 naming the first failure."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise _unavailable("database", exc) from exc
    if redis_url:
        try:
            tls = {"ssl_cert_reqs": ssl_cert_reqs} if redis_url.startswith("rediss://") else {}
            redis.Redis.from_url(
                redis_url, socket_connect_timeout=1, socket_timeout=1, **tls
            ).ping()
            checks["redis"] = "ok"
        except redis.RedisError as exc:
            raise _unavailable("redis", exc) from exc
    return checks


def _unavailable(dependency: str, exc: Exception) -> ServiceUnavailableError:
    return ServiceUnavailableError(
        f"{dependency} is not answering",
        code="dependency_unavailable",
        details={"dependency": dependency, "reason": type(exc).__name__},
    )
