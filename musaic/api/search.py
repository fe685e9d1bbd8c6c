"""GET /api/search: tracks from the catalog, merged with Spotify for a logged-in listener."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from musaic.api.schemas import ErrorEnvelope, Page, page_out
from musaic.api.spotify_context import listener_client
from musaic.api.tracks import TrackOut, track_out
from musaic.services import search

bp = APIBlueprint("search", __name__, url_prefix="/api", abp_tags=[Tag(name="search")])


class SearchQuery(BaseModel):
    """Words (prefix and typo tolerant) plus optional artist:"Name" and year:1990-1999."""

    q: str = Field(min_length=1, max_length=200, description="e.g. bohemian rhap")
    limit: int = Field(default=20, ge=1, le=search.MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=10_000)


class SearchSources(BaseModel):
    """Which sources answered: catalog "ok"; spotify "ok", "skipped", "rate_limited"..."""

    catalog: str
    spotify: str


class SearchPage(Page[TrackOut]):
    """A page of matching tracks, best first, with the sources that answered."""

    sources: SearchSources


@bp.get("/search", responses={200: SearchPage, 400: ErrorEnvelope})
def search_tracks(query: SearchQuery) -> dict[str, Any]:
    """Search tracks by title, artist and album words, with artist: and year: filters."""
    results = search.search_tracks(
        query.q, limit=query.limit, offset=query.offset, spotify=listener_client()
    )
    items = [track_out(t) for t in results.items]
    return page_out(items, results.total, results.limit, results.offset, sources=results.sources)
