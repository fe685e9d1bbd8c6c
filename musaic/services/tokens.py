"""Spotify tokens at rest: Fernet encryption, storage, and refresh that survives races."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import delete, select, update

from musaic.errors import UnauthorisedError
from musaic.extensions import db
from musaic.models import SpotifyToken
from musaic.spotify import SpotifyOAuth, SpotifyReauthRequiredError, TokenSet

REFRESH_MARGIN_SECONDS = 120


class TokenVault:
    """Encrypt and decrypt tokens with MultiFernet so keys can be rotated (newest first)."""

    def __init__(self, keys: str, fallback_secret: str = "") -> None:
        raw = [k.strip() for k in keys.split(",") if k.strip()]
        if not raw and fallback_secret:
            # Development only (production refuses to start without TOKEN_ENCRYPTION_KEY).
            digest = hashlib.sha256(fallback_secret.encode()).digest()
            raw = [base64.urlsafe_b64encode(digest).decode()]
        if not raw:
            raise ValueError("TOKEN_ENCRYPTION_KEY is not set")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in raw])

    def encrypt(self, value: str) -> str:
        """Return the ciphertext of `value` under the newest key."""
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """Return the plaintext of a token encrypted under any configured key."""
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise UnauthorisedError(
                "Stored Spotify tokens cannot be read; log in again.",
                code="spotify_reauth_required",
            ) from exc

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt a ciphertext under the newest key."""
        return self._fernet.rotate(ciphertext.encode()).decode()


def store_tokens(vault: TokenVault, user_id: int, tokens: TokenSet) -> None:
    """Create or replace the listener's tokens (ciphertext only); the caller commits."""
    row = db.session.scalar(
        select(SpotifyToken)
        .where(SpotifyToken.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    if row is None:
        row = SpotifyToken(user_id=user_id, version=1)
        db.session.add(row)
    else:
        row.version += 1
    row.access_token_encrypted = vault.encrypt(tokens.access_token)
    row.refresh_token_encrypted = vault.encrypt(tokens.refresh_token)
    row.expires_at = tokens.expires_at
    row.scopes = " ".join(tokens.scopes)


def forget_tokens(user_id: int) -> None:
    """Delete the listener's stored tokens; the caller commits."""
    db.session.execute(delete(SpotifyToken).where(SpotifyToken.user_id == user_id))


def _load(user_id: int) -> SpotifyToken:
    row = db.session.scalar(
        select(SpotifyToken)
        .where(SpotifyToken.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise UnauthorisedError("Log in with Spotify first.", code="spotify_reauth_required")
    return row


def _expires_soon(row: SpotifyToken, margin: float) -> bool:
    expires_at = row.expires_at
    if expires_at.tzinfo is None:  # SQLite gives naive datetimes back
        expires_at = expires_at.replace(tzinfo=UTC)
    return (expires_at - datetime.now(UTC)).total_seconds() < margin


def access_token(
    vault: TokenVault, oauth: SpotifyOAuth, user_id: int, *, force: bool = False
) -> str:
    """Return a usable access token, refreshing it first when it is (nearly) expired.

    Only one of several concurrent requests refreshes: each tries to bump the row's
    `version` from the value it read; the winner holds the row lock while it refreshes and
    stores the (possibly rotated) refresh token, the others wait, then read the new tokens.

    Raises:
        SpotifyReauthRequiredError: Spotify answered invalid_grant; tokens are forgotten.
    """
    row = _load(user_id)
    if not force and not _expires_soon(row, REFRESH_MARGIN_SECONDS):
        return vault.decrypt(row.access_token_encrypted)
    seen_version, refresh_ciphertext = row.version, row.refresh_token_encrypted
    db.session.rollback()  # end the read so SQLite can take the write lock without deadlock
    claimed = db.session.execute(
        update(SpotifyToken)
        .where(SpotifyToken.user_id == user_id, SpotifyToken.version == seen_version)
        .values(version=seen_version + 1)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()  # someone else refreshed; their tokens are committed now
        return vault.decrypt(_load(user_id).access_token_encrypted)
    try:
        fresh = oauth.refresh(vault.decrypt(refresh_ciphertext))
    except SpotifyReauthRequiredError:
        db.session.rollback()
        forget_tokens(user_id)
        db.session.commit()
        raise
    except Exception:
        db.session.rollback()
        raise
    store_tokens(vault, user_id, fresh)
    db.session.commit()
    return fresh.access_token


def rotate_all(vault: TokenVault) -> int:
    """Re-encrypt every stored token under the newest key; return how many rows changed."""
    rows = db.session.scalars(select(SpotifyToken)).all()
    for row in rows:
        row.access_token_encrypted = vault.rotate(row.access_token_encrypted)
        row.refresh_token_encrypted = vault.rotate(row.refresh_token_encrypted)
    db.session.commit()
    return len(rows)
