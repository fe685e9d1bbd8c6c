"""The upsert path: cross-source matching, idempotence, playlist replacement and counts."""

from __future__ import annotations

from sqlalchemy import func, select

from musaic.catalog.importers.records import (
    AlbumRef,
    ArtistRef,
    PlaylistRecord,
    TrackRecord,
)
from musaic.catalog.upsert import CatalogWriter
from musaic.extensions import db
from musaic.models import Artist, ArtistTag, PlaylistTrack, Track


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
