"""Fixtures for Spotify tests: one stand-in per session (3,000 CSV rows), reset per test."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The stand-in is imported as `tests.spotify_standin` (as `python -m` runs it), so the repository
# root must be importable; `pythonpath = ["."]` in the pytest settings makes this line a no-op.
if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from musaic.spotify import SpotifyClient
from tests.spotify_standin import IssuedTokens, SpotifyStandIn

STANDIN_ROWS = 3000


@pytest.fixture(scope="session")
def spotify_standin() -> Iterator[SpotifyStandIn]:
    """Serve the stand-in on a free loopback port for the whole session."""
    with SpotifyStandIn(row_limit=STANDIN_ROWS) as standin:
        yield standin


@pytest.fixture
def standin(spotify_standin: SpotifyStandIn) -> Iterator[SpotifyStandIn]:
    """Give each test a stand-in with no faults, requests or playlists left over."""
    spotify_standin.reset()
    yield spotify_standin
    spotify_standin.reset()


@pytest.fixture
def tokens(standin: SpotifyStandIn) -> IssuedTokens:
    """Issue tokens for the default listener."""
    return standin.accounts.issue_tokens()


@pytest.fixture
def sleeps() -> list[float]:
    """Collect the waits the client asks for instead of sleeping."""
    return []


@pytest.fixture
def calls() -> list[tuple[str, str, int | None, float]]:
    """Collect what the client's call recorder receives."""
    return []


@pytest.fixture
def make_client(
    standin: SpotifyStandIn,
    tokens: IssuedTokens,
    sleeps: list[float],
    calls: list[tuple[str, str, int | None, float]],
) -> Callable[..., SpotifyClient]:
    """Build a SpotifyClient against the stand-in; keyword arguments override the defaults."""

    def build(**overrides: Any) -> SpotifyClient:
        options: dict[str, Any] = {
            "sleep": sleeps.append,
            "recorder": lambda *call: calls.append(call),
            "read_timeout": 2.0,
        }
        options.update(overrides)
        token_provider = options.pop("token_provider", lambda: tokens.access_token)
        return SpotifyClient(standin.api_base_url, token_provider, **options)

    return build


@pytest.fixture
def client(make_client: Callable[..., SpotifyClient]) -> SpotifyClient:
    """Build a SpotifyClient with the default test options."""
    return make_client()


@pytest.fixture
def track_id(standin: SpotifyStandIn) -> str:
    """Return the id of a catalog track whose album has several tracks."""
    album = next(a for a in standin.catalog.albums.values() if len(a.track_ids) >= 3)
    return album.track_ids[0]
