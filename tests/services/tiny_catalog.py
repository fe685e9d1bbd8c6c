"""A hand-made catalog of six tracks, four artists, three playlists and one listening history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from musaic.catalog.normalise import match_key, normalise_artist, normalise_title, song_key
from musaic.extensions import db
from musaic.models import (
    Artist,
    ArtistTag,
    ListeningEvent,
    Playlist,
    PlaylistTrack,
    Tag,
    Track,
    TrackArtist,
)

ARTISTS = {1: "Alpha", 2: "Bravo", 3: "Charlie", 4: "Delta"}
# id -> (title, primary artist id, spotify id, audio features: energy/tempo scale or None)
TRACKS = {
    1: ("One", 1, "sp1", 0.1),
    2: ("Two", 1, "sp2", 0.2),
    3: ("Three", 2, "sp3", 0.9),
    4: ("Four (feat. Charlie)", 2, "sp4", None),
    5: ("Five", 3, "sp5", 0.85),
    6: ("Six", 4, "sp6", None),
}
PLAYLISTS = {"p1": [1, 2, 3], "p2": [1, 2], "p3": [3, 4, 5]}
TAGS = {1: ["rock", "indie"], 2: ["rock"], 3: ["jazz"], 4: ["jazz", "rock"]}
START = datetime(2024, 1, 1, 20, 0, tzinfo=UTC)
# (minutes after START, track id, ms played): 5 then 6 form a session; 1 is too short; 2 alone
PLAYS = [(0, 5, 200_000), (4, 6, 180_000), (8, 1, 10_000), (60, 2, 200_000)]


def _features(scale: float) -> dict[str, float]:
    return {
        "danceability": scale,
        "energy": scale,
        "key": 1,
        "loudness": -5.0 * scale,
        "mode": 1,
        "speechiness": scale / 2,
        "acousticness": 1 - scale,
        "instrumentalness": 0.0,
        "liveness": 0.1,
        "valence": scale,
        "tempo": 100 + 40 * scale,
    }


def add_tiny_catalog() -> None:
    """Insert the tiny catalog, one imported playlist per PLAYLISTS entry, and commit."""
    for artist_id, name in ARTISTS.items():
        db.session.add(Artist(id=artist_id, name=name, normalised_name=normalise_artist(name)))
    for track_id, (title, artist_id, spotify_id, scale) in TRACKS.items():
        artist = ARTISTS[artist_id]
        db.session.add(
            Track(
                id=track_id,
                spotify_id=spotify_id,
                title=title,
                normalised_title=normalise_title(title),
                match_key=match_key(artist, title),
                song_key=song_key(artist, title),
                **(_features(scale) if scale is not None else {}),
            )
        )
        db.session.add(TrackArtist(track_id=track_id, position=0, artist_id=artist_id))
    tag_ids = {name: i for i, name in enumerate(["rock", "indie", "jazz"], start=1)}
    db.session.add_all(Tag(id=i, name=name) for name, i in tag_ids.items())
    for artist_id, names in TAGS.items():
        for name in names:
            db.session.add(ArtistTag(artist_id=artist_id, tag_id=tag_ids[name], source="test"))
    db.session.flush()
    for external_id, track_ids in PLAYLISTS.items():
        add_playlist(external_id, track_ids, kind="imported")
    add_playlist("made-by-musaic", [1, 6], kind="generated")
    for minutes, track_id, ms in PLAYS:
        played_at = START + timedelta(minutes=minutes)
        db.session.add(
            ListeningEvent(history_key="h", played_at=played_at, track_id=track_id, ms_played=ms)
        )
    db.session.commit()


def add_playlist(external_id: str, track_ids: list[int], kind: str = "imported") -> None:
    """Add a playlist of `track_ids` in order."""
    playlist = Playlist(kind=kind, source="test", external_id=external_id, name=external_id)
    playlist.items = [PlaylistTrack(position=i, track_id=t) for i, t in enumerate(track_ids)]
    db.session.add(playlist)
