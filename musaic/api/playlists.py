"""/api/playlists: generate a playlist from a seed, list, read, edit and delete playlists."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from musaic.api.identity import current_listener
from musaic.api.playlist_schemas import (
    GenerateIn,
    PlaylistOut,
    PlaylistPageOut,
    PlaylistPatch,
    PlaylistPath,
    PlaylistsQuery,
)
from musaic.api.schemas import ErrorEnvelope, is_db_id, page_out, utc_iso
from musaic.api.spotify_context import listener_client
from musaic.api.tracks import track_out
from musaic.errors import NotFoundError
from musaic.matching.postprocess import Options
from musaic.models import Playlist
from musaic.services import playlists
from musaic.services.playlists import GenerateRequest, SavedPlaylist
from musaic.spotify.refs import spotify_url

bp = APIBlueprint("playlists", __name__, url_prefix="/api", abp_tags=[Tag(name="playlists")])

ERRORS: dict[str | int, type[BaseModel] | dict[Any, Any] | None] = {
    400: ErrorEnvelope,
    404: ErrorEnvelope,
}


def playlist_out(
    playlist: Playlist | SavedPlaylist, notes: list[str] | None = None
) -> dict[str, Any]:
    """Shape a playlist with its tracks for JSON."""
    seed = next((i.track for i in playlist.items if i.track_id == playlist.seed_track_id), None)
    return {
        "id": playlist.id,
        "name": playlist.name,
        "seed_track": track_out(seed) if seed else None,
        "matcher": playlist.matcher,
        "options": playlist.options,
        "created_at": utc_iso(playlist.created_at),
        "items": [
            {
                "position": item.position,
                "track": track_out(item.track),
                "score": item.score,
                "reasons": item.reasons or [],
            }
            for item in playlist.items
        ],
        "notes": notes or [],
        "spotify_playlist": {
            "id": playlist.spotify_playlist_id,
            "url": spotify_url(playlist.spotify_playlist_id, "playlist"),
        }
        if playlist.spotify_playlist_id
        else None,
        "exported_at": playlist.exported_at.isoformat() if playlist.exported_at else None,
    }


def _server_timing(timings: dict[str, float]) -> str:
    total = sum(timings.values())
    parts = [f"total;dur={total:.1f}"]
    parts.extend(f"{name};dur={value:.1f}" for name, value in timings.items())
    return ", ".join(parts)


@bp.post(
    "/playlists", responses={201: PlaylistOut, 422: ErrorEnvelope, 502: ErrorEnvelope, **ERRORS}
)
def create_playlist(body: GenerateIn) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Generate a playlist from one seed track and save it to the listener's history."""
    if isinstance(body.seed, str) and body.seed.isdigit() and not is_db_id(body.seed):
        raise NotFoundError(f"No track {body.seed} in the catalog.", code="seed_not_found")
    options = body.options
    request = GenerateRequest(
        seed=body.seed,
        length=body.length,
        matcher=body.matcher,
        name=body.name,
        options=Options.from_json(options.model_dump()),
    )
    listener = current_listener(start_history=True)
    playlist, generated = playlists.generate_playlist(request, listener, spotify=listener_client())
    headers = {"Server-Timing": _server_timing(generated.timings)}
    return playlist_out(playlist, generated.notes), 201, headers


@bp.get("/playlists", responses={200: PlaylistPageOut, **ERRORS})
def list_playlists(query: PlaylistsQuery) -> dict[str, Any]:
    """List the listener's playlists (or this browser session's), newest first."""
    rows, total = playlists.list_playlists(
        current_listener(), limit=query.limit, offset=query.offset
    )
    items = [
        {
            "id": p.id,
            "name": p.name,
            "seed_track_id": p.seed_track_id,
            "matcher": p.matcher,
            "track_count": len(p.items),
            "created_at": utc_iso(p.created_at),
        }
        for p in rows
    ]
    return page_out(items, total, query.limit, query.offset)


@bp.get("/playlists/<int:playlist_id>", responses={200: PlaylistOut, **ERRORS})
def get_playlist(path: PlaylistPath) -> dict[str, Any]:
    """Return one of the listener's playlists (404 for anyone else's)."""
    return playlist_out(playlists.get_playlist(path.playlist_id, current_listener()))


@bp.patch("/playlists/<int:playlist_id>", responses={200: PlaylistOut, **ERRORS})
def update_playlist(path: PlaylistPath, body: PlaylistPatch) -> dict[str, Any]:
    """Rename a playlist, remove tracks from it, and/or reorder it."""
    playlist = playlists.update_playlist(
        path.playlist_id,
        current_listener(),
        name=body.name,
        remove_track_ids=body.remove_track_ids,
        order=body.order,
    )
    return playlist_out(playlist)


@bp.delete("/playlists/<int:playlist_id>", responses={204: None, **ERRORS})
def delete_playlist(path: PlaylistPath) -> tuple[str, int]:
    """Delete one of the listener's playlists."""
    playlists.delete_playlist(path.playlist_id, current_listener())
    return "", 204
