"""Search use case: the local catalog, merged with the listener's Spotify search when given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from musaic.catalog.search import QuerySyntaxError, parse_query, search_catalog
from musaic.catalog.search.query import MAX_QUERY_LENGTH
from musaic.errors import field_error
from musaic.extensions import db
from musaic.models import Track
from musaic.observability import logger
from musaic.services.tracks import load_tracks, upsert_spotify_tracks
from musaic.spotify.errors import SpotifyError, SpotifyRateLimitedError
from musaic.spotify.models import Page, SpotifyTrack

MAX_LIMIT = 50
SPOTIFY_LIMIT = 10


class TrackSearcher(Protocol):
    """What search needs from a Spotify client."""

    def search_tracks(self, q: str, *, limit: int = 10, offset: int = 0) -> Page[SpotifyTrack]:
        """Return one page of Spotify's track search."""


@dataclass
class SearchResults:
    """One page of tracks and which sources answered."""

    items: list[Track]
    total: int
    limit: int
    offset: int
    sources: dict[str, str] = field(default_factory=dict)


def _spotify_tracks(spotify: TrackSearcher, q: str, limit: int) -> tuple[list[Track], str]:
    """Ask Spotify, keep what it found in the catalog; never raise."""
    try:
        page = spotify.search_tracks(q, limit=min(SPOTIFY_LIMIT, limit))
    except SpotifyRateLimitedError:
        return [], "rate_limited"
    except SpotifyError as exc:
        logger.warning("spotify search failed", extra={"error_code": exc.code})
        return [], "unavailable"
    tracks = upsert_spotify_tracks(page.items)  # concurrent upserts are settled inside
    db.session.commit()
    return tracks, "ok"


def search_tracks(
    q: str, *, limit: int = 20, offset: int = 0, spotify: TrackSearcher | None = None
) -> SearchResults:
    """Search the catalog (and, on the first page, Spotify when a client is given).

    Spotify results are upserted into the catalog, so the local ranking then places them and
    duplicates collapse by Spotify id / ISRC; Spotify tracks the local query does not match
    fill any room left on the page. Spotify failing only changes `sources["spotify"]`.

    Raises ValidationError (400) naming `q`, `limit` or `offset` when one is unusable.
    """
    if not q.strip() or len(q) > MAX_QUERY_LENGTH:
        raise field_error("q", f"must be 1 to {MAX_QUERY_LENGTH} characters")
    if not 1 <= limit <= MAX_LIMIT:
        raise field_error("limit", f"must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise field_error("offset", "must be 0 or more")
    try:
        query = parse_query(q)
    except QuerySyntaxError as exc:
        raise field_error("q", str(exc)) from exc
    if query.is_empty:
        raise field_error("q", "must contain a word or a filter such as artist:")
    sources = {"catalog": "ok", "spotify": "skipped"}
    from_spotify: list[Track] = []
    if spotify is not None and offset == 0:
        from_spotify, sources["spotify"] = _spotify_tracks(spotify, q, limit)
    hits = search_catalog(query, limit=limit, offset=offset)
    ids = list(hits.track_ids)
    extra = [t.id for t in from_spotify if t.id not in ids][: max(0, limit - len(ids))]
    return SearchResults(
        items=load_tracks(ids + extra),
        total=hits.total + len(extra),
        limit=limit,
        offset=offset,
        sources=sources,
    )
