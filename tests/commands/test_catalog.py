"""`musaic catalog ...` on the command line: summaries, exit code 2 and nothing written."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

from musaic.cli import cli
from musaic.extensions import db
from musaic.services.catalog import catalog_stats

FIXTURES = Path(__file__).parent.parent / "fixtures" / "catalog"


def _nothing_written(app: Any) -> bool:
    with app.app_context():
        counts = catalog_stats()
        db.session.remove()
    return all(value == 0 for value in counts.values())


def test_import_prints_a_summary_with_skipped_lines(app: Any, runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["catalog", "import", str(FIXTURES / "tidytuesday_small.csv")])
    assert result.exit_code == 0, result.output
    assert "tracks: 3 created, 0 updated, 0 unchanged" in result.output
    assert "line 6: track_popularity: not a number: 'abc'" in result.output
    again = runner.invoke(cli, ["catalog", "import", str(FIXTURES / "tidytuesday_small.csv")])
    assert "tracks: 0 created, 0 updated, 3 unchanged" in again.output


def _truncated_gzip(tmp_path: Path) -> Path:
    packed = gzip.compress((FIXTURES / "tidytuesday_small.csv").read_bytes() * 50)
    path = tmp_path / "songs.csv.gz"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    return path


def _wrong_header(tmp_path: Path) -> Path:
    path = tmp_path / "songs.csv"
    path.write_text("id,title,artist\n1,a,b\n")
    return path


def _wrong_shape(tmp_path: Path) -> Path:
    path = tmp_path / "slice.json"
    path.write_text('{"info": {}, "playlists": {"pid": 1}}')
    return path


@pytest.mark.parametrize(
    ("make_file", "format_name", "message"),
    [
        (_truncated_gzip, "tidytuesday", "truncated"),
        (_wrong_header, "tidytuesday", "missing columns"),
        (_wrong_shape, "mpd", '"playlists" is not an array'),
    ],
    ids=["truncated-gzip", "csv-wrong-header", "json-wrong-shape"],
)
def test_a_bad_file_exits_2_with_a_message_and_writes_nothing(
    app: Any, runner: FlaskCliRunner, tmp_path: Path, make_file: Any, format_name: str, message: str
) -> None:
    path = make_file(tmp_path)
    result = runner.invoke(cli, ["catalog", "import", str(path), "--format", format_name])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert _nothing_written(app)


def test_strict_import_stops_at_the_first_bad_row(app: Any, runner: FlaskCliRunner) -> None:
    path = FIXTURES / "tidytuesday_small.csv"
    result = runner.invoke(cli, ["catalog", "import", str(path), "--strict"])
    assert result.exit_code == 2
    assert "line 5" in result.output
    assert _nothing_written(app)


def test_stats_prints_every_count(runner: FlaskCliRunner) -> None:
    runner.invoke(cli, ["catalog", "import", str(FIXTURES / "exportify_current.csv")])
    output = runner.invoke(cli, ["catalog", "stats"]).output
    assert "tracks: 2" in output
    assert "imported playlists: 1" in output
    assert "listening events: 0" in output


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[str]:
    """Serve tmp_path/served over loopback HTTP; yield its base URL."""
    served = tmp_path / "served"
    served.mkdir()
    handler = partial(SimpleHTTPRequestHandler, directory=str(served))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_with_a_checksum_mismatch_exits_2_keeps_and_imports_nothing(
    app: Any, runner: FlaskCliRunner, tmp_path: Path, file_server: str
) -> None:
    (tmp_path / "served" / "spotify_songs.csv").write_bytes(
        (FIXTURES / "tidytuesday_small.csv").read_bytes()
    )
    dest = tmp_path / "downloads"
    result = runner.invoke(
        cli,
        [
            "catalog",
            "fetch",
            "tidytuesday-spotify-songs",
            "--dest",
            str(dest),
            "--url",
            f"{file_server}/spotify_songs.csv",
        ],
    )
    assert result.exit_code == 2
    assert "sha256" in result.output
    assert list(dest.iterdir()) == []
    assert _nothing_written(app)


def test_demo_without_data_exits_0_with_a_clear_message(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    app.config["MUSAIC_DATA_DIR"] = str(tmp_path)
    result = runner.invoke(cli, ["catalog", "demo"])
    assert result.exit_code == 0
    assert "No demo data found" in result.output
    assert _nothing_written(app)
