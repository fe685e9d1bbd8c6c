"""Streaming history importer: plays in UTC, podcast episodes skipped with a reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from musaic.catalog.importers import detect_format, spotify_history
from musaic.catalog.importers.records import ImportFormatError, PlayRecord, SkippedRecord

FIXTURE = (
    Path(__file__).parent.parent / "fixtures" / "catalog" / "Streaming_History_Audio_2023_0.json"
)


def test_track_plays_are_read_and_podcasts_skipped_with_a_reason() -> None:
    assert detect_format(FIXTURE).name == "spotify-history"
    items = list(spotify_history.read(FIXTURE))
    plays = [i for i in items if isinstance(i, PlayRecord)]
    assert [(p.played_at, p.ms_played, p.track.spotify_id) for p in plays] == [
        (datetime(2023, 3, 1, 8, 0, tzinfo=UTC), 200000, "1aaaaaaaaaaaaaaaaaaaaa"),
        (datetime(2023, 3, 1, 9, 0, tzinfo=UTC), 30000, "1ggggggggggggggggggggg"),
    ]
    assert [i for i in items if isinstance(i, SkippedRecord)] == [
        SkippedRecord("record #2", "podcast episode, not a track")
    ]


def test_an_object_instead_of_an_array_is_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "history.json"
    wrong.write_text('{"ts": "2023-01-01T00:00:00Z"}')
    with pytest.raises(ImportFormatError, match="expected a streaming history array"):
        list(spotify_history.read(wrong))
