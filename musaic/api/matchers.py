"""GET /api/matchers: the playlist strategies a listener can choose from."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from musaic.matching.registry import DEFAULT_MATCHER, MATCHERS

bp = APIBlueprint("matchers", __name__, url_prefix="/api", abp_tags=[Tag(name="playlists")])


class MatcherOut(BaseModel):
    """One matcher: its registry name, what it does, and the signals it reads."""

    name: str
    description: str
    signals: list[str]
    default: bool


class MatchersOut(BaseModel):
    """Every registered matcher."""

    items: list[MatcherOut]
    total: int


@bp.get("/matchers", responses={200: MatchersOut})
def list_matchers() -> dict[str, Any]:
    """List every registered matcher, the default first."""
    items = [
        {
            "name": name,
            "description": matcher.description,
            "signals": list(matcher.signals),
            "default": name == DEFAULT_MATCHER,
        }
        for name, matcher in MATCHERS.items()
    ]
    return {"items": items, "total": len(items)}
