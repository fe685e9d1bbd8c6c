"""The standard matcher world: a seed band, seven other artists, a remaster and a lonely track."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.catalog_world.builder import CatalogBuilder
from tests.matching.fake_index import FakeIndex

SEED_ARTIST = "Seed Band"
OTHERS = [f"Artist {chr(65 + i)}" for i in range(7)]


@dataclass
class World:
    """The ids of the standard test catalog."""

    seed: int
    seed_artist: int
    seed_remaster: int
    artists: list[int] = field(default_factory=list)
    tracks_by_artist: dict[int, list[int]] = field(default_factory=dict)
    lonely_track: int = 0
    explicit_tracks: list[int] = field(default_factory=list)


def standard_world(*, with_index: bool = True, fake: FakeIndex | None = None) -> World:
    """Build 1 seed artist (6 songs + a remaster of the seed) and 7 others (5 songs each).

    Every track has features, a year (1990 + 3 x artist + song), a playlist count, and every
    third track is explicit. With the index: the seed co-occurs with 30 tracks from every artist
    (support 40 down), artists are similar by cooc/tags/credit, and audio neighbours exist.
    """
    b = CatalogBuilder(fake)
    songs: dict[str, list[int]] = {}
    explicit_tracks: list[int] = []
    for a_index, name in enumerate([SEED_ARTIST, *OTHERS]):
        songs[name] = _songs(b, explicit_tracks, a_index, name, 6 if a_index == 0 else 5)
    remaster = b.track("Song 0-0 - 2011 Remaster", SEED_ARTIST, year=2011, energy=0.1, tempo=90.0)
    b.tag_artist(SEED_ARTIST, ["indie", "rock"])
    for i, name in enumerate(OTHERS):
        b.tag_artist(name, ["indie"] if i % 2 else ["rock", "pop"])
    world = World(
        seed=songs[SEED_ARTIST][0],
        seed_artist=b.artist_id(SEED_ARTIST),
        seed_remaster=remaster,
        artists=[b.artist_id(name) for name in OTHERS],
        tracks_by_artist={b.artist_id(name): tracks for name, tracks in songs.items()},
        lonely_track=b.track("Alone", "Lonely Artist", energy=None, tempo=None),
        explicit_tracks=explicit_tracks,
    )
    if with_index:
        _index_world(b, world)
    b.commit()
    return world


def _songs(
    b: CatalogBuilder, explicit_tracks: list[int], a_index: int, artist: str, count: int
) -> list[int]:
    """Add the artist's songs; every third track of the whole world is explicit."""
    songs = []
    done = 0 if a_index == 0 else 6 + 5 * (a_index - 1)
    for s_index in range(count):
        explicit = (done + s_index + 1) % 3 == 0
        songs.append(
            b.track(
                f"Song {a_index}-{s_index}",
                artist,
                year=1990 + 3 * a_index + s_index,
                explicit=explicit,
                popularity=min(100, 10 * s_index + 5 * a_index),
                playlist_count=100 - 10 * s_index - a_index,
                energy=0.1 + 0.1 * a_index + 0.01 * s_index,
                tempo=90.0 + 5 * s_index + 3 * a_index,
            )
        )
        if explicit:
            explicit_tracks.append(songs[-1])
    return songs


def _index_world(b: CatalogBuilder, world: World) -> None:
    candidates = [
        t
        for artist_id in [world.seed_artist, *world.artists]
        for t in world.tracks_by_artist[artist_id]
        if t != world.seed
    ]
    cooc = [(t, 1.0 - 0.02 * i, 40 - i) for i, t in enumerate([world.seed_remaster, *candidates])]
    b.track_neighbours("cooc", world.seed, cooc)
    b.track_neighbours(
        "audio", world.seed, [(t, 0.5 - 0.01 * i, None) for i, t in enumerate(candidates[:20])]
    )
    b.artist_neighbours(
        "cooc",
        world.seed_artist,
        [(a, 1.0 - 0.1 * i, 10 - i) for i, a in enumerate(world.artists[:4])],
    )
    b.artist_neighbours(
        "tags", world.seed_artist, [(a, 0.8 - 0.1 * i, 1) for i, a in enumerate(world.artists[4:])]
    )
