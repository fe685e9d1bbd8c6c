"""SpotifyOAuth against the stand-in's accounts service: PKCE, code exchange, refresh."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from musaic.spotify import (
    SpotifyClient,
    SpotifyOAuth,
    SpotifyOAuthError,
    SpotifyReauthRequiredError,
    TokenSet,
    new_pkce_pair,
)
from tests.spotify_standin import SpotifyStandIn

REDIRECT_URI = "http://127.0.0.1:5000/api/auth/callback"
SCOPES = ("user-read-private", "playlist-modify-private")


@pytest.fixture
def oauth(standin: SpotifyStandIn) -> SpotifyOAuth:
    """Build a SpotifyOAuth with the stand-in's client credentials."""
    accounts = standin.accounts
    return SpotifyOAuth(
        standin.accounts_base_url, accounts.client_id, accounts.client_secret, REDIRECT_URI
    )


def _consent(oauth: SpotifyOAuth, state: str, challenge: str) -> dict[str, list[str]]:
    answer = requests.get(oauth.authorize_url(state, challenge, SCOPES), allow_redirects=False)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return parse_qs(location.query)


def _login(oauth: SpotifyOAuth) -> TokenSet:
    pkce = new_pkce_pair()
    code = _consent(oauth, "s", pkce.challenge)["code"][0]
    return oauth.exchange_code(code, pkce.verifier)


def test_pkce_challenge_is_the_s256_of_the_verifier() -> None:
    pkce = new_pkce_pair()
    digest = hashlib.sha256(pkce.verifier.encode()).digest()
    assert pkce.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert 43 <= len(pkce.verifier) <= 128
    assert pkce.verifier not in repr(pkce)


def test_authorize_url_carries_state_challenge_and_scopes(oauth: SpotifyOAuth) -> None:
    query = parse_qs(urlsplit(oauth.authorize_url("st4te", "ch4llenge", SCOPES)).query)
    assert query["state"] == ["st4te"] and query["code_challenge"] == ["ch4llenge"]
    assert query["code_challenge_method"] == ["S256"] and query["response_type"] == ["code"]
    assert query["scope"] == [" ".join(SCOPES)] and query["redirect_uri"] == [REDIRECT_URI]


def test_code_exchange_returns_working_tokens(oauth: SpotifyOAuth, standin: SpotifyStandIn) -> None:
    before = datetime.now(UTC)
    tokens = _login(oauth)
    assert tokens.expires_at.tzinfo is not None
    assert before + timedelta(seconds=3590) < tokens.expires_at < before + timedelta(seconds=3610)
    assert tokens.scopes == SCOPES
    assert tokens.access_token not in repr(tokens) and tokens.refresh_token not in repr(tokens)
    client = SpotifyClient(standin.api_base_url, lambda: tokens.access_token)
    assert client.get_me().account_id == standin.users[0].account_id


def test_consent_state_comes_back_and_denial_is_reported(
    oauth: SpotifyOAuth, standin: SpotifyStandIn
) -> None:
    assert _consent(oauth, "keep-me", new_pkce_pair().challenge)["state"] == ["keep-me"]
    standin.accounts.deny_consent = True
    denied = _consent(oauth, "keep-me", new_pkce_pair().challenge)
    assert denied["error"] == ["access_denied"] and "code" not in denied


def test_a_wrong_pkce_verifier_is_rejected(oauth: SpotifyOAuth) -> None:
    code = _consent(oauth, "s", new_pkce_pair().challenge)["code"][0]
    with pytest.raises(SpotifyReauthRequiredError) as caught:
        oauth.exchange_code(code, new_pkce_pair().verifier)
    assert caught.value.details["oauth_error"] == "invalid_grant"


def test_a_code_works_only_once(oauth: SpotifyOAuth) -> None:
    pkce = new_pkce_pair()
    code = _consent(oauth, "s", pkce.challenge)["code"][0]
    oauth.exchange_code(code, pkce.verifier)
    with pytest.raises(SpotifyReauthRequiredError):
        oauth.exchange_code(code, pkce.verifier)


def test_a_wrong_client_secret_is_an_oauth_error(standin: SpotifyStandIn) -> None:
    oauth = SpotifyOAuth(
        standin.accounts_base_url, standin.accounts.client_id, "nope", REDIRECT_URI
    )
    pkce = new_pkce_pair()
    code = _consent(oauth, "s", pkce.challenge)["code"][0]
    with pytest.raises(SpotifyOAuthError) as caught:
        oauth.exchange_code(code, pkce.verifier)
    assert caught.value.details["oauth_error"] == "invalid_client"
    assert "nope" not in str(caught.value)


def test_refresh_keeps_the_refresh_token_when_none_is_returned(oauth: SpotifyOAuth) -> None:
    tokens = _login(oauth)
    refreshed = oauth.refresh(tokens.refresh_token)
    assert refreshed.refresh_token == tokens.refresh_token
    assert refreshed.access_token != tokens.access_token


def test_refresh_uses_a_rotated_refresh_token_and_the_old_one_stops_working(
    oauth: SpotifyOAuth, standin: SpotifyStandIn
) -> None:
    tokens = _login(oauth)
    standin.accounts.rotate_refresh_tokens = True
    refreshed = oauth.refresh(tokens.refresh_token)
    assert refreshed.refresh_token != tokens.refresh_token
    assert oauth.refresh(refreshed.refresh_token).access_token
    with pytest.raises(SpotifyReauthRequiredError):
        oauth.refresh(tokens.refresh_token)


def test_a_revoked_refresh_token_requires_a_new_login(
    oauth: SpotifyOAuth, standin: SpotifyStandIn
) -> None:
    tokens = _login(oauth)
    standin.accounts.revoke_refresh_token(tokens.refresh_token)
    with pytest.raises(SpotifyReauthRequiredError) as caught:
        oauth.refresh(tokens.refresh_token)
    assert (caught.value.status_code, caught.value.code) == (401, "spotify_reauth_required")
    assert tokens.refresh_token not in f"{caught.value} {caught.value.details}"


def test_an_expired_refresh_token_requires_a_new_login(
    oauth: SpotifyOAuth, standin: SpotifyStandIn
) -> None:
    standin.accounts.refresh_token_lifetime = 0
    try:
        tokens = _login(oauth)
    finally:
        standin.accounts.refresh_token_lifetime = 180 * 24 * 3600
    with pytest.raises(SpotifyReauthRequiredError):
        oauth.refresh(tokens.refresh_token)
