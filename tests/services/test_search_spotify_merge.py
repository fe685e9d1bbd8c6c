"""The search service merges a listener's Spotify search into catalog results, never failing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from musaic.extensions import db
from musaic.models import Track
from musaic.services.search import search_tracks
from musaic.spotify.errors import SpotifyRateLimitedError, SpotifyUnavailableError
from musaic.spotify.models import Page, SpotifyAlbumRef, SpotifyArtistRef, SpotifyTrack
from tests.catalog_world.search import build_search_catalog, fake_spotify_id

NEW_ID = fake_spotify_id("spotify-only")


class FakeSpotifySearch:
    """Answer search_tracks with fixed tracks, or raise a fixed error; record the calls."""

    def __init__(self, tracks: tuple[SpotifyTrack, ...] = (), error: Exception | None = None):
        self.tracks, self.error, self.calls = tracks, error, []  # type: ignore[var-annotated]

    def search_tracks(self, q: str, *, limit: int = 10, offset: int = 0) -> Page[SpotifyTrack]:
        """Return the fixed tracks as one page."""
        self.calls.append((q, limit, offset))
        if self.error is not None:
            raise self.error
        return Page(self.tracks[:limit], len(self.tracks), limit, offset, None)


def _spotify_track(spotify_id: str, name: str, artist: str, isrc: str | None) -> SpotifyTrack:
    return SpotifyTrack(
        spotify_id=spotify_id,
        name=name,
        artists=(SpotifyArtistRef(fake_spotify_id(artist), artist),),
        album=SpotifyAlbumRef(fake_spotify_id(name), f"{name} (Single)", "2024-05-01", 2024),
        duration_ms=181_000,
        explicit=True,
        isrc=isrc,
        uri=f"spotify:track:{spotify_id}",
        external_url=None,
    )


@pytest.fixture
def catalog(app_context: None) -> dict[tuple[str, str], int]:
    """The hand-written search catalog, indexed."""
    return build_search_catalog(fillers=20)


def test_spotify_results_are_upserted_merged_and_deduplicated(catalog: Any) -> None:
    known = db.session.get(Track, catalog[("Bohemian Rhapsody", "Queen")])
    assert known is not None
    fake = FakeSpotifySearch(
        (
            _spotify_track(str(known.spotify_id), "Bohemian Rhapsody", "Queen", "GBUM71029604"),
            _spotify_track(NEW_ID, "Bohemian Nights", "Nova Lane", "USXXX2400001"),
        )
    )
    before = db.session.scalar(select(func.count(Track.id)))
    results = search_tracks("bohemian", limit=20, spotify=fake)
    assert results.sources == {"catalog": "ok", "spotify": "ok"}
    assert fake.calls == [("bohemian", 10, 0)]
    assert db.session.scalar(select(func.count(Track.id))) == before + 1
    ids = [t.id for t in results.items]
    assert len(ids) == len(set(ids))
    new = next(t for t in results.items if t.spotify_id == NEW_ID)
    assert (new.isrc, new.explicit, new.release_year) == ("USXXX2400001", True, 2024)
    assert known.isrc == "GBUM71029604"
    assert search_tracks("bohemian nights", limit=5).items[0].id == new.id


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (SpotifyRateLimitedError("slow down", retry_after=30), "rate_limited"),
        (SpotifyUnavailableError("down"), "unavailable"),
    ],
)
def test_spotify_failing_still_returns_catalog_results(
    catalog: Any, error: Exception, status: str
) -> None:
    results = search_tracks("bohemian rhapsody", limit=5, spotify=FakeSpotifySearch(error=error))
    assert results.sources == {"catalog": "ok", "spotify": status}
    assert results.items[0].title == "Bohemian Rhapsody"


def test_spotify_is_only_asked_for_the_first_page(catalog: Any) -> None:
    fake = FakeSpotifySearch()
    results = search_tracks("queen", limit=5, offset=5, spotify=fake)
    assert fake.calls == []
    assert results.sources["spotify"] == "skipped"
