"""The stand-in accounts service: automatic consent, PKCE codes, access and refresh tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from tests.spotify_standin.render import StandInUser
from tests.spotify_standin.wire import Incoming, Reply

DEFAULT_SCOPES = (
    "user-read-private user-top-read user-read-recently-played playlist-read-private "
    "playlist-modify-private playlist-modify-public"
)


@dataclass(frozen=True)
class Grant:
    """What a code or token stands for: a user, scopes, and when it stops working."""

    user: StandInUser
    scopes: str
    expires_at: float
    code_challenge: str = ""
    redirect_uri: str = ""


@dataclass(frozen=True)
class IssuedTokens:
    """An access and refresh token pair issued directly to a test."""

    access_token: str
    refresh_token: str


def _oauth_error(error: str, description: str, status: int = 400) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


class Accounts:
    """Issue and check codes and tokens for a fixed set of users and one client."""

    def __init__(
        self,
        users: list[StandInUser],
        client_id: str,
        client_secret: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.users = users
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self.access_token_lifetime = 3600
        self.refresh_token_lifetime = 180 * 24 * 3600
        self.rotate_refresh_tokens = False
        self.deny_consent = False
        self.consent_account_id = users[0].account_id
        self._lock = threading.Lock()
        self._codes: dict[str, Grant] = {}
        self._access: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}

    def user(self, account_id: str | None = None) -> StandInUser:
        """Return the user with `account_id` (the consenting user when None)."""
        wanted = account_id or self.consent_account_id
        return next(u for u in self.users if u.account_id == wanted)

    def issue_tokens(
        self, account_id: str | None = None, scopes: str = DEFAULT_SCOPES
    ) -> IssuedTokens:
        """Issue a token pair without the browser dance (for client tests)."""
        user, now = self.user(account_id), self.clock()
        with self._lock:
            access = self._new(self._access, Grant(user, scopes, now + self.access_token_lifetime))
            refresh = self._new(
                self._refresh, Grant(user, scopes, now + self.refresh_token_lifetime)
            )
        return IssuedTokens(access, refresh)

    def revoke_refresh_token(self, refresh_token: str) -> None:
        """Make a refresh token fail with invalid_grant (the listener revoked access)."""
        with self._lock:
            self._refresh.pop(refresh_token, None)

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expire now."""
        with self._lock:
            self._access = {t: Grant(g.user, g.scopes, 0.0) for t, g in self._access.items()}

    def user_for_bearer(self, authorization: str) -> tuple[StandInUser | None, str]:
        """Return the user of a Bearer header, or None and the reason it is refused."""
        if not authorization.startswith("Bearer "):
            return None, "No token provided"
        grant = self._access.get(authorization[len("Bearer ") :])
        if grant is None:
            return None, "Invalid access token"
        if grant.expires_at <= self.clock():
            return None, "The access token expired"
        return grant.user, ""

    @staticmethod
    def _new(store: dict[str, Grant], grant: Grant) -> str:
        token = secrets.token_urlsafe(24)
        store[token] = grant
        return token

    def authorize(self, request: Incoming) -> Reply:
        """Consent automatically: redirect back with a code (or access_denied)."""
        redirect_uri, state = request.arg("redirect_uri") or "", request.arg("state") or ""
        if request.arg("client_id") != self.client_id:
            return Reply(400, {"error": "invalid_client", "error_description": "Invalid client"})
        if urlsplit(redirect_uri).hostname == "localhost" or request.arg("response_type") != "code":
            return _oauth_error("invalid_request", "Insecure redirect URI or bad response_type")
        challenge = request.arg("code_challenge") or ""
        if challenge and request.arg("code_challenge_method") != "S256":
            return _oauth_error("invalid_request", "code_challenge_method must be S256")
        if self.deny_consent:
            query = {"error": "access_denied", "state": state}
        else:
            grant = Grant(
                self.user(), request.arg("scope") or "", self.clock() + 600, challenge, redirect_uri
            )
            with self._lock:
                query = {"code": self._new(self._codes, grant), "state": state}
        return Reply(302, None, {"Location": f"{redirect_uri}?{urlencode(query)}"})

    def token(self, request: Incoming) -> Reply:
        """Answer POST /api/token for authorization_code and refresh_token grants."""
        form = request.form()
        if not self._client_ok(request, form):
            return _oauth_error("invalid_client", "Invalid client secret")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange(form)
        if grant_type == "refresh_token":
            return self._refresh_grant(form)
        return _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _client_ok(self, request: Incoming, form: dict[str, str]) -> bool:
        auth = request.header("Authorization")
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth[len("Basic ") :]).decode("utf-8", "replace")
            return decoded == f"{self.client_id}:{self.client_secret}"
        if form.get("client_secret"):
            return (form.get("client_id"), form["client_secret"]) == (
                self.client_id,
                self.client_secret,
            )
        # A public PKCE client sends only its id, and then must prove the verifier.
        return form.get("client_id") == self.client_id and bool(form.get("code_verifier"))

    def _exchange(self, form: dict[str, str]) -> Reply:
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or grant.expires_at <= self.clock():
            return _oauth_error("invalid_grant", "Invalid authorization code")
        if grant.redirect_uri != form.get("redirect_uri"):
            return _oauth_error("invalid_grant", "Invalid redirect URI")
        verifier = form.get("code_verifier", "")
        if grant.code_challenge or verifier:
            digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
            if challenge != grant.code_challenge:
                return _oauth_error("invalid_grant", "code_verifier was incorrect")
        tokens = self.issue_tokens(grant.user.account_id, grant.scopes)
        return self._token_reply(tokens.access_token, tokens.refresh_token, grant.scopes)

    def _refresh_grant(self, form: dict[str, str]) -> Reply:
        old = form.get("refresh_token", "")
        with self._lock:
            grant = self._refresh.get(old)
        if grant is None:
            return _oauth_error("invalid_grant", "Invalid refresh token")
        if grant.expires_at <= self.clock():
            return _oauth_error("invalid_grant", "Refresh token revoked")
        now = self.clock()
        with self._lock:
            access = self._new(
                self._access, Grant(grant.user, grant.scopes, now + self.access_token_lifetime)
            )
            new_refresh = None
            if self.rotate_refresh_tokens:
                # Refreshing never extends a grant: the new token keeps the old expiry.
                self._refresh.pop(old, None)
                new_refresh = self._new(self._refresh, grant)
        return self._token_reply(access, new_refresh, grant.scopes)

    def _token_reply(self, access: str, refresh: str | None, scopes: str) -> Reply:
        body: dict[str, object] = {
            "access_token": access,
            "token_type": "Bearer",
            "scope": scopes,
            "expires_in": self.access_token_lifetime,
        }
        if refresh is not None:
            body["refresh_token"] = refresh
        return Reply(200, body, {"Cache-Control": "no-store"})
