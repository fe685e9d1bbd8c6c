"""Catalog, user and playlist rows, and the constraints that keep them honest."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from musaic.extensions import db
from musaic.models import (
    Album,
    Artist,
    ArtistTag,
    Playlist,
    PlaylistTrack,
    SpotifyToken,
    Tag,
    Track,
    TrackArtist,
    User,
)


def _track(title: str = "Song", **fields: Any) -> Track:
    key = title.lower()
    return Track(
        title=title, normalised_title=key, match_key=f"a|{key}", song_key=f"a|{key}", **fields
    )


def test_track_keeps_credits_in_order(app_context: None) -> None:
    first, second = (
        Artist(name="Daft Punk", normalised_name="daft punk"),
        Artist(name="Pharrell Williams", normalised_name="pharrell williams"),
    )
    album = Album(name="Random Access Memories", normalised_name="random access memories")
    track = _track("Get Lucky", album=album, release_year=2013, popularity=80, energy=0.8)
    track.credits = [TrackArtist(artist=second, position=1), TrackArtist(artist=first, position=0)]
    db.session.add(track)
    db.session.commit()
    stored = db.session.scalars(select(Track)).one()
    assert [a.name for a in stored.artists] == ["Daft Punk", "Pharrell Williams"]
    assert stored.album is not None and stored.album.name == "Random Access Memories"
    assert stored.has_audio_features is False


def test_spotify_id_is_unique(app_context: None) -> None:
    db.session.add_all([_track("A", spotify_id="x" * 22), _track("B", spotify_id="x" * 22)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_many_tracks_without_spotify_id_are_allowed(app_context: None) -> None:
    db.session.add_all([_track("A"), _track("B")])
    db.session.commit()
    assert len(db.session.scalars(select(Track)).all()) == 2


@pytest.mark.parametrize("field, value", [("popularity", 101), ("duration_ms", -1)])
def test_out_of_range_values_are_rejected(app_context: None, field: str, value: int) -> None:
    db.session.add(_track("A", **{field: value}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_playlist_kind_is_constrained(app_context: None) -> None:
    db.session.add(Playlist(kind="stolen", name="x", options={}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_generated_playlist_keeps_order_scores_and_reasons(app_context: None) -> None:
    user = User(account_id="acc-1", display_name="Listener")
    seed, other = _track("Seed"), _track("Other")
    playlist = Playlist(kind="generated", name="From Seed", options={"length": 2})
    playlist.items = [
        PlaylistTrack(position=1, track=other, score=0.5, reasons=[{"code": "same_artist"}]),
        PlaylistTrack(position=0, track=seed, score=1.0, reasons=[{"code": "seed"}]),
    ]
    db.session.add_all([user, playlist])
    db.session.commit()
    stored = db.session.scalars(select(Playlist)).one()
    assert [item.track.title for item in stored.items] == ["Seed", "Other"]
    assert stored.items[1].reasons == [{"code": "same_artist"}]
    assert stored.options == {"length": 2}


def test_imported_playlist_is_unique_per_source(app_context: None) -> None:
    db.session.add_all(
        [
            Playlist(kind="imported", source="mpd", external_id="7", name="a", options={}),
            Playlist(kind="imported", source="mpd", external_id="7", name="b", options={}),
        ]
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_deleting_a_user_deletes_their_token(app_context: None) -> None:
    user = User(account_id="acc-2")
    from datetime import UTC, datetime

    user.token = SpotifyToken(
        access_token_encrypted="c1", refresh_token_encrypted="c2", expires_at=datetime.now(UTC)
    )
    db.session.add(user)
    db.session.commit()
    db.session.delete(user)
    db.session.commit()
    assert db.session.scalars(select(SpotifyToken)).all() == []


def test_account_id_is_unique(app_context: None) -> None:
    db.session.add_all([User(account_id="same"), User(account_id="same")])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_artist_tags_link_artists_and_tags(app_context: None) -> None:
    artist = Artist(name="Queen", normalised_name="queen")
    artist.tags = [ArtistTag(tag=Tag(name="rock"), weight=2.0, source="tidytuesday")]
    db.session.add(artist)
    db.session.commit()
    stored = db.session.scalars(select(Artist)).one()
    assert [(t.tag.name, t.weight) for t in stored.tags] == [("rock", 2.0)]
