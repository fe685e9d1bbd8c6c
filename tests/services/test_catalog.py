"""Catalog use cases on both backends: real data slices, idempotence, demo and stats."""

from __future__ import annotations

import gzip
import shutil
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import func, select

from musaic.catalog.importers.records import BadRecordError
from musaic.extensions import db
from musaic.models import ListeningEvent, Track
from musaic.services.catalog import catalog_stats, import_file, load_demo_catalog
from tests.conftest import SHARED_DATA_DIR

FIXTURES = Path(__file__).parent.parent / "fixtures" / "catalog"
TIDYTUESDAY = SHARED_DATA_DIR / "tidytuesday_spotify_songs" / "spotify_songs.csv.gz"
MPD_SAMPLE = SHARED_DATA_DIR / "mpd_slice_sample" / "mpd.slice.0-999.first29.json"


def _tidytuesday_slice(folder: Path, rows: int = 2000) -> Path:
    """Write the header and first `rows` rows of the shared TidyTuesday file as .csv.gz."""
    if not TIDYTUESDAY.exists() or not MPD_SAMPLE.exists():
        pytest.skip(f"shared data missing under {SHARED_DATA_DIR}")
    target = folder / "tidytuesday_spotify_songs" / "spotify_songs.csv.gz"
    target.parent.mkdir(parents=True)
    with gzip.open(TIDYTUESDAY, "rt") as source, gzip.open(target, "wt") as out:
        out.writelines(islice(source, rows + 1))
    return target


def _track_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Track)) or 0


def test_real_slices_import_once_and_then_report_everything_unchanged(
    app_context: None, tmp_path: Path
) -> None:
    songs = _tidytuesday_slice(tmp_path)
    first = [import_file(songs), import_file(MPD_SAMPLE)]
    assert first[0].tallies["tracks"].created > 1500
    assert first[1].tallies["playlists"].created == 29
    again = [import_file(songs), import_file(MPD_SAMPLE)]
    for summary in again:
        assert all(t.created == 0 and t.updated == 0 for t in summary.tallies.values()), summary
    assert again[1].tallies["tracks"].unchanged == first[1].tallies["tracks"].created + (
        first[1].tallies["tracks"].unchanged
    )
    assert db.session.scalar(select(func.max(Track.playlist_count))) >= 2


def test_streaming_history_plays_are_stored_once_under_their_history_key(
    app_context: None,
) -> None:
    history = FIXTURES / "Streaming_History_Audio_2023_0.json"
    first = import_file(history, history_key="listener-1")
    second = import_file(history, history_key="listener-1")
    assert (first.tallies["plays"].created, second.tallies["plays"].unchanged) == (2, 2)
    assert [s.reason for s in first.skipped] == ["podcast episode, not a track"]
    keys = db.session.scalars(select(ListeningEvent.history_key).distinct()).all()
    assert keys == ["listener-1"]


def test_a_strict_import_with_a_bad_row_writes_nothing(app_context: None) -> None:
    with pytest.raises(BadRecordError, match="line 5"):
        import_file(FIXTURES / "tidytuesday_small.csv", strict=True)
    assert _track_count() == 0


def _foreign_keys_enforced() -> bool:
    return bool(db.session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar())


def test_sqlite_checks_foreign_keys_again_after_an_import_succeeds_or_fails(
    app_context: None,
) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the import switches foreign-key checks off on SQLite only")
    import_file(FIXTURES / "playlist_slice_small.json")
    assert _foreign_keys_enforced()
    db.session.commit()
    with pytest.raises(BadRecordError):
        import_file(FIXTURES / "tidytuesday_small.csv", strict=True)
    assert _foreign_keys_enforced()


def test_stats_count_tracks_playlists_and_features(app_context: None) -> None:
    import_file(FIXTURES / "tidytuesday_small.csv")
    import_file(FIXTURES / "playlist_slice_small.json")
    stats = catalog_stats()
    assert stats["tracks"] == 4  # 3 TidyTuesday tracks + 1 new from the MPD file
    assert stats["imported playlists"] == 4
    assert stats["tracks with audio features"] == 3
    assert stats["tracks with Spotify ids"] == 4


def test_demo_without_data_leaves_an_empty_catalog_and_says_so(
    app_context: None, tmp_path: Path
) -> None:
    result = load_demo_catalog(tmp_path)
    assert not result.imported
    assert "No demo data found" in result.message
    assert _track_count() == 0


def test_demo_imports_into_an_empty_catalog_only(app_context: None, tmp_path: Path) -> None:
    _tidytuesday_slice(tmp_path, rows=300)
    mpd = tmp_path / "mpd_subset_followers10" / "mpd_dev.json.gz"
    mpd.parent.mkdir()
    with MPD_SAMPLE.open("rb") as source, gzip.open(mpd, "wb") as out:
        shutil.copyfileobj(source, out)
    result = load_demo_catalog(tmp_path)
    assert result.imported and [s.format for s in result.summaries] == ["tidytuesday", "mpd"]
    tracks = _track_count()
    again = load_demo_catalog(tmp_path)
    assert not again.imported and "already holds" in again.message
    assert _track_count() == tracks


def test_import_reports_running_record_counts_ending_at_the_total(
    app_context: None, tmp_path: Path
) -> None:
    songs = _tidytuesday_slice(tmp_path, rows=12_000)  # more than one written batch
    counts: list[int] = []
    summary = import_file(songs, records=counts.append)
    assert len(counts) >= 2 and counts == sorted(counts)
    assert counts[-1] == summary.read > counts[0]
