"""Spotify tracks enter the catalog through the import path, once, even from concurrent requests."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event, func, select, text

from musaic.catalog.importers.records import AlbumRef, ArtistRef, TrackRecord
from musaic.catalog.search import backend_for
from musaic.catalog.upsert import CatalogWriter
from musaic.extensions import db
from musaic.models import Album, Artist, Track, TrackArtist
from musaic.services.tracks import get_track, upsert_spotify_tracks
from musaic.spotify.models import SpotifyAlbumRef, SpotifyArtistRef, SpotifyTrack
from tests.catalog_world.search import fake_spotify_id

NEW_ID = fake_spotify_id("Glass Harbour|Nova Lane")


class FakeSpotifyTracks:
    """Answer get_track from a fixed set of tracks; count the calls."""

    def __init__(self, *tracks: SpotifyTrack) -> None:
        self.tracks = {t.spotify_id: t for t in tracks}
        self.calls = 0

    def get_track(self, spotify_id: str) -> SpotifyTrack:
        """Return the fixed track with this id."""
        self.calls += 1
        return self.tracks[spotify_id]


def _spotify_track(spotify_id: str, title: str, isrc: str | None = None) -> SpotifyTrack:
    return SpotifyTrack(
        spotify_id=spotify_id,
        name=title,
        artists=(
            SpotifyArtistRef(fake_spotify_id("Nova Lane"), "Nova Lane"),
            SpotifyArtistRef(fake_spotify_id("Ada Reyes"), "Ada Reyes"),
        ),
        album=SpotifyAlbumRef(fake_spotify_id("Tides"), "Tides", "2023-09-01", 2023),
        duration_ms=200_000,
        explicit=False,
        isrc=isrc,
        uri=f"spotify:track:{spotify_id}",
        external_url=None,
    )


def _count(model: type, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _indexed(track_id: int) -> int:
    backend = backend_for(db.session())
    table, column = backend.documents_table, backend.document_id_column
    query = text(f"SELECT count(*) FROM {table} WHERE {column} = :id")
    return db.session.scalar(query, {"id": track_id}) or 0


def test_spotify_tracks_match_imported_rows_by_isrc_then_match_key(app_context: None) -> None:
    imported = CatalogWriter(db.session(), source="tidytuesday")
    by_isrc, by_key = imported.write_tracks(
        [
            TrackRecord("Glass Harbour", [ArtistRef("Nova Lane")], isrc="USXXX2300001"),
            TrackRecord("Low Tide", [ArtistRef("Nova Lane")], album=AlbumRef("Tides")),
        ]
    )
    db.session.commit()
    tracks = upsert_spotify_tracks(
        [
            _spotify_track(NEW_ID, "Glass Harbour (feat. Ada Reyes)", "USXXX2300001"),
            _spotify_track(fake_spotify_id("Low Tide"), "Low Tide"),
        ]
    )
    db.session.commit()
    assert [t.id for t in tracks] == [by_isrc, by_key]
    assert [t.spotify_id for t in tracks] == [NEW_ID, fake_spotify_id("Low Tide")]
    assert tracks[1].album is not None and tracks[1].album.spotify_id == fake_spotify_id("Tides")
    assert (_count(Track), _count(Artist), _count(Album)) == (2, 2, 1)
    assert _count(Artist, Artist.spotify_id == fake_spotify_id("Nova Lane")) == 1


def test_an_unknown_spotify_id_is_fetched_once_credited_and_indexed(app_context: None) -> None:
    spotify = FakeSpotifyTracks(_spotify_track(NEW_ID, "Glass Harbour", "USXXX2300001"))
    track = get_track(NEW_ID, spotify=spotify)
    assert get_track(f"spotify:track:{NEW_ID}", spotify=spotify).id == track.id
    assert spotify.calls == 1
    assert [a.name for a in track.artists] == ["Nova Lane", "Ada Reyes"]
    assert track.album is not None and track.release_year == 2023
    assert _indexed(track.id) == 1


def test_two_requests_adding_the_same_new_track_at_once_share_its_rows(app: Any) -> None:
    """The rival request writes while this one has read its lookups but not yet inserted.

    PostgreSQL: the rival commits first, this INSERT breaks the unique Spotify id, and the
    SAVEPOINT is rolled back and the write redone against the rival's rows. SQLite: this
    request already holds the one write lock, so the rival waits and then matches our rows.
    """
    spotify = FakeSpotifyTracks(_spotify_track(NEW_ID, "Glass Harbour", "USXXX2300001"))
    rival_ids: list[int] = []
    statements: list[str] = []

    def rival_request() -> None:
        with app.app_context():
            rival_ids.append(get_track(NEW_ID, spotify=spotify).id)

    rival = threading.Thread(target=rival_request)

    def before_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)
        if statement.startswith("INSERT INTO artists") and rival.ident is None:
            rival.start()
            if conn.dialect.name == "postgresql":
                rival.join(timeout=30)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before_execute)
        try:
            track_id = get_track(NEW_ID, spotify=spotify).id
            rival.join(timeout=30)
        finally:
            event.remove(db.engine, "before_cursor_execute", before_execute)
        lost_races = sum(s.startswith("ROLLBACK TO SAVEPOINT") for s in statements)
        assert lost_races == (1 if db.engine.dialect.name == "postgresql" else 0)
        assert rival_ids == [track_id]
        assert _count(Track, Track.spotify_id == NEW_ID) == 1
        assert (_count(Artist), _count(Album), _count(TrackArtist)) == (2, 1, 2)
        assert _indexed(track_id) == 1
