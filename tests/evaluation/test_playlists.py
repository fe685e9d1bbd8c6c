"""Reading MPD slice files and folders for the evaluation: what is accepted, what is refused."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from musaic.evaluation.playlists import (
    PlaylistFileError,
    read_playlists,
    slice_files,
    split_playlists,
)


def _slice(path: Path, pids: list[int]) -> Path:
    """Write a slice of one-track playlists with these pids."""
    tracks = [{"pos": 0, "track_uri": "spotify:track:sp1"}]
    path.write_text(json.dumps({"playlists": [{"pid": p, "tracks": tracks} for p in pids]}))
    return path


def test_a_folder_is_read_slice_by_slice_in_numeric_order_up_to_the_limit(tmp_path: Path) -> None:
    _slice(tmp_path / "mpd.slice.10000-10999.json", [3])
    _slice(tmp_path / "mpd.slice.2000-2999.json", [2])
    gz = tmp_path / "mpd.slice.0-999.json.gz"
    gz.write_bytes(gzip.compress(_slice(tmp_path / "tmp.txt", [0, 1]).read_bytes()))
    (tmp_path / "notes.txt").write_text("not a slice")
    assert [p.name for p in slice_files(tmp_path)] == [
        "mpd.slice.0-999.json.gz",
        "mpd.slice.2000-2999.json",
        "mpd.slice.10000-10999.json",
    ]
    assert [p["pid"] for p in read_playlists(tmp_path)] == [0, 1, 2, 3]
    assert [p["pid"] for p in read_playlists(tmp_path, limit=3)] == [0, 1, 2]


def test_a_folder_without_slices_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlaylistFileError, match=r"no \.json or \.json\.gz"):
        read_playlists(tmp_path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"playlists": [', "line 1, column 16: not valid JSON"),
        (
            '{"playlists": [{"pid": 4, "tracks": "x"}]}',
            r"playlist 1 in the file: \(pid 4\) 'tracks'",
        ),
        ('{"playlists": [1]}', "playlist 1 in the file: expected an object"),
        (
            '{"playlists": [{"pid": 4, "tracks": []}, {"tracks": [{"track_uri": 7}]}]}',
            "playlist 2 in the file: track 1: expected an object with a string 'track_uri'",
        ),
    ],
)
def test_a_bad_file_is_refused_with_the_place_and_the_reason(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(PlaylistFileError, match=reason):
        read_playlists(path)


def test_a_cut_off_gzip_file_is_refused_not_half_read(tmp_path: Path) -> None:
    path = tmp_path / "cut.json.gz"
    path.write_bytes(
        gzip.compress(_slice(tmp_path / "full.json", list(range(500))).read_bytes())[:200]
    )
    with pytest.raises(PlaylistFileError, match="cannot be read as UTF-8 JSON or gzip"):
        read_playlists(path)


def test_split_refuses_repeated_pids_and_writes_nothing(tmp_path: Path) -> None:
    source = _slice(tmp_path / "twice.json", [1, 2, 1])
    with pytest.raises(PlaylistFileError, match="playlist 3: pid 1 appears twice"):
        split_playlists(source, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []  # not even a partial file


def test_split_streams_a_folder_into_two_whole_files(tmp_path: Path) -> None:
    folder = tmp_path / "slices"
    folder.mkdir()
    _slice(folder / "mpd.slice.0-999.json", list(range(30)))
    _slice(folder / "mpd.slice.1000-1999.json", list(range(30, 40)))
    counts = split_playlists(folder, tmp_path / "out", holdout=0.3)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["test.json.gz", "train.json.gz"]
    train = [p["pid"] for p in read_playlists(tmp_path / "out" / "train.json.gz")]
    test = [p["pid"] for p in read_playlists(tmp_path / "out" / "test.json.gz")]
    assert (len(train), len(test)) == (counts["train"], counts["test"])
    assert sorted(train + test) == list(range(40)) and 0 < len(test) < 20
