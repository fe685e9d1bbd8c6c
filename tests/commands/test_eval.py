"""`musaic eval` and `musaic eval split` on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskCliRunner

from musaic.cli import cli
from tests.catalog_world.tiny import add_tiny_catalog

TINY_MPD = Path(__file__).resolve().parent.parent / "fixtures" / "eval" / "tiny_playlists.json"


def test_eval_prints_a_table_and_writes_json_and_a_chart(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        add_tiny_catalog()
    out, chart = tmp_path / "report.json", tmp_path / "chart.png"
    result = runner.invoke(
        cli, args=["eval", "--playlists", str(TINY_MPD), "--json", str(out), "--plot", str(chart)]
    )
    assert result.exit_code == 0, result.output
    assert "2 cases from 4 playlists" in result.output
    assert "cooccurrence_count" in result.output
    assert "\nranked " in result.output  # the default matcher, beside the baselines
    report = json.loads(out.read_text())
    results = report["results"]
    assert results["popularity"]["n"] == 2
    ranked, counts = results["ranked"], results["cooccurrence_count"]
    gain = ranked["r_precision"] / counts["r_precision"] - 1
    assert report["gains_over_counts"]["ranked"]["r_precision"] == round(gain, 4)
    assert "cooccurrence_count" not in report["gains_over_counts"]  # baselines are not gains
    assert "  ranked: " in result.output and f"{gain * 100:+.1f} % R-precision" in result.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_refuses_unknown_hybrid_weights(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, args=["eval", "--playlists", str(TINY_MPD), "--weights", "vibes=1"])
    assert result.exit_code == 2
    assert "unknown hybrid weight" in result.output


def test_eval_without_playlists_explains_what_is_missing(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, args=["eval"])
    assert result.exit_code == 2
    assert "--playlists is required" in result.output


def test_split_writes_train_and_test_files(runner: FlaskCliRunner, tmp_path: Path) -> None:
    args = [
        "eval",
        "split",
        "--playlists",
        str(TINY_MPD),
        "--holdout",
        "0.5",
        "--out",
        str(tmp_path),
    ]
    result = runner.invoke(cli, args=args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "train.json.gz").exists() and (tmp_path / "test.json.gz").exists()
    assert "test.json.gz" in result.output


def test_eval_names_the_playlists_file_and_the_line_of_bad_json(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"playlists": [\n{"pid": 1,')
    result = runner.invoke(cli, args=["eval", "--playlists", str(path)])
    assert result.exit_code == 2
    assert "Invalid value for --playlists" in result.output
    assert "line 2, column 11: not valid JSON" in result.output
    assert "Traceback" not in result.output


def test_eval_refuses_playlists_the_catalog_cannot_score(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    # an empty catalog: no playlist has a seed
    result = runner.invoke(cli, args=["eval", "--playlists", str(TINY_MPD)])
    assert result.exit_code == 2
    assert "none of its 4 playlists can be scored" in result.output


def test_eval_split_refuses_a_bad_file_without_a_traceback(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text("not json")
    result = runner.invoke(cli, args=["eval", "split", "--playlists", str(path), "--out", "o"])
    assert result.exit_code == 2
    assert "bad.json: line 1, column 1: not valid JSON" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
