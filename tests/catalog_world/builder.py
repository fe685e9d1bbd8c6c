"""CatalogBuilder: test catalogs written through CatalogWriter, the upsert path imports use.

How to build test data: make a CatalogBuilder and describe the catalog as a source would,
`b.track("Song", ["Host", "Guest"], year=1999, energy=0.4, tempo=120)`, `b.playlist(name,
track_ids)`, `b.play(track_id, when, ms)`, or hand `b.write` a list of TrackRecords; each call
returns the ids the writer gave (never assume 1, 2, 3), `b.artist_id(name)` an artist's. Then
`b.commit()`, which finishes the import like `musaic catalog import` does (artist tags, playlist
counts). Ready-made catalogs sit beside this module: tiny.py (the index and evaluation tests),
standard.py (the matcher world, mirrored into a FakeIndex on request), search.py and standin.py;
the browser tests import TidyTuesday rows with the CLI itself. What is not a catalog fact,
index builds with their neighbour lists, listeners and the playlists generated for them, is
inserted directly, here and nowhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import count
from typing import Any

from sqlalchemy import select, update

from musaic.catalog.importers.records import (
    AlbumRef,
    ArtistRef,
    PlaylistRecord,
    PlayRecord,
    TrackRecord,
)
from musaic.catalog.normalise import song_key
from musaic.catalog.upsert import CatalogWriter
from musaic.catalog.upsert.playlists import write_artist_tags
from musaic.extensions import db
from musaic.matching.types import TrackInfo
from musaic.models import (
    Artist,
    ArtistNeighbourList,
    IndexBuild,
    Playlist,
    PlaylistTrack,
    Tag,
    Track,
    TrackArtist,
    TrackNeighbourList,
    User,
)
from musaic.models.index import pack_list
from tests.matching.fake_index import FakeIndex

MADE_UP = "made up"  # track(spotify_id=MADE_UP): a unique Spotify id; None: the source has none
_SPOTIFY_SERIAL = count(1)  # unique across builders, so two may fill one database
Row = tuple[int, float, int | None]  # (neighbour id, score, support), best first


class CatalogBuilder:
    """Write tracks, playlists and plays through one CatalogWriter; commit() finishes the import.

    Catalog facts go through the writer as the importers' records, so matching, credits,
    albums, tag and playlist counting are the imports' own. With `fake`, every artist and track
    written (and every neighbour row) is mirrored into that FakeIndex under the same id.
    """

    def __init__(
        self, fake: FakeIndex | None = None, *, source: str = "test", history_key: str = "h"
    ) -> None:
        self.fake = fake
        self.source = source
        self.writer = CatalogWriter(db.session(), source=source, history_key=history_key)
        self.records: dict[int, TrackRecord] = {}  # track id -> the record that wrote it
        self.artist_ids: dict[str, int] = {}  # artist name as given -> id
        self.playlist_counts: dict[int, int] = {}  # to set by hand, see _set_playlist_counts
        self.build_id: int | None = None

    # --- catalog facts, through CatalogWriter ---------------------------------------------

    def write(self, records: Sequence[TrackRecord]) -> list[int]:
        """Upsert track records (with artists, album, credits, tags); return their ids."""
        ids = self.writer.write_tracks(records)
        credits: dict[int, list[int]] = {}
        query = select(TrackArtist.track_id, TrackArtist.artist_id).order_by(
            TrackArtist.track_id, TrackArtist.position
        )
        for track_id, artist_id in db.session.execute(query.where(TrackArtist.track_id.in_(ids))):
            credits.setdefault(track_id, []).append(artist_id)
        for track_id, record in zip(ids, records, strict=True):
            self.records.setdefault(track_id, record)
            if len(credits[track_id]) == len(record.artists):  # else two names met one artist
                for ref, artist_id in zip(record.artists, credits[track_id], strict=True):
                    self.artist_ids.setdefault(ref.name, artist_id)
        return ids

    def track(
        self,
        title: str,
        artists: str | int | Sequence[str | int],
        *,
        album: str = "",
        year: int | None = 2010,
        spotify_id: str | None = MADE_UP,
        explicit: bool | None = False,
        popularity: int | None = None,
        duration_ms: int | None = None,
        features: dict[str, float] | None = None,
        energy: float | None = None,
        tempo: float | None = None,
        tags: Sequence[str] = (),
        playlist_count: int | None = None,
    ) -> int:
        """Write one track credited to `artists` (names or ids, first = primary); return its id.

        An album without a name still dates the track, as an import of a bare release date
        does. `energy` and `tempo` fill four features (danceability and valence follow
        energy); `playlist_count` is set by hand at commit (see _set_playlist_counts).
        """
        credited = [artists] if isinstance(artists, str | int) else list(artists)
        features = dict(features or {})
        if energy is not None:
            features |= {"energy": energy, "danceability": energy, "valence": energy}
        if tempo is not None:
            features["tempo"] = tempo
        record = TrackRecord(
            title=title,
            artists=[self._ref(a) for a in credited],
            spotify_id=f"TestTrack{next(_SPOTIFY_SERIAL):013d}"
            if spotify_id == MADE_UP
            else spotify_id,
            album=AlbumRef(album, release_date=str(year) if year else None),
            duration_ms=duration_ms,
            explicit=explicit,
            popularity=popularity,
            features=features,
            tags=list(tags),
        )
        (track_id,) = self.write([record])
        if playlist_count is not None:
            self.set_playlist_count(track_id, playlist_count)
        self._mirror_track(track_id, record)
        return track_id

    def set_playlist_count(self, track_id: int, playlist_count: int) -> None:
        """Give a track this playlist count at the next commit, whatever playlists hold it."""
        self.playlist_counts[track_id] = playlist_count

    def playlist(self, name: str, track_ids: Sequence[int]) -> int:
        """Import a human-made playlist of tracks this builder wrote; return its id."""
        tracks = [self.records[t] for t in track_ids]
        self.writer.write_playlists([PlaylistRecord(self.source, name, name, tracks)])
        found = db.session.scalar(
            select(Playlist.id).where(
                Playlist.kind == "imported",
                Playlist.source == self.source,
                Playlist.external_id == name,
            )
        )
        assert found is not None
        return found

    def play(self, track_id: int, played_at: datetime, ms_played: int) -> None:
        """Add one play of a track this builder wrote to the builder's listening history."""
        self.writer.write_plays([PlayRecord(played_at, ms_played, self.records[track_id])])

    def artist_id(self, name: str) -> int:
        """Return the id of an artist credited (under this name) on a track written here."""
        return self.artist_ids[name]

    def tag_artist(self, artist: str | int, tags: Sequence[str] | Mapping[str, float]) -> None:
        """Tag one artist (weight 1 each, or the weights given) with the upsert path's writer.

        A record's tags tag every artist it credits, so one artist of a duet cannot be tagged
        alone by a record; this writes what CatalogWriter.finish writes for record tags.
        """
        artist_id = artist if isinstance(artist, int) else self.artist_ids[artist]
        weights = dict(tags) if isinstance(tags, Mapping) else dict.fromkeys(tags, 1.0)
        write_artist_tags(
            db.session(), Counter({(artist_id, n): w for n, w in weights.items()}), self.source
        )
        if self.fake is not None:
            names = list(weights)
            ids = dict(
                db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names))).all()
            )
            self.fake.add_artist(
                self.fake.names[artist_id], names, artist_id, [ids[n] for n in names]
            )

    def commit(self) -> None:
        """Finish the import (artist tags, playlist counts) and commit everything so far."""
        self.writer.finish()
        self._set_playlist_counts()
        db.session.commit()

    def _set_playlist_counts(self) -> None:
        """Set the playlist counts given by hand, after the writer's recount.

        A matcher test wants a popularity spread of 100 playlists without 100 playlists in
        the catalog (they would also feed co-occurrence), so this one column is set directly.
        """
        for track_id, playlist_count in self.playlist_counts.items():
            statement = update(Track).where(Track.id == track_id)
            db.session.execute(statement.values(playlist_count=playlist_count))
        self.playlist_counts.clear()  # set once: a test may change them later

    def _ref(self, artist: str | int) -> ArtistRef:
        if isinstance(artist, str):
            return ArtistRef(artist)
        row = db.session.get(Artist, artist)
        assert row is not None, f"no artist {artist}"
        self.artist_ids.setdefault(row.name, row.id)
        return ArtistRef(row.name, row.spotify_id)

    def _mirror_track(self, track_id: int, record: TrackRecord) -> None:
        if self.fake is None:
            return
        names = tuple(ref.name for ref in record.artists)
        artist_ids = tuple(self.artist_ids[n] for n in names)
        for name, artist_id in zip(names, artist_ids, strict=True):
            if artist_id not in self.fake.names:
                self.fake.add_artist(name, artist_id=artist_id)
        features = record.features
        album = record.album
        info = TrackInfo(
            id=track_id,
            title=record.title,
            song_key=song_key(names[0], record.title),
            artist_ids=artist_ids,
            artist_names=names,
            release_year=int(album.release_date) if album and album.release_date else None,
            explicit=record.explicit,
            popularity=record.popularity,
            playlist_count=self.playlist_counts.get(track_id, 0),
            # the reader describes a track's features only when it has energy and tempo
            features=dict(features) if {"energy", "tempo"} <= set(features) else None,
        )
        self.fake.add_track(info)

    # --- not catalog facts: index builds and their neighbour lists, inserted directly -------

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

    def track_neighbours(self, kind: str, track_id: int, rows: Sequence[Row]) -> None:
        """Store (neighbour id, score, support) rows, best first, for one track."""
        if self.fake is not None:
            self.fake.add_track_neighbours(kind, track_id, rows)
        lists = _packed(rows)
        db.session.add(
            TrackNeighbourList(build_id=self.index(), kind=kind, track_id=track_id, **lists)
        )

    def artist_neighbours(self, kind: str, artist_id: int, rows: Sequence[Row]) -> None:
        """Store (neighbour id, score, support) rows, best first, for one artist."""
        if self.fake is not None:
            self.fake.add_artist_neighbours(kind, artist_id, rows)
        lists = _packed(rows)
        db.session.add(
            ArtistNeighbourList(build_id=self.index(), kind=kind, artist_id=artist_id, **lists)
        )


def _packed(rows: Sequence[Row]) -> dict[str, Any]:
    """Pack (neighbour id, score, support) rows as a neighbour-list row's columns."""
    support = [row[2] for row in rows]
    counts = None if all(c is None for c in support) else [c or 0 for c in support]
    return pack_list([row[0] for row in rows], [row[1] for row in rows], counts)._asdict()


# --- not catalog facts: listeners and the playlists Musaic generated for them --------------


def add_user(account_id: str = "acc-ada") -> int:
    """Create the listener row a logged-in export belongs to; commit; return its id."""
    user = User(account_id=account_id, spotify_id=account_id, display_name=account_id)
    db.session.add(user)
    db.session.commit()
    return user.id


def add_generated_playlist(
    track_ids: Sequence[int],
    owner_id: int | None = None,
    name: str = "Export test",
    *,
    source: str = "musaic",
    external_id: str | None = None,
) -> int:
    """Save a playlist Musaic generated of `track_ids` in order; commit; return its id."""
    playlist = Playlist(
        kind="generated",
        source=source,
        external_id=external_id,
        owner_id=owner_id,
        name=name,
        seed_track_id=track_ids[0] if track_ids else None,
        matcher="hybrid",
        options={},
    )
    playlist.items = [
        PlaylistTrack(
            position=i,
            track_id=t,
            score=1.0 - i / 1000,
            reasons=[{"code": "x", "text": "same mood"}],
        )
        for i, t in enumerate(track_ids)
    ]
    db.session.add(playlist)
    db.session.commit()
    return playlist.id
