"""`musaic db backup|restore PATH`, added to Flask-Migrate's `musaic db` group."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate.cli import db as db_group

from musaic.extensions import db
from musaic.services import backup as service


def _refuse(exc: service.BackupError) -> NoReturn:
    click.echo(f"Error: {exc.message}", err=True)
    raise SystemExit(2) from exc


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent copy of the whole database to PATH (SQLite file or pg_dump -Fc)."""
    try:
        result = service.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except service.BackupError as exc:
        _refuse(exc)
    click.echo(f"backed up to {result.path} ({result.bytes:,} bytes, {result.method})")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with the backup at PATH (all or nothing)."""
    if not yes:
        click.confirm("Replace every row of the database with this backup?", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection holds a lock or a stale table while restoring
    try:
        result = service.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except service.BackupError as exc:
        _refuse(exc)
    click.echo(f"restored from {result.path} ({result.bytes:,} bytes, {result.method})")


def register() -> None:
    """Add backup and restore to `musaic db`."""
    db_group.add_command(backup_command)
    db_group.add_command(restore_command)
