"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from musaic.api.schemas import ErrorEnvelope
from musaic.services import health

bp = APIBlueprint("health", __name__, url_prefix="/api", abp_tags=[Tag(name="health")])


class HealthOut(BaseModel):
    """The process is up."""

    status: str


class ReadyOut(BaseModel):
    """Every dependency answered."""

    status: str
    checks: dict[str, str]


@bp.get("/health", responses={200: HealthOut})
def get_health() -> dict[str, Any]:
    """Say that the process is alive (touches no database, Redis or session)."""
    return {"status": "ok"}


@bp.get("/ready", responses={200: ReadyOut, 503: ErrorEnvelope})
def get_ready() -> dict[str, Any]:
    """Check the database and, when configured, Redis; 503 names what failed."""
    config = current_app.config
    checks = health.check_dependencies(
        config.get("REDIS_URL", ""), config.get("REDIS_SSL_CERT_REQS") or "none"
    )
    return {"status": "ready", "checks": checks}
