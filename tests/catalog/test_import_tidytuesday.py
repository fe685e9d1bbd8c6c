"""TidyTuesday importer: rows to track records, bad rows skipped by line, playlists at the end."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from musaic.catalog.importers import detect_format, tidytuesday
from musaic.catalog.importers.records import (
    ImportFormatError,
    PlaylistRecord,
    SkippedRecord,
    TrackRecord,
)

FIXTURE = Path(__file__).parent.parent / "fixtures" / "catalog" / "tidytuesday_small.csv"


def test_rows_become_tracks_with_features_tags_and_split_credits() -> None:
    items = list(tidytuesday.read(FIXTURE))
    tracks = [i for i in items if isinstance(i, TrackRecord)]
    first = tracks[0]
    assert first.spotify_id == "1aaaaaaaaaaaaaaaaaaaaa"
    assert first.popularity == 61
    assert first.features["energy"] == pytest.approx(0.916)
    assert first.features["key"] == 6
    assert first.tags == ["pop", "dance pop"]
    assert first.album is not None and first.album.release_date == "2019-06-14"
    assert [a.name for a in tracks[-1].artists] == ["Second Band", "Third Voice"]


def test_bad_rows_are_skipped_with_their_line_number() -> None:
    skipped = [i for i in tidytuesday.read(FIXTURE) if isinstance(i, SkippedRecord)]
    assert [(s.location, s.reason) for s in skipped] == [
        ("line 5", "track_name or track_artist is empty"),
        ("line 6", "track_popularity: not a number: 'abc'"),
    ]


def test_playlists_come_last_with_their_tracks_in_file_order() -> None:
    items = list(tidytuesday.read(FIXTURE))
    playlists = [i for i in items if isinstance(i, PlaylistRecord)]
    assert items[-len(playlists) :] == playlists
    assert [(p.external_id, p.name, len(p.tracks)) for p in playlists] == [
        ("3ppppppppppppppppppppp", "Late Pop", 2),
        ("3qqqqqqqqqqqqqqqqqqqqq", "Rock Hours", 2),
    ]


def test_gzip_input_reads_like_plain_and_is_detected(tmp_path: Path) -> None:
    packed = tmp_path / "songs.csv.gz"
    packed.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert detect_format(packed).name == "tidytuesday"
    assert len(list(tidytuesday.read(packed))) == len(list(tidytuesday.read(FIXTURE)))


def test_a_wrong_header_fails_before_any_record(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,name\n1,x\n")
    with pytest.raises(ImportFormatError, match="missing columns: track_id"):
        next(tidytuesday.read(wrong))


def test_a_truncated_gzip_fails_with_a_clear_message(tmp_path: Path) -> None:
    packed = gzip.compress(FIXTURE.read_bytes() * 40)
    truncated = tmp_path / "songs.csv.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ImportFormatError, match="truncated"):
        list(tidytuesday.read(truncated))
