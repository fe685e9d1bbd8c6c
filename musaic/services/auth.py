"""Logging listeners in with Spotify (Authorization Code + PKCE) and out again."""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from musaic.errors import NotFoundError, UnauthorisedError, ValidationError
from musaic.extensions import db
from musaic.models import User
from musaic.services.spotify_access import make_oauth
from musaic.services.tokens import TokenVault, forget_tokens, store_tokens
from musaic.spotify import SpotifyClient, SpotifyUser, new_pkce_pair, new_state
from musaic.spotify.factory import SpotifyFactory

SCOPES = (
    "playlist-modify-private",
    "playlist-modify-public",
    "user-top-read",
    "user-read-recently-played",
)
STATE_TTL_SECONDS = 600


@dataclass(frozen=True)
class LoginStart:
    """Where to send the listener, and what the session must remember until the callback."""

    authorize_url: str
    pending: dict[str, Any]


def safe_next(allowed_origins: Sequence[str], next_url: str | None) -> str:
    """Return `next_url` if it is a local path or an allowed front-end origin, else "/"."""
    if not next_url:
        return "/"
    parts = urlsplit(next_url)
    if not parts.scheme and not parts.netloc and next_url.startswith("/") and "\\" not in next_url:
        return next_url if not next_url.startswith("//") else "/"
    origin = f"{parts.scheme}://{parts.netloc}"
    return next_url if origin in allowed_origins else "/"


def begin_login(
    factory: SpotifyFactory, allowed_origins: Sequence[str], next_url: str | None
) -> LoginStart:
    """Create a single-use state and a PKCE pair, and build Spotify's consent URL."""
    oauth = make_oauth(factory)
    pkce, state = new_pkce_pair(), new_state()
    pending = {
        "state": state,
        "verifier": pkce.verifier,
        "created": time.time(),
        "next": safe_next(allowed_origins, next_url),
    }
    return LoginStart(oauth.authorize_url(state, pkce.challenge, SCOPES), pending)


def _check_state(pending: Mapping[str, Any] | None, state: str | None) -> None:
    if not pending or not state:
        raise ValidationError(
            "The login link is missing its state or was already used; start again.",
            code="invalid_state",
            details={"field": "state", "reason": "missing or already used"},
        )
    if not secrets.compare_digest(str(pending.get("state", "")), state):
        raise ValidationError(
            "The login state does not match this browser session; start again.",
            code="invalid_state",
            details={"field": "state", "reason": "does not match"},
        )
    if time.time() - float(pending.get("created", 0)) > STATE_TTL_SECONDS:
        raise ValidationError(
            "The login took longer than 10 minutes; start again.",
            code="invalid_state",
            details={"field": "state", "reason": "expired"},
        )


def complete_login(
    factory: SpotifyFactory,
    vault: TokenVault,
    pending: Mapping[str, Any] | None,
    *,
    state: str | None,
    code: str | None,
    error: str | None,
) -> int:
    """Check the state, trade the code for tokens, and upsert the listener; return their id."""
    _check_state(pending, state)
    assert pending is not None
    if error:
        raise ValidationError(
            "Spotify login was cancelled: Musaic was not given access to your account."
            if error == "access_denied"
            else f"Spotify login failed ({error}).",
            code="spotify_access_denied" if error == "access_denied" else "spotify_login_failed",
            details={"field": "error", "reason": error},
        )
    if not code:
        raise ValidationError(
            "code: missing", code="validation_error", details={"field": "code", "reason": "missing"}
        )
    tokens = make_oauth(factory).exchange_code(code, str(pending["verifier"]))
    user = _upsert_user(factory.client(lambda: tokens.access_token).get_me())
    store_tokens(vault, user.id, tokens)
    db.session.commit()
    return user.id


def _upsert_user(me: SpotifyUser) -> User:
    account_id = me.account_id or me.spotify_id
    user = db.session.scalar(select(User).where(User.account_id == account_id))
    if user is None:
        user = User(account_id=account_id)
        db.session.add(user)
    user.spotify_id, user.display_name, user.image_url = (
        me.spotify_id,
        me.display_name,
        me.image_url,
    )
    user.last_login_at = datetime.now(UTC)
    db.session.flush()
    return user


def logout(user_id: int | None) -> None:
    """Forget the listener's stored tokens."""
    if user_id is not None:
        forget_tokens(user_id)
        db.session.commit()


def get_user(user_id: int | None) -> User:
    """Return the logged-in listener, or 401 when nobody is logged in."""
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise UnauthorisedError("Log in with Spotify first.", code="not_logged_in")
    return user


def refresh_profile(user_id: int | None, client: SpotifyClient) -> User:
    """Read the listener's profile from Spotify (`GET /me`) and store what changed."""
    user = get_user(user_id)
    me = client.get_me()
    if (me.account_id or me.spotify_id) != user.account_id:
        raise NotFoundError("The Spotify account changed; log in again.", code="account_mismatch")
    user.display_name, user.image_url = me.display_name, me.image_url
    db.session.commit()
    return user
