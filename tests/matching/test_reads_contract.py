"""The SQL reader answers every IndexReads read like the in-memory fake on the same data."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from musaic.extensions import db
from musaic.matching.index_reader import IndexReader
from musaic.matching.reads import IndexReads
from tests.catalog_world.builder import CatalogBuilder
from tests.catalog_world.standard import World, standard_world
from tests.matching.fake_index import FakeIndex

pytestmark = pytest.mark.usefixtures("app_context")


def _both() -> tuple[World, list[IndexReads], list[int]]:
    """Build the standard world plus a collaboration in the database and in a fake."""
    fake = FakeIndex()
    world = standard_world(fake=fake)
    b = CatalogBuilder(fake)
    collab = b.track(
        "Duet", [world.seed_artist, "Guest Star"], playlist_count=7, energy=0.5, tempo=100
    )
    guest = b.artist_id("Guest Star")
    b.tag_artist(guest, ["rock"])
    b.commit()
    return world, [IndexReader(db.session), fake], [guest, collab]


def _same(reads: list[IndexReads], ask: Any) -> Any:
    sql, fake = (ask(r) for r in reads)
    assert sql == fake
    return sql


def test_track_and_artist_reads_agree() -> None:
    world, reads, (guest, collab) = _both()
    tracks = [world.seed, world.seed_remaster, collab, world.lonely_track, 10**9]
    artists = [world.seed_artist, *world.artists, guest]
    infos = _same(reads, lambda r: r.track_infos(tracks))
    assert set(infos) == {world.seed, world.seed_remaster, collab, world.lonely_track}
    assert _same(reads, lambda r: r.seed(world.seed)).artist_ids == (world.seed_artist,)
    assert _same(reads, lambda r: r.seed(10**9)) is None
    _same(reads, lambda r: r.playlist_counts(tracks))
    top = _same(reads, lambda r: r.artist_top_tracks_counted(artists, 3))
    assert collab in [t for t, _ in top[guest]]  # credited in second position counts
    arrays = _same(
        reads,
        lambda r: {a: c.ids.tolist() for a, c in r.artist_top_track_arrays(artists, 3).items()},
    )
    assert arrays == {a: [t for t, _ in tracks] for a, tracks in top.items()}
    _same(reads, lambda r: r.artist_top_tracks(artists, 2))
    assert _same(reads, lambda r: r.co_credited_artists([world.seed_artist])) == {guest: 1}
    _same(reads, lambda r: r.artist_names([*artists, 10**9]))
    tags = _same(reads, lambda r: r.artist_tags(artists))
    assert tags[world.seed_artist] and guest in tags
    rock = [t for t, name in tags[world.seed_artist].items() if name == "rock"]
    _same(reads, lambda r: r.artists_sharing_tags(rock, [world.seed_artist], 4))


def test_neighbour_reads_agree_on_kinds_order_and_limits() -> None:
    world, reads, _ = _both()
    ids = [world.seed, world.lonely_track]
    for kinds, limit in (("cooc", 100), (["cooc", "audio"], 5), (["audio", "embed"], 100)):
        sql, fake = (r.track_neighbours(ids, kinds, limit) for r in reads)
        assert sql == fake and world.lonely_track not in sql
    for r in reads:  # the array read holds the same lists, one kind at a time
        arrays = r.track_neighbour_arrays(ids, "cooc", 3)
        lists = r.track_neighbours(ids, "cooc", 3)
        assert set(arrays) == set(lists) and lists
        for owner, row in arrays.items():
            assert row.ids.tolist() == [n.neighbour_id for n in lists[owner]]
            assert row.scores.tolist() == [n.score for n in lists[owner]]
    for artist_kinds in ("cooc", ["tags", "cooc"], ["credit"]):
        sql, fake = (r.artist_neighbours([world.seed_artist], artist_kinds, 3) for r in reads)
        assert sql == fake


def test_audio_candidates_and_popularity_thresholds_agree() -> None:
    _, reads, _ = _both()
    features = {"energy": 0.3, "tempo": 100.0}
    sql, fake = (r.audio_candidates(features, 12) for r in reads)
    assert sorted(sql, key=lambda i: i.id) == sorted(fake, key=lambda i: i.id) and sql
    assert _same(reads, lambda r: r.popularity_thresholds()).max_playlist_count == 100


def test_thousands_of_ids_are_one_read_with_one_parameter() -> None:
    world, reads, _ = _both()
    many = [*range(10**6, 10**6 + 3000), world.seed, world.lonely_track]  # past SQLite's 999
    sent: list[Any] = []

    def record(_conn: Any, _cursor: Any, _statement: str, parameters: Any, *_: Any) -> None:
        sent.append(parameters)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        infos = _same(reads, lambda r: dict(r.track_infos(many)))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert set(infos) == {world.seed, world.lonely_track}
    assert len(sent) == 1 and len(sent[0]) == 1  # one statement, the list as one value
