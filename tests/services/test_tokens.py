"""Token encryption at rest, and key rotation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask.cli import ScriptInfo
from sqlalchemy import select

from musaic.cli import cli
from musaic.errors import UnauthorisedError
from musaic.extensions import db
from musaic.models import SpotifyToken, User
from musaic.services.tokens import TokenVault


def test_ciphertext_does_not_contain_the_token() -> None:
    vault = TokenVault(Fernet.generate_key().decode())
    ciphertext = vault.encrypt("BQD-secret-access-token")
    assert "secret" not in ciphertext
    assert vault.decrypt(ciphertext) == "BQD-secret-access-token"


def test_old_key_still_decrypts_after_rotation_and_rotate_moves_to_the_new_key() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = TokenVault(old).encrypt("refresh-me")
    rotated_vault = TokenVault(f"{new},{old}")
    assert rotated_vault.decrypt(stored) == "refresh-me"
    moved = rotated_vault.rotate(stored)
    assert TokenVault(new).decrypt(moved) == "refresh-me"
    with pytest.raises(UnauthorisedError):
        TokenVault(old).decrypt(moved)


def test_unreadable_ciphertext_asks_for_a_new_login() -> None:
    with pytest.raises(UnauthorisedError) as caught:
        TokenVault(Fernet.generate_key().decode()).decrypt("not-a-fernet-token")
    assert caught.value.code == "spotify_reauth_required"


def test_no_key_and_no_fallback_is_refused() -> None:
    with pytest.raises(ValueError, match="TOKEN_ENCRYPTION_KEY"):
        TokenVault("", fallback_secret="")


def test_development_fallback_key_is_stable_per_secret() -> None:
    first, second = TokenVault("", "dev-secret"), TokenVault("", "dev-secret")
    assert second.decrypt(first.encrypt("x")) == "x"


def test_rotate_command_re_encrypts_stored_tokens_under_the_new_key(app: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with app.app_context():
        user = User(account_id="rotating")
        user.token = SpotifyToken(
            access_token_encrypted=TokenVault(old).encrypt("acc"),
            refresh_token_encrypted=TokenVault(old).encrypt("ref"),
            expires_at=datetime.now(UTC),
        )
        db.session.add(user)
        db.session.commit()
    app.config["TOKEN_ENCRYPTION_KEY"] = f"{new},{old}"
    script = ScriptInfo(create_app=lambda: app)
    result = app.test_cli_runner().invoke(cli, ["tokens", "rotate"], obj=script)
    assert result.exit_code == 0, result.output
    assert "1 listener" in result.output
    with app.app_context():
        row = db.session.scalars(select(SpotifyToken)).one()
        assert TokenVault(new).decrypt(row.refresh_token_encrypted) == "ref"
