"""An index build whose process dies is cleaned up by `index status --repair` or the next build."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from musaic.cli import cli
from musaic.extensions import db
from musaic.models import IndexBuild, TrackNeighbourList
from musaic.models.index import pack_list
from musaic.services.index import STALE_AFTER
from tests.catalog_world.tiny import add_tiny_catalog
from tests.conftest import REPO_DIR

# Build in a child process that writes every row and then dies before the swap, like a
# `musaic index build` killed by a deploy or an out-of-memory kill.
DYING_BUILD = """
import os, sys
from musaic import create_app
from musaic.services.index import build_index
app = create_app("test", SQLALCHEMY_DATABASE_URI=sys.argv[1])
with app.app_context():
    build_index(before_swap=lambda build_id: os._exit(9))
"""


def _builds() -> dict[int, str]:
    return {b.id: b.status for b in db.session.scalars(select(IndexBuild))}


def _rows(build_id: int) -> int:
    query = select(func.count()).where(TrackNeighbourList.build_id == build_id)
    return db.session.scalar(query) or 0


def test_a_killed_build_is_marked_failed_and_its_rows_deleted_by_repair(
    app: Any, runner: FlaskCliRunner
) -> None:
    with app.app_context():
        add_tiny_catalog()
    assert runner.invoke(cli, args=["index", "build"]).exit_code == 0
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    child = subprocess.run(
        [sys.executable, "-c", DYING_BUILD, url], cwd=REPO_DIR, capture_output=True, timeout=120
    )
    assert child.returncode == 9, child.stderr.decode()[-2000:]
    with app.app_context():
        assert _builds() == {1: "ready", 2: "building"}
        assert _rows(2) > 0
        db.session.remove()
    result = runner.invoke(cli, args=["index", "status", "--repair"])
    assert result.exit_code == 0, result.output
    assert "rows deleted: 2" in result.output
    assert "active build 1" in result.output and "latest build 2: failed" in result.output
    with app.app_context():
        assert _builds() == {1: "ready", 2: "failed"}
        assert _rows(2) == 0 and _rows(1) > 0
        assert "interrupted" in db.session.get(IndexBuild, 2).stats["error"]


def test_the_next_build_cleans_up_an_abandoned_one_but_not_a_running_one(
    app: Any, runner: FlaskCliRunner
) -> None:
    with app.app_context():
        t = add_tiny_catalog().tracks
        long_ago = datetime.now(UTC) - STALE_AFTER - timedelta(minutes=1)
        elsewhere = {"owner": {"host": "another-dyno", "pid": 4}}
        db.session.add_all(
            [
                IndexBuild(id=7, status="building", stats=elsewhere, started_at=long_ago),
                IndexBuild(id=8, status="building", stats=elsewhere),  # still running there
            ]
        )
        packed = pack_list([t[2]], [1.0])
        db.session.add(
            TrackNeighbourList(
                build_id=7,
                kind="cooc",
                track_id=t[1],
                size=packed.size,
                neighbour_ids=packed.neighbour_ids,
                scores=packed.scores,
                support=packed.support,
            )
        )
        db.session.commit()
    assert runner.invoke(cli, args=["index", "build"]).exit_code == 0
    with app.app_context():
        builds = _builds()
        assert (builds.pop(7), builds.pop(8)) == ("failed", "building")
        assert list(builds.values()) == ["ready"]
        assert _rows(7) == 0
