"""Build Spotify OAuth helpers and per-listener clients from the app's settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from musaic.errors import ServiceUnavailableError
from musaic.services.tokens import TokenVault, access_token
from musaic.spotify import CallRecorder, SpotifyClient, SpotifyOAuth

ClientFactory = Callable[..., SpotifyClient]


def is_configured(config: Mapping[str, Any]) -> bool:
    """Tell whether Spotify credentials are configured."""
    return bool(config.get("SPOTIFY_CLIENT_ID") and config.get("SPOTIFY_CLIENT_SECRET"))


def make_oauth(config: Mapping[str, Any]) -> SpotifyOAuth:
    """Return the OAuth helper for the configured Spotify app, or 503 when there is none."""
    if not is_configured(config):
        raise ServiceUnavailableError(
            "Spotify login is not configured on this server "
            "(set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET).",
            code="spotify_not_configured",
        )
    return SpotifyOAuth(
        config["SPOTIFY_ACCOUNTS_BASE_URL"],
        config["SPOTIFY_CLIENT_ID"],
        config["SPOTIFY_CLIENT_SECRET"],
        config["SPOTIFY_REDIRECT_URI"],
    )


def make_vault(config: Mapping[str, Any]) -> TokenVault:
    """Return the token vault (development falls back to a key derived from SECRET_KEY)."""
    fallback = "" if config.get("ENV_NAME") == "production" else str(config["SECRET_KEY"])
    return TokenVault(str(config.get("TOKEN_ENCRYPTION_KEY") or ""), fallback)


def client_for_user(
    config: Mapping[str, Any],
    user_id: int,
    *,
    recorder: CallRecorder | None = None,
    factory: ClientFactory | None = None,
) -> SpotifyClient:
    """Return a client acting for `user_id` that refreshes its token when needed."""
    oauth, vault = make_oauth(config), make_vault(config)

    def token() -> str:
        return access_token(vault, oauth, user_id)

    def refresh_after_401() -> None:
        access_token(vault, oauth, user_id, force=True)

    build = factory or SpotifyClient
    return build(
        config["SPOTIFY_API_BASE_URL"],
        token,
        on_unauthorised=refresh_after_401,
        max_retry_after_seconds=float(config.get("SPOTIFY_MAX_RETRY_AFTER_SECONDS", 5)),
        recorder=recorder,
    )
