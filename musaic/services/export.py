"""Save a playlist to the listener's Spotify account: once, in place afterwards, safe to retry.

An attempt claims the playlist's export row, resolves missing Spotify ids, then creates the
Spotify playlist (first time) or updates it (later), and writes its items: PUT the first 100,
POST each further 100. Every step that changes Spotify is preceded by a commit of how far the
export got, so a retry after any failure resumes with the stored Spotify id (see export_state).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import update

from musaic.errors import UnauthorisedError
from musaic.extensions import db
from musaic.models import Playlist, PlaylistExport
from musaic.services import export_state
from musaic.services.export_details import Details, ExportRequest, export_details, with_marker
from musaic.services.export_state import Claim
from musaic.services.export_tracks import ExportTrack, TrackSearcher, export_tracks, resolve_missing
from musaic.services.listener import Listener
from musaic.services.playlists import get_playlist
from musaic.spotify.errors import SpotifyForbiddenError, SpotifyNotFoundError
from musaic.spotify.models import Page, SpotifyPlaylist
from musaic.spotify.refs import spotify_uri, spotify_url

MARKER_SCAN_PAGES = 4  # GET /me/playlists pages (50 each) searched for a create of unknown outcome
LOST_NOTE = "The Spotify playlist saved before is gone or no longer yours: a new one was created."


class SpotifyPlaylists(TrackSearcher, Protocol):
    """The part of the Spotify client that export uses."""

    def create_playlist(
        self, name: str, *, description: str = "", public: bool = False
    ) -> SpotifyPlaylist:
        """Create a playlist owned by the listener."""

    def change_playlist_details(
        self, playlist_id: str, *, name: str, description: str, public: bool
    ) -> None:
        """Change a playlist's name, description and visibility."""

    def replace_playlist_items(self, playlist_id: str, uris: list[str]) -> str:
        """Make the playlist hold exactly `uris`; return the snapshot id."""

    def get_my_playlists(self, *, limit: int = 20, offset: int = 0) -> Page[SpotifyPlaylist]:
        """List the listener's playlists."""


@dataclass(frozen=True)
class _Prior:
    """The export row as this attempt found it (plain values: they outlive commits)."""

    state: str
    marker: str
    spotify_id: str | None
    spotify_uri: str | None
    details: Details | None


@dataclass
class ExportResult:
    """The outcome of an export, as the API reports it."""

    spotify_id: str
    uri: str
    snapshot_id: str
    created: bool
    written: int
    unresolved: list[ExportTrack]
    notes: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Return the Spotify playlist's open.spotify.com URL."""
        return spotify_url(self.spotify_id, "playlist")


def _prior(row: PlaylistExport) -> _Prior:
    details = None
    if row.name is not None:
        details = Details(row.name, row.description or "", bool(row.public))
    return _Prior(row.state, row.marker, row.spotify_playlist_id, row.spotify_uri, details)


def export_to_spotify(
    playlist_id: int,
    listener: Listener,
    spotify: SpotifyPlaylists | None,
    request: ExportRequest,
    *,
    resolve_budget: int = 20,
) -> ExportResult:
    """Save the listener's playlist to their Spotify account (create once, then update in place).

    Raises:
        UnauthorisedError: not logged in with Spotify (401 login_required).
        NotFoundError: not the listener's playlist (404).
        ExportInProgressError: another attempt holds the playlist (409 with Retry-After).
        SpotifyError: Spotify failed (503 with Retry-After when rate limited or out of quota,
            401 spotify_reauth_required); what was done is stored and the next attempt finishes.
    """
    if listener.user_id is None or spotify is None:
        raise UnauthorisedError("Log in with Spotify to save playlists.", code="login_required")
    playlist = get_playlist(playlist_id, listener)
    tracks, details = export_tracks(playlist), export_details(request, playlist)
    held, row = export_state.claim(playlist_id, listener.user_id)
    prior = _prior(row)
    try:
        return _export(held, prior, tracks, details, spotify, resolve_budget)
    except BaseException:
        export_state.let_go(held)
        raise


def _export(
    held: Claim,
    prior: _Prior,
    tracks: list[ExportTrack],
    details: Details,
    spotify: SpotifyPlaylists,
    budget: int,
) -> ExportResult:
    resolved, unresolved, _ = resolve_missing(
        tracks, spotify, budget, renew=lambda: export_state.save(held)
    )
    uris = [spotify_uri(t.spotify_id) for t in resolved if t.spotify_id]
    target, notes = _target(held, prior, details, spotify)
    export_state.save(held, state="created")
    try:
        snapshot = spotify.replace_playlist_items(target[0], uris)
    except (SpotifyNotFoundError, SpotifyForbiddenError):
        if target[2]:
            raise
        target, notes = _create(held, details, spotify, export_state.new_marker()), [LOST_NOTE]
        snapshot = spotify.replace_playlist_items(target[0], uris)
    now = datetime.now(UTC)
    db.session.execute(
        update(Playlist)
        .where(Playlist.id == held.playlist_id)
        .values(spotify_playlist_id=target[0], exported_at=now)
    )
    export_state.save(held, release=True, state="complete", snapshot_id=snapshot, completed_at=now)
    created = prior.state != "complete" or bool(notes)
    return ExportResult(target[0], target[1], snapshot, created, len(uris), unresolved, notes)


_Target = tuple[str, str, bool]  # Spotify id, URI, created by this attempt


def _target(
    held: Claim, prior: _Prior, details: Details, spotify: SpotifyPlaylists
) -> tuple[_Target, list[str]]:
    """Return the Spotify playlist to write to, creating it or updating its details as needed."""
    spotify_id, uri = prior.spotify_id, prior.spotify_uri
    if spotify_id is None and prior.state == "creating":
        found = _find_by_marker(spotify, prior.marker)
        if found is not None:
            spotify_id, uri = found.spotify_id, found.uri
            export_state.save(
                held, state="created", spotify_playlist_id=spotify_id, spotify_uri=uri
            )
    if spotify_id is None:
        return _create(held, details, spotify, prior.marker), []
    uri = uri or spotify_uri(spotify_id, "playlist")
    if prior.details == details:
        return (spotify_id, uri, False), []
    try:
        spotify.change_playlist_details(
            spotify_id,
            name=details.name,
            description=with_marker(details.description, prior.marker),
            public=details.public,
        )
    except (SpotifyNotFoundError, SpotifyForbiddenError):
        return _create(held, details, spotify, export_state.new_marker()), [LOST_NOTE]
    export_state.save(
        held, name=details.name, description=details.description, public=details.public
    )
    return (spotify_id, uri, False), []


def _create(held: Claim, details: Details, spotify: SpotifyPlaylists, marker: str) -> _Target:
    """Commit "creating" (with the marker), create the playlist, then commit its id."""
    export_state.save(
        held,
        state="creating",
        marker=marker,
        spotify_playlist_id=None,
        spotify_uri=None,
        name=details.name,
        description=details.description,
        public=details.public,
    )
    made = spotify.create_playlist(
        details.name, description=with_marker(details.description, marker), public=details.public
    )
    export_state.save(
        held, state="created", spotify_playlist_id=made.spotify_id, spotify_uri=made.uri
    )
    return made.spotify_id, made.uri, True


def _find_by_marker(spotify: SpotifyPlaylists, marker: str) -> SpotifyPlaylist | None:
    """Look for the playlist a create of unknown outcome may have made."""
    for page_number in range(MARKER_SCAN_PAGES):
        page = spotify.get_my_playlists(limit=50, offset=page_number * 50)
        found = next((p for p in page.items if marker in (p.description or "")), None)
        if found is not None or page.next is None:
            return found
    return None
