"""SpotifyFactory: settings from the Flask config, clients and OAuth wired to the stand-in."""

from __future__ import annotations

from musaic.spotify import SpotifyFactory, SpotifySettings
from tests.spotify_standin import IssuedTokens, SpotifyStandIn


def test_settings_read_the_spotify_keys_of_a_config() -> None:
    settings = SpotifySettings.from_config(
        {
            "SPOTIFY_CLIENT_ID": "id",
            "SPOTIFY_CLIENT_SECRET": "s",
            "SPOTIFY_MAX_RETRY_AFTER_SECONDS": 9,
        }
    )
    assert (settings.client_id, settings.max_retry_after_seconds) == ("id", 9)
    assert settings.configured
    assert not SpotifySettings.from_config({}).configured


def test_factory_builds_clients_and_oauth_for_the_configured_spotify(
    standin: SpotifyStandIn, tokens: IssuedTokens
) -> None:
    settings = SpotifySettings(
        api_base_url=standin.api_base_url,
        accounts_base_url=standin.accounts_base_url,
        client_id=standin.accounts.client_id,
        client_secret=standin.accounts.client_secret,
    )
    factory = SpotifyFactory(settings)
    me = factory.client(lambda: tokens.access_token).get_me()
    assert me.account_id == standin.users[0].account_id
    refreshed = factory.oauth().refresh(tokens.refresh_token)
    assert refreshed.refresh_token == tokens.refresh_token
    assert [r.path for r in standin.requests] == ["/v1/me", "/api/token"]
