"""SpotifyOAuth: Authorization Code with PKCE against Spotify's accounts service."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests

from musaic.spotify.deadline import Deadline, bounded_timeout
from musaic.spotify.errors import (
    SpotifyOAuthError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
    SpotifyUnavailableError,
)
from musaic.spotify.transport import new_session, parse_retry_after


@dataclass(frozen=True)
class PkcePair:
    """A PKCE code verifier (kept in the session) and its S256 challenge (sent to Spotify)."""

    verifier: str = field(repr=False)
    challenge: str


@dataclass(frozen=True)
class TokenSet:
    """Tokens for one listener; their values never appear in repr or logs."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    scopes: tuple[str, ...]

    def expires_within(self, seconds: float, now: datetime | None = None) -> bool:
        """Tell whether the access token expires in less than `seconds`."""
        moment = now or datetime.now(UTC)
        return self.expires_at - moment < timedelta(seconds=seconds)


def code_challenge_for(verifier: str) -> str:
    """Return the S256 PKCE challenge of `verifier` (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_pkce_pair() -> PkcePair:
    """Generate a random 64-character PKCE verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    return PkcePair(verifier=verifier, challenge=code_challenge_for(verifier))


def new_state() -> str:
    """Generate an unguessable OAuth `state` value."""
    return secrets.token_urlsafe(32)


class SpotifyOAuth:
    """Build the consent URL and trade codes and refresh tokens for TokenSets."""

    def __init__(
        self,
        accounts_base_url: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        *,
        timeout: tuple[float, float] = (3.05, 10.0),
        session: requests.Session | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        deadline: Deadline | None = None,
    ) -> None:
        self._deadline = deadline
        self._base = accounts_base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self._timeout = timeout
        self._session = session or new_session(pool_size=2)
        self._clock = clock

    def authorize_url(self, state: str, code_challenge: str, scopes: Sequence[str]) -> str:
        """Return the URL that sends the listener to Spotify's consent page."""
        query = {
            "client_id": self._client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "state": state,
            "scope": " ".join(scopes),
            "code_challenge_method": "S256",
            "code_challenge": code_challenge,
        }
        return f"{self._base}/authorize?{urlencode(query)}"

    def exchange_code(self, code: str, code_verifier: str) -> TokenSet:
        """Trade an authorization code (and its PKCE verifier) for tokens."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": code_verifier,
        }
        return self._token_set(self._post_token(form), previous_refresh_token=None)

    def refresh(self, refresh_token: str) -> TokenSet:
        """Get a new access token; keep `refresh_token` unless Spotify rotates it."""
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self._token_set(self._post_token(form), previous_refresh_token=refresh_token)

    def _post_token(self, form: Mapping[str, str]) -> dict[str, Any]:
        try:
            response = self._session.post(
                f"{self._base}/api/token",
                data=form,
                auth=(self._client_id, self._client_secret),
                timeout=bounded_timeout(self._timeout, self._deadline, "/api/token"),
            )
        except requests.RequestException as exc:
            raise SpotifyUnavailableError(
                f"Spotify accounts did not answer ({type(exc).__name__})"
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.status_code != 200:
            raise _token_error(response, body)
        return body

    def _token_set(self, body: dict[str, Any], previous_refresh_token: str | None) -> TokenSet:
        access = body.get("access_token")
        refresh = body.get("refresh_token") or previous_refresh_token
        if not access or not refresh:
            raise SpotifyOAuthError("Spotify accounts sent a token response without tokens")
        expires_in = int(body.get("expires_in") or 3600)
        return TokenSet(
            access_token=str(access),
            refresh_token=str(refresh),
            expires_at=self._clock() + timedelta(seconds=expires_in),
            scopes=tuple(str(body.get("scope") or "").split()),
        )


def _token_error(response: requests.Response, body: dict[str, Any]) -> Exception:
    error = str(body.get("error") or "")
    details = {"spotify_status": response.status_code, "oauth_error": error}
    if error == "invalid_grant":
        return SpotifyReauthRequiredError(
            "Spotify needs the listener to log in again", details=details
        )
    if response.status_code == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return SpotifyRateLimitedError(
            "Spotify accounts rate limited Musaic", retry_after=retry_after
        )
    if response.status_code >= 500:
        return SpotifyUnavailableError(f"Spotify accounts answered {response.status_code}")
    return SpotifyOAuthError(
        f"Spotify accounts rejected the request ({error or 'no reason'})", details=details
    )
