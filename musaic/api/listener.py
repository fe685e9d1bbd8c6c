"""GET /api/me/tracks: the listener's recently played or top Spotify tracks, to pick a seed."""

from __future__ import annotations

from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from musaic.api.schemas import ErrorEnvelope, Page, page_out
from musaic.api.spotify_context import listener_client
from musaic.api.tracks import TrackOut, track_out
from musaic.errors import UnauthorisedError
from musaic.services import listener

bp = APIBlueprint("listener", __name__, url_prefix="/api", abp_tags=[Tag(name="auth")])


class ListeningQuery(BaseModel):
    """Which of the listener's tracks: "recent" (recently played) or "top" (last weeks)."""

    source: Literal["recent", "top"] = "recent"
    limit: int = Field(default=20, ge=1, le=listener.MAX_LISTENING_TRACKS)


class ListeningPage(Page[TrackOut]):
    """The listener's tracks, now in the catalog, newest (or most played) first."""

    source: str


@bp.get(
    "/me/tracks",
    responses={200: ListeningPage, 400: ErrorEnvelope, 401: ErrorEnvelope, 503: ErrorEnvelope},
)
def my_tracks(query: ListeningQuery) -> dict[str, Any]:
    """List the listener's recently played or top tracks (one Spotify call), kept as seeds."""
    client = listener_client()
    if client is None:
        raise UnauthorisedError("Log in with Spotify first.", code="not_logged_in")
    tracks = listener.listening_tracks(client, query.source, query.limit)
    return page_out(
        [track_out(t) for t in tracks], len(tracks), query.limit, 0, source=query.source
    )
