"""Resolve a seed from the catalog, else from Spotify within a small per-request call budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy import select

from musaic.catalog.importers.records import TrackRecord
from musaic.catalog.spotify_tracks import spotify_track_record
from musaic.errors import NotFoundError, UnprocessableError, field_error
from musaic.extensions import db
from musaic.models import Track
from musaic.observability import logger
from musaic.services.tracks import write_spotify_records
from musaic.spotify.errors import SpotifyError, SpotifyNotFoundError
from musaic.spotify.models import Page, SpotifyAlbum, SpotifyTrack
from musaic.spotify.refs import TRACK_REF_FORMATS, parse_track_ref

SPOTIFY_CALL_BUDGET = 8  # per generation: 1 track + 1 album list + up to 6 album track lists
T = TypeVar("T")


class SpotifyTracks(Protocol):
    """The part of musaic.spotify.SpotifyClient that seed resolution uses."""

    def get_track(self, spotify_id: str) -> SpotifyTrack:
        """Get one track."""

    def get_artist_albums(
        self, spotify_id: str, *, limit: int = 10, offset: int = 0
    ) -> Page[SpotifyAlbum]:
        """List an artist's albums."""

    def get_album_tracks(
        self, spotify_id: str, *, limit: int = 50, offset: int = 0
    ) -> Page[SpotifyTrack]:
        """List an album's tracks."""


class BudgetExhaustedError(Exception):
    """The per-generation Spotify call budget is spent."""


class CallBudget:
    """Count Spotify calls and refuse the one that would exceed `limit`."""

    def __init__(self, limit: int = SPOTIFY_CALL_BUDGET) -> None:
        self.limit = limit
        self.used = 0

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Make one counted call, or raise BudgetExhaustedError without calling."""
        if self.used >= self.limit:
            raise BudgetExhaustedError(f"Spotify call budget of {self.limit} is spent")
        self.used += 1
        return function(*args, **kwargs)


def parse_seed(raw: int | str) -> tuple[int | None, str | None]:
    """Split a seed into (our track id, None) or (None, Spotify track id); 400 otherwise."""
    ref = parse_track_ref(raw)
    if ref is None:
        raise field_error("seed", f"must be {TRACK_REF_FORMATS}")
    return ref.id, ref.spotify_id


def resolve_seed(
    raw: int | str, *, logged_in: bool, spotify: SpotifyTracks | None, budget: CallBudget
) -> int:
    """Return the catalog id of the seed, importing it from Spotify when needed.

    One of our ids is returned unread: reading the seed's facts is the first thing generation
    does, and that read says whether the track exists (404 seed_not_found).

    Raises:
        ValidationError: the seed is not in any accepted format (400, field "seed").
        NotFoundError: no track with that Spotify id (404, code seed_not_found).
        UnprocessableError: a Spotify id outside the catalog while not logged in (422).
    """
    track_id, spotify_id = parse_seed(raw)
    if track_id is not None:
        return track_id
    assert spotify_id is not None
    known = db.session.scalar(select(Track.id).where(Track.spotify_id == spotify_id))
    if known is not None:
        return known
    if spotify is None:
        if not logged_in:
            raise UnprocessableError(
                f"Track {spotify_id} is not in the catalog: "
                "log in with Spotify to use tracks outside the catalog.",
                code="seed_not_in_catalog",
                details={"field": "seed"},
            )
        raise NotFoundError(f"Track {spotify_id} is not in the catalog.", code="seed_not_found")
    return _import_from_spotify(spotify_id, spotify, budget)


def _import_from_spotify(spotify_id: str, spotify: SpotifyTracks, budget: CallBudget) -> int:
    try:
        track = budget.call(spotify.get_track, spotify_id)
    except SpotifyNotFoundError as exc:
        raise NotFoundError(f"Spotify has no track {spotify_id}.", code="seed_not_found") from exc
    records = [spotify_track_record(track)]
    if track.artists:
        records += _discography(track.artists[0].spotify_id, spotify, budget)
    return write_spotify_records(records)[0]


def _discography(
    artist_spotify_id: str, spotify: SpotifyTracks, budget: CallBudget
) -> list[TrackRecord]:
    """Read the artist's album tracks (and so their collaborators) until the budget is spent."""
    records: list[TrackRecord] = []
    try:
        albums = budget.call(spotify.get_artist_albums, artist_spotify_id, limit=10)
        for album in albums.items:
            page = budget.call(spotify.get_album_tracks, album.spotify_id, limit=50)
            records += [spotify_track_record(t, album) for t in page.items]
    except BudgetExhaustedError:
        pass
    except SpotifyError as exc:  # the seed is in; a partial discography is still useful
        logger.warning("discography import stopped", extra={"error": exc.code})
    return records
