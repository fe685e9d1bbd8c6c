"""MPD slice importer: playlists streamed in order, optional fields, wrong shapes refused."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from musaic.catalog.importers import detect_format, million_playlist
from musaic.catalog.importers.records import ImportFormatError, PlaylistRecord, SkippedRecord
from tests.conftest import SHARED_DATA_DIR

FIXTURE = Path(__file__).parent.parent / "fixtures" / "catalog" / "playlist_slice_small.json"


def test_playlists_keep_track_order_and_optional_fields() -> None:
    playlists = [i for i in million_playlist.read(FIXTURE) if isinstance(i, PlaylistRecord)]
    road_trip = playlists[0]
    assert (road_trip.source, road_trip.external_id, road_trip.name) == ("mpd", "7", "Road Trip")
    first, second = road_trip.tracks
    assert first.artists[0].spotify_id == "4aaaaaaaaaaaaaaaaaaaaa"
    assert first.album is not None and first.album.spotify_id == "2aaaaaaaaaaaaaaaaaaaaa"
    assert second.album is None
    assert [a.name for a in second.artists] == ["Fourth Act", "The Testers"]


def test_a_bad_track_is_skipped_and_its_playlist_kept() -> None:
    items = list(million_playlist.read(FIXTURE))
    skipped = [i for i in items if isinstance(i, SkippedRecord)]
    assert skipped == [
        SkippedRecord(
            "playlist #1", "pid 7 track 2: track_uri is missing or not a Spotify track URI"
        )
    ]
    assert sum(isinstance(i, PlaylistRecord) for i in items) == 2


def test_an_info_key_named_playlists_is_not_mistaken_for_the_array(tmp_path: Path) -> None:
    packed = tmp_path / "slice.json.gz"
    packed.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert detect_format(packed).name == "mpd"
    assert sum(isinstance(i, PlaylistRecord) for i in million_playlist.read(packed)) == 2


@pytest.mark.parametrize(
    "document",
    [{"playlists": {"pid": 1}}, {"info": {}}, [1, 2]],
    ids=["playlists-not-an-array", "no-playlists", "top-level-array"],
)
def test_a_json_of_the_wrong_shape_is_refused(tmp_path: Path, document: object) -> None:
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(document))
    with pytest.raises(ImportFormatError):
        list(million_playlist.read(wrong))


def test_the_shared_sample_slice_reads_29_playlists() -> None:
    sample = SHARED_DATA_DIR / "mpd_slice_sample" / "mpd.slice.0-999.first29.json"
    if not sample.exists():
        pytest.skip(f"shared data missing: {sample}")
    playlists = [i for i in million_playlist.read(sample) if isinstance(i, PlaylistRecord)]
    assert len(playlists) == 29
    assert all(len(p.tracks) > 0 for p in playlists)
