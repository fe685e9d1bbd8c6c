"""Build small synthetic catalogs and similarity indexes for matcher and playlist tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from sqlalchemy import select

from musaic.catalog.normalise import match_key, normalise_artist, normalise_title, song_key
from musaic.extensions import db
from musaic.matching.types import TrackInfo
from musaic.models import (
    Artist,
    ArtistNeighbourList,
    ArtistTag,
    IndexBuild,
    Playlist,
    PlaylistTrack,
    Tag,
    Track,
    TrackArtist,
    TrackNeighbourList,
)
from musaic.models.index import pack_list
from tests.matching.fake_index import FakeIndex


def _packed(rows: Sequence[tuple[int, float, int | None]]) -> dict[str, object]:
    """Pack (neighbour id, score, support) rows as a neighbour-list row's columns."""
    support = [row[2] for row in rows]
    counts = None if all(c is None for c in support) else [c or 0 for c in support]
    packed = pack_list([row[0] for row in rows], [row[1] for row in rows], counts)
    return packed._asdict()


_SPOTIFY_SERIAL = count(1)  # unique across builders, so two may fill one database


class CatalogBuilder:
    """Insert artists, tracks, tags, playlists and neighbour rows straight into the database.

    With `fake`, every artist, track and neighbour row is also added to that FakeIndex under
    the same id, so the SQL reader and the fake can be asked the same questions.
    """

    def __init__(self, fake: FakeIndex | None = None) -> None:
        self.fake = fake
        self.tags: dict[str, Tag] = {}
        self.build_id: int | None = None

    def artist(self, name: str, tags: Sequence[str] = ()) -> int:
        """Add an artist with tags; return its id."""
        row = Artist(name=name, normalised_name=normalise_artist(name))
        db.session.add(row)
        db.session.flush()
        for tag_name in tags:
            if tag_name not in self.tags:
                found = db.session.scalar(select(Tag).where(Tag.name == tag_name))
                self.tags[tag_name] = found or Tag(name=tag_name)
                db.session.add(self.tags[tag_name])
                db.session.flush()
            db.session.add(
                ArtistTag(artist_id=row.id, tag_id=self.tags[tag_name].id, source="test")
            )
        if self.fake is not None:
            tag_ids = [self.tags[t].id for t in tags]
            self.fake.add_artist(name, tags, artist_id=row.id, tag_ids=tag_ids)
        return row.id

    def track(
        self,
        title: str,
        artist_ids: int | Sequence[int],
        *,
        year: int | None = 2010,
        explicit: bool = False,
        popularity: int | None = None,
        playlist_count: int = 0,
        energy: float | None = None,
        tempo: float | None = None,
    ) -> int:
        """Add a track credited to `artist_ids` (first = primary); return its id."""
        ids = [artist_ids] if isinstance(artist_ids, int) else list(artist_ids)
        primary = db.session.get(Artist, ids[0])
        assert primary is not None
        row = Track(
            spotify_id=f"TestTrack{next(_SPOTIFY_SERIAL):013d}",
            title=title,
            normalised_title=normalise_title(title),
            match_key=match_key(primary.name, title),
            song_key=song_key(primary.name, title),
            release_year=year,
            explicit=explicit,
            popularity=popularity,
            playlist_count=playlist_count,
            energy=energy,
            tempo=tempo,
            danceability=energy,
            valence=energy,
        )
        row.credits = [TrackArtist(position=i, artist_id=a) for i, a in enumerate(ids)]
        db.session.add(row)
        db.session.flush()
        if self.fake is not None:
            self.fake.add_track(_info(row, ids, [self.fake.names[a] for a in ids]))
        return row.id

    def playlist(self, name: str, track_ids: Sequence[int]) -> int:
        """Add an imported (human-made) playlist; return its id."""
        row = Playlist(kind="imported", source="test", external_id=name, name=name)
        row.items = [PlaylistTrack(position=i, track_id=t) for i, t in enumerate(track_ids)]
        db.session.add(row)
        db.session.flush()
        return row.id

    def index(self) -> int:
        """Start the active, ready index build that neighbour rows go into; return its id."""
        if self.build_id is None:
            build = IndexBuild(status="ready", active=True, stats={})
            db.session.add(build)
            db.session.flush()
            self.build_id = build.id
        return self.build_id

    def rebuild_index(self) -> int:
        """Swap in a new active build, as `musaic index build` does; return its id."""
        for build in db.session.scalars(select(IndexBuild).where(IndexBuild.active)):
            build.active = False
        self.build_id = None
        return self.index()

    def track_neighbours(
        self, kind: str, track_id: int, rows: Sequence[tuple[int, float, int | None]]
    ) -> None:
        """Store (neighbour id, score, support) rows, best first, for one track."""
        lists = _packed(rows)
        if self.fake is not None:
            self.fake.add_track_neighbours(kind, track_id, rows)
        db.session.add(
            TrackNeighbourList(build_id=self.index(), kind=kind, track_id=track_id, **lists)
        )

    def artist_neighbours(
        self, kind: str, artist_id: int, rows: Sequence[tuple[int, float, int | None]]
    ) -> None:
        """Store (neighbour id, score, support) rows, best first, for one artist."""
        lists = _packed(rows)
        if self.fake is not None:
            self.fake.add_artist_neighbours(kind, artist_id, rows)
        db.session.add(
            ArtistNeighbourList(build_id=self.index(), kind=kind, artist_id=artist_id, **lists)
        )

    def commit(self) -> None:
        """Commit everything added so far."""
        db.session.commit()


def _info(row: Track, artist_ids: Sequence[int], names: Sequence[str]) -> TrackInfo:
    """Describe a just-added track as the reader would (features need energy and tempo)."""
    values = {"energy": row.energy, "tempo": row.tempo, "danceability": row.danceability}
    values["valence"] = row.valence
    known = {name: float(v) for name, v in values.items() if v is not None}
    return TrackInfo(
        row.id, row.title, row.song_key, tuple(artist_ids), tuple(names), row.release_year,
        row.explicit, row.popularity, row.playlist_count or 0,
        known if row.energy is not None and row.tempo is not None else None,
    )  # fmt: skip


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
    seed_artist = b.artist("Seed Band", tags=["indie", "rock"])
    others = [
        b.artist(f"Artist {chr(65 + i)}", tags=["indie"] if i % 2 else ["rock", "pop"])
        for i in range(7)
    ]
    world = World(seed=0, seed_artist=seed_artist, seed_remaster=0, artists=others)
    for a_index, artist_id in enumerate([seed_artist, *others]):
        count = 6 if artist_id == seed_artist else 5
        world.tracks_by_artist[artist_id] = _songs(b, world, a_index, artist_id, count)
    world.seed = world.tracks_by_artist[seed_artist][0]
    world.seed_remaster = b.track(
        "Song 0-0 - 2011 Remaster", seed_artist, year=2011, energy=0.1, tempo=90.0
    )
    lonely_artist = b.artist("Lonely Artist")
    world.lonely_track = b.track("Alone", lonely_artist, energy=None, tempo=None)
    if with_index:
        _index_world(b, world)
    b.commit()
    return world


def _songs(b: CatalogBuilder, world: World, a_index: int, artist_id: int, count: int) -> list[int]:
    """Add the artist's songs; every third track of the whole world is explicit."""
    songs = []
    done = sum(len(tracks) for tracks in world.tracks_by_artist.values())
    for s_index in range(count):
        explicit = (done + s_index + 1) % 3 == 0
        songs.append(
            b.track(
                f"Song {a_index}-{s_index}",
                artist_id,
                year=1990 + 3 * a_index + s_index,
                explicit=explicit,
                popularity=min(100, 10 * s_index + 5 * a_index),
                playlist_count=100 - 10 * s_index - a_index,
                energy=0.1 + 0.1 * a_index + 0.01 * s_index,
                tempo=90.0 + 5 * s_index + 3 * a_index,
            )
        )
        if explicit:
            world.explicit_tracks.append(songs[-1])
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
