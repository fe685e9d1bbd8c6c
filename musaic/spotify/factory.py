"""SpotifyFactory: builds SpotifyOAuth and per-listener SpotifyClients from settings."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests

from musaic.spotify.client import SpotifyClient
from musaic.spotify.deadline import Deadline
from musaic.spotify.oauth import SpotifyOAuth
from musaic.spotify.transport import CallRecorder, TokenProvider, new_session

if TYPE_CHECKING:
    from musaic.spotify.guard import SpotifyGuard


@dataclass(frozen=True)
class SpotifySettings:
    """Where Spotify lives and how patient Musaic is with it."""

    api_base_url: str = "https://api.spotify.com/v1"
    accounts_base_url: str = "https://accounts.spotify.com"
    client_id: str = ""
    client_secret: str = ""
    redirect_uri: str = "http://127.0.0.1:5000/api/auth/callback"
    max_retry_after_seconds: float = 5.0
    max_retries: int = 2
    connect_timeout: float = 3.05
    read_timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SpotifySettings:
        """Read the SPOTIFY_* keys of a Flask config (missing keys keep their defaults)."""
        keys = {
            "api_base_url": "SPOTIFY_API_BASE_URL",
            "accounts_base_url": "SPOTIFY_ACCOUNTS_BASE_URL",
            "client_id": "SPOTIFY_CLIENT_ID",
            "client_secret": "SPOTIFY_CLIENT_SECRET",
            "redirect_uri": "SPOTIFY_REDIRECT_URI",
            "max_retry_after_seconds": "SPOTIFY_MAX_RETRY_AFTER_SECONDS",
        }
        return cls(**{name: config[key] for name, key in keys.items() if key in config})

    @property
    def configured(self) -> bool:
        """Tell whether client credentials are set (otherwise Spotify features are off)."""
        return bool(self.client_id and self.client_secret)


class SpotifyFactory:
    """Hand out Spotify objects that share one connection pool; inject it into create_app."""

    def __init__(
        self,
        settings: SpotifySettings,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._session = session or new_session()
        self._sleep = sleep

    def oauth(self, deadline: Deadline | None = None) -> SpotifyOAuth:
        """Build the OAuth helper (token calls end by `deadline`, when given)."""
        s = self.settings
        return SpotifyOAuth(
            s.accounts_base_url,
            s.client_id,
            s.client_secret,
            s.redirect_uri,
            timeout=(s.connect_timeout, s.read_timeout),
            session=self._session,
            deadline=deadline,
        )

    def client(
        self,
        token_provider: TokenProvider,
        *,
        on_unauthorised: Callable[[], None] | None = None,
        recorder: CallRecorder | None = None,
        guard: SpotifyGuard | None = None,
        deadline: Deadline | None = None,
    ) -> SpotifyClient:
        """Build a client for one listener's tokens (cheap: the connection pool is shared)."""
        s = self.settings
        return SpotifyClient(
            s.api_base_url,
            token_provider,
            on_unauthorised=on_unauthorised,
            connect_timeout=s.connect_timeout,
            read_timeout=s.read_timeout,
            max_retry_after_seconds=s.max_retry_after_seconds,
            max_retries=s.max_retries,
            sleep=self._sleep,
            recorder=recorder,
            session=self._session,
            guard=guard,
            deadline=deadline,
        )
