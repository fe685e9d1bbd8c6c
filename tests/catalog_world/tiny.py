"""The tiny catalog: six tracks, four artists, three imported playlists, one listening history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.catalog_world.builder import CatalogBuilder, add_generated_playlist

# Tracks and artists are numbered here; add_tiny_catalog returns the ids they were given.
ARTISTS = {1: "Alpha", 2: "Bravo", 3: "Charlie", 4: "Delta"}
# number -> (title, primary artist number, spotify id, audio features: energy/tempo scale or None)
TRACKS = {
    1: ("One", 1, "sp1", 0.1),
    2: ("Two", 1, "sp2", 0.2),
    3: ("Three", 2, "sp3", 0.9),
    4: ("Four (feat. Charlie)", 2, "sp4", None),
    5: ("Five", 3, "sp5", 0.85),
    6: ("Six", 4, "sp6", None),
}
PLAYLISTS = {"p1": [1, 2, 3], "p2": [1, 2], "p3": [3, 4, 5]}
# Tags ride on every track of the artist (one credit each), as a genre column would.
TAGS = {1: ["rock", "indie"], 2: ["rock"], 3: ["jazz"], 4: ["jazz", "rock"]}
START = datetime(2024, 1, 1, 20, 0, tzinfo=UTC)
# (minutes after START, track number, ms played): 5 then 6 form a session; 1 is too short; 2 alone
PLAYS = [(0, 5, 200_000), (4, 6, 180_000), (8, 1, 10_000), (60, 2, 200_000)]


@dataclass(frozen=True)
class TinyCatalog:
    """The ids the tiny catalog's numbered tracks and artists were given."""

    tracks: dict[int, int]
    artists: dict[int, int]


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


def add_tiny_catalog() -> TinyCatalog:
    """Import the tiny catalog, its playlists and plays, add one generated playlist; commit."""
    b = CatalogBuilder(history_key="h")
    tracks = {
        number: b.track(
            title,
            ARTISTS[artist],
            year=None,
            spotify_id=spotify_id,
            explicit=None,
            features=_features(scale) if scale is not None else None,
            tags=TAGS[artist],
        )
        for number, (title, artist, spotify_id, scale) in TRACKS.items()
    }
    for external_id, numbers in PLAYLISTS.items():
        b.playlist(external_id, [tracks[n] for n in numbers])
    for minutes, number, ms in PLAYS:
        b.play(tracks[number], START + timedelta(minutes=minutes), ms)
    b.commit()
    generated = [tracks[1], tracks[6]]
    add_generated_playlist(
        generated, name="made-by-musaic", source="test", external_id="made-by-musaic"
    )
    artists = {number: b.artist_id(name) for number, name in ARTISTS.items()}
    return TinyCatalog(tracks, artists)
