"""`musaic tokens rotate`: re-encrypt stored Spotify tokens under the newest key."""

from __future__ import annotations

import click
from cryptography.fernet import InvalidToken
from flask import current_app
from flask.cli import with_appcontext

from musaic.services.spotify_access import make_vault
from musaic.services.tokens import rotate_all


@click.group("tokens")
def tokens_group() -> None:
    """Manage the Spotify tokens stored at rest."""


@tokens_group.command("rotate")
@with_appcontext
def rotate() -> None:
    """Re-encrypt every stored token with the first key of TOKEN_ENCRYPTION_KEY."""
    try:
        count = rotate_all(make_vault(current_app.config))
    except InvalidToken:
        raise click.ClickException(
            "a stored token was encrypted with a key that is not in TOKEN_ENCRYPTION_KEY; "
            "list the new key first and every old key after it"
        ) from None
    click.echo(f"re-encrypted the tokens of {count} listener(s) under the newest key")
