"""GET /api/artists/{id}: an artist with its catalog tracks and tags."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from musaic.api.schemas import DbId, ErrorEnvelope
from musaic.api.tracks import TrackOut, track_out
from musaic.services import tracks
from musaic.spotify.refs import spotify_url

bp = APIBlueprint("artists", __name__, url_prefix="/api", abp_tags=[Tag(name="artists")])


class ArtistPath(BaseModel):
    """Our artist id."""

    artist_id: DbId


class TagOut(BaseModel):
    """A tag on an artist, with its weight and source."""

    name: str
    weight: float
    source: str


class ArtistOut(BaseModel):
    """An artist, its tags and its catalog tracks (most prominent first)."""

    id: int
    name: str
    spotify_id: str | None
    spotify_url: str | None
    tags: list[TagOut]
    tracks: list[TrackOut]


@bp.get(
    "/artists/<int:artist_id>",
    responses={200: ArtistOut, 400: ErrorEnvelope, 404: ErrorEnvelope},
)
def get_artist(path: ArtistPath) -> dict[str, Any]:
    """Return one artist with its tags and up to 200 of its catalog tracks."""
    detail = tracks.get_artist(path.artist_id)
    artist = detail.artist
    return {
        "id": artist.id,
        "name": artist.name,
        "spotify_id": artist.spotify_id,
        "spotify_url": spotify_url(artist.spotify_id, "artist") if artist.spotify_id else None,
        "tags": [{"name": t.tag.name, "weight": t.weight, "source": t.source} for t in detail.tags],
        "tracks": [track_out(t) for t in detail.tracks],
    }
