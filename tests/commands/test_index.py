"""`musaic index build|status` on the command line."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskCliRunner

from musaic.cli import cli
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
