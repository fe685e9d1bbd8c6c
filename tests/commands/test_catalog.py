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


def _slice_folder(tmp_path: Path) -> Path:
    """A folder like the MPD's data/: slices in numeric order, one gzipped, one broken, a note."""
    folder = tmp_path / "data"
    folder.mkdir()
    slice_text = (FIXTURES / "playlist_slice_small.json").read_text()
    (folder / "mpd.slice.10000-10999.json").write_text(slice_text.replace('"pid": 7', '"pid": 70'))
    (folder / "mpd.slice.2000-2999.json.gz").write_bytes(gzip.compress(slice_text.encode()))
    (folder / "mpd.slice.3000-3999.json").write_text('{"playlists": [')
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / "ReadMeFirst.pdf").write_bytes(b"%PDF-1.4\n\xe2\xe3\xcf\xd3\n")
    return folder


def test_a_folder_imports_file_by_file_and_reports_the_files_it_refused(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["catalog", "import", str(_slice_folder(tmp_path))])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("Imported ")]
    assert "mpd.slice.2000-2999.json.gz (mpd)" in lines[0]
    assert "mpd.slice.10000-10999.json (mpd)" in lines[1]
    assert "Imported 2 of 4 files from" in lines[2]  # the hidden file is not one of them
    assert "Refused" in result.output and "mpd.slice.3000-3999.json" in result.output
    assert "Left alone, in no format Musaic reads: ReadMeFirst.pdf" in result.output
    with app.app_context():
        assert catalog_stats()["imported playlists"] == 3  # pids 7 and 8, then 70 (8 unchanged)
        db.session.remove()


def test_a_strict_folder_import_stops_at_the_first_refused_file(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    # the first slice holds a bad record (track "not-a-uri"): strict stops there
    result = runner.invoke(cli, ["catalog", "import", "--strict", str(_slice_folder(tmp_path))])
    assert result.exit_code == 2
    assert "mpd.slice.2000-2999.json.gz: playlist #1: pid 7 track 2" in result.output
    assert "10000-10999" not in result.output
    assert _nothing_written(app)


def test_an_empty_folder_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["catalog", "import", str(tmp_path)])
    assert result.exit_code == 2
    assert "holds no files to import" in result.output


def test_a_folder_whose_only_other_files_are_unrecognised_imports_cleanly(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    folder = _slice_folder(tmp_path)
    (folder / "mpd.slice.3000-3999.json").unlink()
    (folder / "notes.txt").write_text("what this folder is")
    result = runner.invoke(cli, ["catalog", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Left alone, in no format Musaic reads: ReadMeFirst.pdf, notes.txt" in result.output


def test_a_folder_with_nothing_musaic_reads_is_refused(
    app: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("what this folder is")
    result = runner.invoke(cli, ["catalog", "import", str(tmp_path)])
    assert result.exit_code == 2
    assert "Imported 0 of 1 files" in result.output
    assert _nothing_written(app)
