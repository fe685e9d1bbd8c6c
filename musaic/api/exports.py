"""Save a playlist to Spotify (POST .../export) and download it as M3U8, CSV or JSPF."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g
from flask_openapi3 import APIBlueprint, Tag

from musaic.api.identity import current_listener
from musaic.api.playlist_schemas import ExportIn, ExportOut, PlaylistFilePath, PlaylistPath
from musaic.api.schemas import ErrorEnvelope
from musaic.api.spotify_context import listener_client
from musaic.services import export, export_files
from musaic.services.export_details import ExportRequest
from musaic.services.export_tracks import unresolved_out

bp = APIBlueprint("exports", __name__, url_prefix="/api", abp_tags=[Tag(name="playlists")])

EXPORT_ERRORS: dict[Any, Any] = {code: ErrorEnvelope for code in (400, 401, 404, 409, 502, 503)}


@bp.post(
    "/playlists/<int:playlist_id>/export",
    responses={200: ExportOut, 201: ExportOut, **EXPORT_ERRORS},
)
def export_playlist(path: PlaylistPath, body: ExportIn) -> tuple[dict[str, Any], int]:
    """Save the playlist to the listener's Spotify account: created once, then updated in place."""
    result = export.export_to_spotify(
        path.playlist_id,
        current_listener(),
        listener_client(),
        ExportRequest(name=body.name, description=body.description, public=body.public),
        resolve_budget=int(current_app.config.get("EXPORT_RESOLVE_BUDGET", 20)),
    )
    shaped = {
        "spotify_playlist": {
            "id": result.spotify_id,
            "url": result.url,
            "uri": result.uri,
            "snapshot_id": result.snapshot_id,
        },
        "created": result.created,
        "written": result.written,
        "unresolved": unresolved_out(result.unresolved),
        "spotify_calls": int(g.get("spotify_calls", 0)),
        "notes": result.notes,
    }
    return shaped, 201 if result.created else 200


@bp.get(
    "/playlists/<int:playlist_id>/export.<file_format>",
    responses={200: None, 400: ErrorEnvelope, 404: ErrorEnvelope},
)
def download_playlist(path: PlaylistFilePath) -> Response:
    """Download one of the listener's playlists as an M3U8, Exportify CSV or JSPF file."""
    rendered = export_files.listener_file(path.playlist_id, current_listener(), path.file_format)
    response = Response(rendered.content, content_type=rendered.media_type)
    response.headers["Content-Disposition"] = rendered.content_disposition
    return response
