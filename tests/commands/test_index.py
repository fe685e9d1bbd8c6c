"""`musaic index build|train|status` on the command line."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from flask.testing import FlaskCliRunner
from sqlalchemy import select

from musaic.cli import cli
from musaic.extensions import db
from musaic.models import IndexBuild, RankerModel
from tests.catalog_world.tiny import add_tiny_catalog


def test_build_prints_stages_rows_and_peak_memory(app: Any, runner: FlaskCliRunner) -> None:
    with app.app_context():
        add_tiny_catalog()
    result = runner.invoke(cli, args=["index", "build", "--k", "2"])
    assert result.exit_code == 0, result.output
    assert "track.cooc" in result.output
    assert "track.cooc 11" in result.output  # two neighbours each, track 6 has only one
    assert "peak memory" in result.output


def test_status_shows_the_active_build_after_a_build(app: Any, runner: FlaskCliRunner) -> None:
    assert "no active index" in runner.invoke(cli, args=["index", "status"]).output
    with app.app_context():
        add_tiny_catalog()
    runner.invoke(cli, args=["index", "build", "--method", "bm25_cosine"])
    output = runner.invoke(cli, args=["index", "status"]).output
    assert "active build 1" in output and "bm25_cosine" in output
    assert "artist.tags" in output


def test_build_refuses_a_malformed_method_parameter(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, args=["index", "build", "--param", "alpha"])
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.output


def test_if_missing_skips_an_empty_catalog_then_builds_once(
    app: Any, runner: FlaskCliRunner
) -> None:
    empty = runner.invoke(cli, args=["index", "build", "--if-missing"])
    assert empty.exit_code == 0 and "no index to build" in empty.output
    with app.app_context():
        add_tiny_catalog()
    first = runner.invoke(cli, args=["index", "build", "--if-missing"])
    assert "track.cooc" in first.output
    again = runner.invoke(cli, args=["index", "build", "--if-missing"])
    assert "already built" in again.output
    assert "track.cooc" not in again.output


def _wait_for(pid: int, seconds: float = 120.0) -> int:
    """Wait for our child `pid` to end; return its exit status."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError(f"background training {pid} still running after {seconds} s")


def test_train_if_missing_leaves_a_build_with_a_model_alone(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    app.instance_path = str(tmp_path)
    nothing = runner.invoke(cli, args=["index", "train", "--background"])
    assert nothing.exit_code == 0 and "no active index build" in nothing.output
    with app.app_context():
        add_tiny_catalog()
    runner.invoke(cli, args=["index", "build"])
    with app.app_context():
        build_id = db.session.scalar(select(IndexBuild.id).where(IndexBuild.active))
        db.session.add(RankerModel(build_id=build_id, model="kept", features=[], report={}))
        db.session.commit()
    for extra in ([], ["--background"]):
        result = runner.invoke(cli, args=["index", "train", "--if-missing", *extra])
        assert result.exit_code == 0 and "already has a model" in result.output
    assert not (tmp_path / "ranker-training.pid").exists()  # nothing was started
    with app.app_context():
        assert db.session.get(RankerModel, build_id).model == "kept"  # type: ignore[union-attr]


def test_background_training_runs_in_a_process_of_its_own_and_logs_there(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    app.instance_path = str(tmp_path)
    with app.app_context():
        add_tiny_catalog()
    runner.invoke(cli, args=["index", "build"])
    started = runner.invoke(cli, args=["index", "train", "--if-missing", "--background"])
    assert started.exit_code == 0 and "in the background" in started.output
    pid = int((tmp_path / "ranker-training.pid").read_text())
    assert pid != os.getpid()
    again = runner.invoke(cli, args=["index", "train", "--if-missing", "--background"])
    assert f"already being trained (process {pid})" in again.output
    assert _wait_for(pid) == 0
    log = (tmp_path / "ranker-training.log").read_text()
    # The tiny catalog has too few learning cases for a model: the child says so and stores none.
    assert "ranker: not trained" in log and "fold 1 of 1 done" in log
    with app.app_context():
        assert db.session.query(RankerModel).count() == 0
