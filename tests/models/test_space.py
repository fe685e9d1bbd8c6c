"""A rebuilt index gives the old build's pages back to the file system (SQLite)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from musaic import create_app
from musaic.extensions import SQLITE_PAGE_SIZE, db
from musaic.models.space import INCREMENTAL, reclaim_free_pages
from musaic.services.catalog import import_file
from musaic.services.index import build_index
from tests.conftest import SHARED_DATA_DIR

MPD_SAMPLE = SHARED_DATA_DIR / "mpd_slice_sample" / "mpd.slice.0-999.first29.json"


def _pragma(name: str) -> int:
    return int(db.session.execute(text(f"PRAGMA {name}")).scalar() or 0)


def test_a_new_database_file_uses_incremental_auto_vacuum_and_16_kib_pages(tmp_path: Path) -> None:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'new.sqlite3'}")
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x BLOB)"))
        db.session.commit()
        assert _pragma("auto_vacuum") == INCREMENTAL
        assert _pragma("page_size") == SQLITE_PAGE_SIZE == 16384
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_deleted_rows_pages_go_back_to_the_file_system(tmp_path: Path) -> None:
    path = tmp_path / "space.sqlite3"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x BLOB)"))
        for _ in range(200):
            db.session.execute(text("INSERT INTO t VALUES (randomblob(16000))"))
        db.session.commit()
        full = _pragma("page_count")
        db.session.execute(text("DELETE FROM t"))
        db.session.commit()
        free = _pragma("freelist_count")
        assert free >= 150  # the rows' pages are free, still inside the file
        assert reclaim_free_pages(db.session) == free
        assert _pragma("freelist_count") == 0 and _pragma("page_count") <= full - free
    with sqlite3.connect(path) as raw:  # the file itself shrank (the log was checkpointed)
        (pages,) = raw.execute("PRAGMA page_count").fetchone()
        (size,) = raw.execute("PRAGMA page_size").fetchone()
    assert path.stat().st_size == pages * size < full * size


def test_a_file_without_auto_vacuum_keeps_its_pages_and_says_none_were_freed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as raw:  # made by another tool: no auto-vacuum
        raw.execute("CREATE TABLE t (x BLOB)")
        raw.executemany("INSERT INTO t VALUES (randomblob(16000))", [()] * 50)
        raw.execute("DELETE FROM t")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        free = _pragma("freelist_count")
        assert free > 0 and _pragma("auto_vacuum") == 0
        assert reclaim_free_pages(db.session) == 0
        assert _pragma("freelist_count") == free


@pytest.mark.usefixtures("app_context")
def test_a_rebuild_leaves_no_free_pages_behind() -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reuses the space of deleted rows by itself (autovacuum)")
    if not MPD_SAMPLE.exists():
        pytest.skip(f"shared data missing under {SHARED_DATA_DIR}")
    import_file(MPD_SAMPLE)
    build_index()
    stored = db.session.execute(
        text(
            "SELECT SUM(length(neighbour_ids) + length(scores) + coalesce(length(support), 0))"
            " FROM track_neighbour_lists"
        )
    ).scalar()
    assert stored >= 8 * _pragma("page_size")  # a rebuild deletes whole pages of lists
    before = _pragma("page_count")
    build_index()  # writes beside the first build's lists, then deletes those
    assert _pragma("freelist_count") == 0
    # the same lists again, in about as many pages (a few pages of B-tree slack either way)
    assert _pragma("page_count") <= before + max(4, before // 100)


def test_the_migration_switches_an_older_file_to_incremental_auto_vacuum(tmp_path: Path) -> None:
    path = tmp_path / "before.sqlite3"
    with sqlite3.connect(path) as raw:  # a file from before 0008: no auto-vacuum
        raw.execute("CREATE TABLE leftovers (x BLOB)")
        raw.executemany("INSERT INTO leftovers VALUES (randomblob(16000))", [()] * 40)
        raw.execute("DELETE FROM leftovers")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        upgrade(revision="0007")
        assert _pragma("auto_vacuum") == 0 and _pragma("freelist_count") > 0
        db.session.remove()  # no read snapshot from before the VACUUM
        upgrade()  # 0008: VACUUM under the new setting
        assert _pragma("auto_vacuum") == INCREMENTAL and _pragma("freelist_count") == 0
        assert db.session.execute(text("SELECT count(*) FROM tracks")).scalar() == 0
        db.engine.dispose()
