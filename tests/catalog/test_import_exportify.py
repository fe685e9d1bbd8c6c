"""Exportify importer: current and older headers, artist ids paired with names, one playlist."""

from __future__ import annotations

from pathlib import Path

import pytest

from musaic.catalog.importers import detect_format, exportify
from musaic.catalog.importers.records import (
    ImportFormatError,
    PlaylistRecord,
    SkippedRecord,
    TrackRecord,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "catalog"


def test_current_layout_pairs_artist_uris_with_names_and_reads_isrc() -> None:
    items = list(exportify.read(FIXTURES / "exportify_current.csv"))
    tracks = [i for i in items if isinstance(i, TrackRecord)]
    harbour = tracks[0]
    assert [(a.name, a.spotify_id) for a in harbour.artists] == [
        ("Sea Choir", "4ggggggggggggggggggggg"),
        ("Harbour Duo", "4hhhhhhhhhhhhhhhhhhhhh"),
    ]
    assert (harbour.isrc, harbour.explicit, harbour.popularity) == ("USABC2100001", True, 48)
    assert harbour.features == {"danceability": 0.61, "energy": 0.52, "tempo": 118.2}
    assert isinstance(items[-1], PlaylistRecord)
    assert (items[-1].source, items[-1].external_id) == ("exportify", "exportify_current")
    assert items[-1].tracks == tracks


def test_an_empty_row_is_skipped_with_its_line() -> None:
    skipped = [
        i
        for i in exportify.read(FIXTURES / "exportify_current.csv")
        if isinstance(i, SkippedRecord)
    ]
    assert [s.location for s in skipped] == ["line 4"]


def test_older_layout_with_spotify_id_and_genres_is_read() -> None:
    path = FIXTURES / "exportify_older.csv"
    assert detect_format(path).name == "exportify"
    track = next(i for i in exportify.read(path) if isinstance(i, TrackRecord))
    assert track.spotify_id == "1iiiiiiiiiiiiiiiiiiiii"
    assert track.artists[0].spotify_id == "4iiiiiiiiiiiiiiiiiiiii"
    assert track.tags == ["indie pop", "chamber pop"]
    assert track.album is not None and track.album.release_date == "2008-01-01"


def test_a_csv_without_track_and_artist_names_is_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "list.csv"
    wrong.write_text("Track URI,Title\nspotify:track:1iiiiiiiiiiiiiiiiiiiii,x\n")
    with pytest.raises(ImportFormatError, match="Track Name"):
        list(exportify.read(wrong))
