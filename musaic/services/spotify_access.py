"""Spotify OAuth helpers and per-listener clients, built from the app's SpotifyFactory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from musaic.errors import ServiceUnavailableError
from musaic.services.tokens import TokenVault, access_token
from musaic.spotify import CallRecorder, SpotifyClient, SpotifyOAuth
from musaic.spotify.deadline import Deadline
from musaic.spotify.factory import SpotifyFactory, SpotifySettings


def build_factory(config: Mapping[str, Any]) -> SpotifyFactory:
    """Build the SpotifyFactory from the SPOTIFY_* settings (the one place that does)."""
    return SpotifyFactory(SpotifySettings.from_config(config))


def make_oauth(factory: SpotifyFactory, deadline: Deadline | None = None) -> SpotifyOAuth:
    """Return the OAuth helper for the configured Spotify app, or 503 when there is none."""
    if not factory.settings.configured:
        raise ServiceUnavailableError(
            "Spotify login is not configured on this server "
            "(set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET).",
            code="spotify_not_configured",
        )
    return factory.oauth(deadline) if deadline is not None else factory.oauth()


def make_vault(config: Mapping[str, Any]) -> TokenVault:
    """Return the token vault (development falls back to a key derived from SECRET_KEY)."""
    fallback = "" if config.get("ENV_NAME") == "production" else str(config["SECRET_KEY"])
    return TokenVault(str(config.get("TOKEN_ENCRYPTION_KEY") or ""), fallback)


def client_for_user(
    factory: SpotifyFactory,
    vault: TokenVault,
    user_id: int,
    *,
    recorder: CallRecorder | None = None,
    **transport_options: Any,
) -> SpotifyClient:
    """Return a client acting for `user_id` that refreshes its token when needed."""
    oauth = make_oauth(factory, transport_options.get("deadline"))

    def token() -> str:
        return access_token(vault, oauth, user_id)

    def refresh_after_401() -> None:
        access_token(vault, oauth, user_id, force=True)

    return factory.client(
        token, on_unauthorised=refresh_after_401, recorder=recorder, **transport_options
    )
