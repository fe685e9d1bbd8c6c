"""GET /api/tracks/{id}: one track by catalog id, Spotify id, URI or open.spotify.com URL."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, field_validator

from musaic.api.schemas import ErrorEnvelope, is_db_id
from musaic.api.spotify_context import listener_client
from musaic.errors import NotFoundError, field_error
from musaic.models import Track
from musaic.services import tracks
from musaic.services.track_details import TrackDetails
from musaic.spotify.refs import TRACK_REF_FORMATS, TRACK_REF_PATTERN, spotify_url

bp = APIBlueprint("tracks", __name__, url_prefix="/api", abp_tags=[Tag(name="tracks")])


class ArtistRefOut(BaseModel):
    """A credited artist."""

    id: int
    name: str
    spotify_id: str | None


class AlbumRefOut(BaseModel):
    """The album a track is on."""

    id: int
    name: str
    spotify_id: str | None


class TrackOut(BaseModel):
    """A catalog track with its credits and album."""

    id: int
    title: str
    artists: list[ArtistRefOut]
    album: AlbumRefOut | None
    year: int | None
    duration_ms: int | None
    explicit: bool | None
    popularity: int | None
    spotify_id: str | None
    spotify_url: str | None
    isrc: str | None


class TrackPath(BaseModel):
    """A catalog id, a Spotify id, a spotify:track: URI or an open.spotify.com URL."""

    ref: str = Field(
        min_length=1, max_length=300, json_schema_extra={"pattern": TRACK_REF_PATTERN.pattern}
    )

    @field_validator("ref")
    @classmethod
    def _readable(cls, value: str) -> str:
        if not TRACK_REF_PATTERN.fullmatch(value):
            raise field_error("id", f"must be {TRACK_REF_FORMATS}")
        return value


def track_out(track: Track | TrackDetails) -> dict[str, Any]:
    """Shape one track for JSON."""
    album = track.album
    return {
        "id": track.id,
        "title": track.title,
        "artists": [
            {"id": a.id, "name": a.name, "spotify_id": a.spotify_id} for a in track.artists
        ],
        "album": {"id": album.id, "name": album.name, "spotify_id": album.spotify_id}
        if album
        else None,
        "year": track.release_year or (album.release_year if album else None),
        "duration_ms": track.duration_ms,
        "explicit": track.explicit,
        "popularity": track.popularity,
        "spotify_id": track.spotify_id,
        "spotify_url": spotify_url(track.spotify_id) if track.spotify_id else None,
        "isrc": track.isrc,
    }


@bp.get(
    "/tracks/<path:ref>",
    responses={200: TrackOut, 400: ErrorEnvelope, 404: ErrorEnvelope},
)
def get_track(path: TrackPath) -> dict[str, Any]:
    """Return one track; a Spotify id not yet in the catalog is fetched for a logged-in listener."""
    if path.ref.isdigit() and not is_db_id(path.ref):
        raise NotFoundError(f"no track {path.ref!r}", details={"id": path.ref})  # beyond any id
    return track_out(tracks.get_track(path.ref, spotify=listener_client()))
