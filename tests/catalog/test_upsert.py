"""The upsert path: cross-source matching, idempotence, playlist replacement and counts."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select, text

from musaic.catalog.importers import importer_for
from musaic.catalog.importers.records import (
    AlbumRef,
    ArtistRef,
    PlaylistRecord,
    SkippedRecord,
    TrackRecord,
)
from musaic.catalog.search import backend_for, index_tracks
from musaic.catalog.upsert import CatalogWriter
from musaic.extensions import db
from musaic.models import Artist, ArtistTag, PlaylistTrack, Track
from tests.conftest import SHARED_DATA_DIR, _empty_all_tables


def _track(title: str, artist: str, spotify_id: str | None = None, **extra: object) -> TrackRecord:
    return TrackRecord(title=title, artists=[ArtistRef(artist)], spotify_id=spotify_id, **extra)  # type: ignore[arg-type]


def _write(*records: TrackRecord, source: str = "test") -> CatalogWriter:
    writer = CatalogWriter(db.session(), source=source)
    writer.write_tracks(list(records))
    writer.finish()
    db.session.commit()
    return writer


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_same_spotify_id_from_two_sources_is_one_track_with_gaps_filled_in(
    app_context: None,
) -> None:
    _write(_track("Night Drive", "The Testers", "1aaaaaaaaaaaaaaaaaaaaa", popularity=40))
    writer = _write(
        _track("Night Drive!", "Testers", "1aaaaaaaaaaaaaaaaaaaaa", popularity=90, duration_ms=1000)
    )
    track = db.session.scalars(select(Track)).one()
    assert (track.title, track.popularity, track.duration_ms) == ("Night Drive", 40, 1000)
    assert writer.tallies()["tracks"].updated == 1


def test_isrc_then_match_key_match_a_track_without_a_conflicting_id(app_context: None) -> None:
    _write(_track("Song", "Band", isrc="USABC2100001"), _track("Other Song", "Band"))
    _write(
        _track("Song (feat. X)", "Band", "1bbbbbbbbbbbbbbbbbbbbb", isrc="USABC2100001"),
        _track("Other Song", "The Band", "1ccccccccccccccccccccc"),
    )
    assert _count(Track) == 2
    ids = set(db.session.scalars(select(Track.spotify_id)))
    assert ids == {"1bbbbbbbbbbbbbbbbbbbbb", "1ccccccccccccccccccccc"}


def test_two_spotify_ids_for_one_song_stay_two_rows_sharing_song_key(app_context: None) -> None:
    _write(
        _track("River", "Band", "1ddddddddddddddddddddd"),
        _track("River - Live", "Band", "1eeeeeeeeeeeeeeeeeeeee"),
        _track("River", "Band", "1fffffffffffffffffffff"),
    )
    assert _count(Track) == 3
    assert len(set(db.session.scalars(select(Track.song_key)))) == 1


def test_writing_the_same_records_twice_changes_nothing(app_context: None) -> None:
    records = [
        _track("A", "Band", "1aaaaaaaaaaaaaaaaaaaaa", popularity=5, tags=["rock"]),
        _track("B", "Band", album=AlbumRef("Album", None, "2001-02-03")),
    ]
    _write(*records)
    tallies = _write(*records).tallies()
    assert all(t.created == 0 and t.updated == 0 for t in tallies.values())
    assert tallies["tracks"].unchanged == 2
    assert db.session.scalars(select(ArtistTag.weight)).one() == 1.0


def test_an_artist_learns_its_spotify_id_from_a_later_source(app_context: None) -> None:
    _write(_track("A", "Band"))
    _write(TrackRecord("B", [ArtistRef("Band", "4aaaaaaaaaaaaaaaaaaaaa")]))
    assert db.session.scalars(select(Artist.spotify_id)).all() == ["4aaaaaaaaaaaaaaaaaaaaa"]


def test_a_changed_playlist_is_replaced_and_playlist_counts_follow(app_context: None) -> None:
    a, b = (
        _track("A", "Band", "1aaaaaaaaaaaaaaaaaaaaa"),
        _track("B", "Band", "1bbbbbbbbbbbbbbbbbbbbb"),
    )
    for tracks in ([a, b], [b]):
        writer = CatalogWriter(db.session(), source="test")
        writer.write_playlists([PlaylistRecord("test", "p1", "Mix", tracks)])
        writer.write_playlists([PlaylistRecord("test", "p2", "Other", [b])])
        writer.finish()
        db.session.commit()
    assert writer.tallies()["playlists"].updated == 1
    counts = dict(db.session.execute(select(Track.spotify_id, Track.playlist_count)).all())
    assert counts == {"1aaaaaaaaaaaaaaaaaaaaa": 0, "1bbbbbbbbbbbbbbbbbbbbb": 2}
    assert _count(PlaylistTrack) == 2


def test_playlist_counts_move_by_distinct_tracks_as_playlists_come_and_change(
    app_context: None,
) -> None:
    a, b, c = (_track(t, "Band", f"1{t.lower() * 21}") for t in "ABC")
    imports = [
        [PlaylistRecord("test", "p1", "Mix", [a, a, b]), PlaylistRecord("test", "p2", "Two", [a])],
        [PlaylistRecord("test", "p1", "Mix", [b, b, c]), PlaylistRecord("test", "p1", "Mix", [c])],
    ]
    recounted = []
    for records in imports:
        writer = CatalogWriter(db.session(), source="test")
        for record in records:  # one batch each: the second p1 replaces the first
            writer.write_playlists([record])
        writer.finish()
        db.session.commit()
        recounted.append(len(writer.recounted_tracks))
    counts = dict(db.session.execute(select(Track.spotify_id, Track.playlist_count)).all())
    from_scratch = dict(
        db.session.execute(
            text(
                "SELECT t.spotify_id, count(DISTINCT i.playlist_id) FROM tracks AS t"
                " LEFT JOIN playlist_tracks AS i ON i.track_id = t.id GROUP BY t.spotify_id"
            )
        ).all()
    )
    assert counts == from_scratch == {"1" + "a" * 21: 1, "1" + "b" * 21: 0, "1" + "c" * 21: 1}
    assert recounted == [2, 3]  # a and b; then a (p1 no longer), b (left p1) and c


T = TypeVar("T")
FIXTURES = Path(__file__).parent.parent / "fixtures" / "catalog"
MPD_SAMPLE = SHARED_DATA_DIR / "mpd_slice_sample" / "mpd.slice.0-999.first29.json"
_SNAPSHOT = {
    "tracks": "SELECT * FROM tracks",
    "artists": "SELECT id, spotify_id, name, normalised_name FROM artists",
    "albums": "SELECT id, spotify_id, name, normalised_name, release_date FROM albums",
    "credits": "SELECT track_id, position, artist_id FROM track_artists",
    "artist tags": "SELECT artist_id, tag_id, weight, source FROM artist_tags",
    "playlists": "SELECT id, source, external_id, name FROM playlists",
    "entries": "SELECT playlist_id, position, track_id FROM playlist_tracks",
    "documents": "SELECT track_id, title, artists, album, prominence FROM track_search",
    "terms": "SELECT term, letters, doc_count FROM track_search_terms",
    "term keys": "SELECT key, term FROM track_search_term_keys",
}


def _batches(records: list[T], one_at_a_time: bool) -> list[list[T]]:
    return [[r] for r in records] if one_at_a_time else [records] if records else []


def _import_records(paths: list[Path], *, one_at_a_time: bool) -> dict[str, list[tuple]]:
    """Write every file's records through CatalogWriter, then return (and remove) every row."""
    session = db.session()
    for path in paths:
        importer = importer_for(path)
        items = [i for i in importer.read(path, None) if not isinstance(i, SkippedRecord)]
        writer = CatalogWriter(session, source=importer.name)
        tracks = [i for i in items if isinstance(i, TrackRecord)]
        for batch in _batches(tracks, one_at_a_time):
            writer.write_tracks(batch)
        playlists = [i for i in items if isinstance(i, PlaylistRecord)]
        for group in _batches(playlists, one_at_a_time):
            writer.write_playlists(group)
        writer.finish()
        index_tracks(writer.changed_track_ids())
        session.commit()
    snapshot = {}
    for name, sql in _SNAPSHOT.items():
        rows = session.execute(text(sql)).mappings()
        snapshot[name] = sorted(
            tuple(v for k, v in row.items() if k not in ("created_at", "updated_at"))
            for row in rows
        )
    backend_for(session).clear(session)  # the vocabulary outlives the tracks
    _empty_all_tables()
    return snapshot


def test_records_written_one_at_a_time_or_in_one_batch_give_the_same_rows(
    app_context: None,
) -> None:
    """The bulk path (one INSERT per table and batch) writes what record-by-record writes do."""
    backend_for(db.session()).clear(db.session())
    paths = [FIXTURES / "tidytuesday_small.csv", FIXTURES / "playlist_slice_small.json"]
    if MPD_SAMPLE.exists():
        paths.append(MPD_SAMPLE)
    one_by_one = _import_records(paths, one_at_a_time=True)
    batched = _import_records(paths, one_at_a_time=False)
    assert len(one_by_one["tracks"]) > 3 and len(one_by_one["documents"]) > 3
    assert one_by_one["credits"] and one_by_one["entries"] and one_by_one["artist tags"]
    for name in _SNAPSHOT:
        assert batched[name] == one_by_one[name], name
