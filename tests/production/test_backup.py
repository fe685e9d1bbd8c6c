"""`musaic db backup` then `musaic db restore` gives back exactly the rows backed up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, update

from musaic.cli import cli
from musaic.extensions import db
from musaic.models import Artist, Playlist, PlaylistTrack, Track
from tests.catalog_world.tiny import add_tiny_catalog


def _snapshot() -> dict[str, Any]:
    db.session.remove()
    return {
        "tracks": sorted(db.session.scalars(select(Track.title))),
        "artists": sorted(db.session.scalars(select(Artist.name))),
        "playlists": sorted(db.session.scalars(select(Playlist.name))),
        "items": db.session.scalar(select(func.count()).select_from(PlaylistTrack)),
    }


def test_backup_then_restore_round_trips_every_row(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        add_tiny_catalog()
        before = _snapshot()
    path = tmp_path / "musaic.backup"
    made = runner.invoke(cli, args=["db", "backup", str(path)])
    assert made.exit_code == 0, made.output
    assert f"backed up to {path}" in made.output and path.stat().st_size > 0
    assert not path.with_name(path.name + ".partial").exists()
    with app.app_context():
        db.session.execute(PlaylistTrack.__table__.delete())
        db.session.execute(Playlist.__table__.delete())
        db.session.execute(update(Artist).values(name="Renamed After The Backup"))
        db.session.commit()
        assert _snapshot() != before
        db.session.remove()
    restored = runner.invoke(cli, args=["db", "restore", "--yes", str(path)])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        assert _snapshot() == before
        db.session.execute(update(Artist).values(name="Written After Restore"))
        db.session.commit()  # the restored database takes writes again


def test_restore_refuses_a_missing_or_foreign_file(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    missing = runner.invoke(cli, args=["db", "restore", "--yes", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "no such backup file" in missing.output
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database")
    refused = runner.invoke(cli, args=["db", "restore", "--yes", str(junk)])
    assert refused.exit_code == 2 and "not a" in refused.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Track.id))) == 0  # nothing was touched
