"""Fixtures for Spotify tests: tokens, clients and recorders around the shared stand-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from musaic.spotify import SpotifyClient
from tests.spotify_standin import IssuedTokens, SpotifyStandIn


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
