"""Resolve a seed from the catalog, else from Spotify within a small per-request call budget."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from sqlalchemy import select

from musaic.catalog.normalise import match_key, normalise_artist, normalise_title, song_key
from musaic.errors import NotFoundError, UnprocessableError, field_error
from musaic.extensions import db
from musaic.models import Album, Artist, Track, TrackArtist
from musaic.observability import logger
from musaic.spotify.errors import SpotifyError, SpotifyNotFoundError
from musaic.spotify.models import Page, SpotifyAlbum, SpotifyAlbumRef, SpotifyTrack

SPOTIFY_CALL_BUDGET = 8  # per generation: 1 track + 1 album list + up to 6 album track lists
_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_URI = re.compile(r"^spotify:track:([0-9A-Za-z]{22})$")
_URL = re.compile(
    r"^https?://open\.spotify\.com/(?:intl-[\w-]+/)?track/([0-9A-Za-z]{22})(?:[/?#].*)?$"
)
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
    if isinstance(raw, int) and not isinstance(raw, bool):
        if raw > 0:
            return raw, None
    elif isinstance(raw, str):
        text = raw.strip()
        if text.isdigit() and len(text) < 19:
            return int(text), None
        for pattern in (_URI, _URL):
            match = pattern.match(text)
            if match:
                return None, match.group(1)
        if _SPOTIFY_ID.match(text):
            return None, text
    raise field_error(
        "seed",
        "must be a track id, a 22-character Spotify id, a spotify:track: URI "
        "or an open.spotify.com/track/ URL",
    )


def resolve_seed(
    raw: int | str, *, logged_in: bool, spotify: SpotifyTracks | None, budget: CallBudget
) -> int:
    """Return the catalog id of the seed, importing it from Spotify when needed.

    Raises:
        ValidationError: the seed is not in any accepted format (400, field "seed").
        NotFoundError: no such track (404, code seed_not_found).
        UnprocessableError: a Spotify id outside the catalog while not logged in (422).
    """
    track_id, spotify_id = parse_seed(raw)
    if track_id is not None:
        if db.session.get(Track, track_id) is None:
            raise NotFoundError(f"No track {track_id} in the catalog.", code="seed_not_found")
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
    seed = _upsert_tracks([track])[spotify_id]
    if track.artists:
        _import_discography(track.artists[0].spotify_id, spotify, budget)
    return seed.id


def _import_discography(artist_spotify_id: str, spotify: SpotifyTracks, budget: CallBudget) -> None:
    """Upsert the artist's album tracks (and so their collaborators) until the budget is spent."""
    try:
        albums = budget.call(spotify.get_artist_albums, artist_spotify_id, limit=10)
        for album in albums.items:
            page = budget.call(spotify.get_album_tracks, album.spotify_id, limit=50)
            _upsert_tracks(list(page.items), album=album)
    except BudgetExhaustedError:
        pass
    except SpotifyError as exc:  # the seed is in; a partial discography is still useful
        logger.warning("discography import stopped", extra={"error": exc.code})


# A small private upsert until musaic.catalog has a shared one: insert what is missing, keyed by
# Spotify id, and leave rows that exist untouched (importers own their fields).
def _upsert_tracks(
    tracks: list[SpotifyTrack], album: SpotifyAlbum | None = None
) -> dict[str, Track]:
    """Insert the tracks (with artists and albums) that the catalog lacks; return all by id."""
    unique = {t.spotify_id: t for t in tracks}
    names = {a.spotify_id: a.name for t in unique.values() for a in t.artists}
    artists = _existing(Artist, names)
    for spotify_id, name in names.items():
        if spotify_id not in artists:
            artists[spotify_id] = Artist(
                spotify_id=spotify_id, name=name, normalised_name=normalise_artist(name)
            )
            db.session.add(artists[spotify_id])
    refs = {r.spotify_id: r for r in (album or t.album for t in unique.values()) if r}
    albums = _existing(Album, refs)
    for spotify_id, ref in refs.items():
        if spotify_id not in albums:
            albums[spotify_id] = _new_album(ref)
    found = _existing(Track, unique)
    for spotify_id, track in unique.items():
        if spotify_id not in found:
            owner = album or track.album
            found[spotify_id] = _new_track(track, albums.get(owner.spotify_id) if owner else None)
            credited = dict.fromkeys(a.spotify_id for a in track.artists)
            found[spotify_id].credits = [
                TrackArtist(position=i, artist=artists[a]) for i, a in enumerate(credited)
            ]
            db.session.add(found[spotify_id])
    db.session.flush()
    return found


def _existing(model: type[Any], spotify_ids: Iterable[str]) -> dict[str, Any]:
    ids = sorted(spotify_ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(model).where(model.spotify_id.in_(ids)))
    return {row.spotify_id: row for row in rows}


def _new_album(ref: SpotifyAlbum | SpotifyAlbumRef) -> Album:
    row = Album(
        spotify_id=ref.spotify_id,
        name=ref.name,
        normalised_name=normalise_title(ref.name),
        release_date=ref.release_date,
        release_year=ref.release_year,
    )
    db.session.add(row)
    return row


def _new_track(track: SpotifyTrack, album: Album | None) -> Track:
    primary = track.artists[0].name if track.artists else ""
    return Track(
        spotify_id=track.spotify_id,
        isrc=track.isrc,
        title=track.name,
        normalised_title=normalise_title(track.name),
        match_key=match_key(primary, track.name),
        song_key=song_key(primary, track.name),
        album=album,
        duration_ms=track.duration_ms,
        explicit=track.explicit,
        release_year=album.release_year if album else None,
    )
