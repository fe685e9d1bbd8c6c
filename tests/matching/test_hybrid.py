"""The hybrid matcher: rank fusion, support-adaptive weights, fallbacks, batched reads."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from musaic.extensions import db
from musaic.matching.base import Candidate, Seed
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers.hybrid import RRF_K, WEIGHTS, HybridMatcher
from tests.matching.catalog_builder import CatalogBuilder, standard_world

pytestmark = pytest.mark.usefixtures("app_context")


def _seed(track_id: int) -> Seed:
    seed = IndexReader(db.session).seed(track_id)
    assert seed is not None
    return seed


def _rank(track_id: int, k: int = 30) -> list[Candidate]:
    return HybridMatcher(IndexReader(db.session)).rank(_seed(track_id), k)


def _codes(candidate: Candidate) -> set[str]:
    return {r["code"] for r in candidate.reasons}


def test_a_track_proposed_by_two_signals_outranks_the_top_of_one_signal() -> None:
    b = CatalogBuilder()
    seed = b.track("Seed", b.artist("Seed Artist"), playlist_count=50)
    solo = b.track("Solo", b.artist("Solo Artist"), playlist_count=50)
    both = b.track("Both", b.artist("Both Artist"), playlist_count=10)
    b.track_neighbours("cooc", seed, [(solo, 1.0, 9), (both, 0.9, 8)])
    b.track_neighbours("cooc", solo, [(both, 1.0, 7)])  # 2 hops: seed -> solo -> both
    b.commit()
    ranked = _rank(seed)
    assert [c.track_id for c in ranked] == [both, solo]
    assert _codes(ranked[0]) == {"cooccurrence", "cooccurrence_2hop"}
    assert ranked[0].score > ranked[1].score


def test_a_rare_seed_leans_on_its_artist_more_than_a_common_seed() -> None:
    b = CatalogBuilder()
    worlds = {}
    for playlists in (0, 1000):  # how many playlists hold the seed
        artist = b.artist(f"Artist in {playlists}")
        seed = b.track(f"Seed {playlists}", artist, playlist_count=playlists)
        own = b.track(f"Own {playlists}", artist, playlist_count=5)
        peer = b.track(f"Peer {playlists}", b.artist(f"Peer of {playlists}"), playlist_count=5)
        b.track_neighbours("cooc", seed, [(peer, 1.0, 3)])
        worlds[playlists] = (seed, own, peer)
    b.commit()
    (rare, rare_own, rare_peer), (common, common_own, common_peer) = worlds[0], worlds[1000]
    assert [c.track_id for c in _rank(rare)] == [rare_own, rare_peer]
    assert [c.track_id for c in _rank(common)] == [common_peer, common_own]
    assert _codes(_rank(rare)[0]) == {"same_artist"}


def test_the_embedding_row_votes_only_when_the_build_has_one() -> None:
    b = CatalogBuilder()
    seed = b.track("Seed", b.artist("Seed Artist"), playlist_count=50)
    played = b.track("Played", b.artist("Played Artist"), playlist_count=0)
    embedded = b.track("Embedded", b.artist("Embedded Artist"), playlist_count=0)
    b.track_neighbours("cooc", seed, [(played, 1.0, 4)])
    b.commit()
    assert embedded not in {c.track_id for c in _rank(seed)}
    b.track_neighbours("embed", seed, [(embedded, 0.8, None)])
    b.commit()
    ranked = {c.track_id: c for c in _rank(seed)}
    assert _codes(ranked[embedded]) == {"embedding"}
    assert ranked[embedded].score == pytest.approx(WEIGHTS["emb"] / RRF_K)


def test_artist_signals_explain_themselves_by_name() -> None:
    b = CatalogBuilder()
    artist, similar = b.artist("Seed Band"), b.artist("Kindred")
    seed = b.track("Seed", artist, playlist_count=3)
    hit = b.track("Hit", artist, playlist_count=90)
    with_hit = b.track("Beside the hit", b.artist("Other"), playlist_count=1)
    kindred = b.track("Kindred song", similar, playlist_count=20)
    b.track_neighbours("cooc", hit, [(with_hit, 1.0, 5)])
    b.artist_neighbours("cooc", artist, [(similar, 1.0, 4)])
    b.commit()
    texts = {c.track_id: {r["text"] for r in c.reasons} for c in _rank(seed)}
    assert texts[hit] == {"same artist"}
    assert texts[with_hit] == {"often in playlists with Seed Band's hits"}
    assert texts[kindred] == {"similar artist: Kindred"}


def test_a_seed_outside_every_playlist_falls_back_on_tags_and_sound() -> None:
    world = standard_world()  # indexed, but only the seed has a co-occurrence row
    newcomer = world.tracks_by_artist[world.artists[0]][0]
    ranked = _rank(newcomer, 40)
    codes = set().union(*(_codes(c) for c in ranked))
    assert {"same_artist", "tags", "audio"} <= codes
    assert "cooccurrence" not in codes
    assert all(c.reasons for c in ranked)


def test_without_an_index_same_artist_tags_and_audio_still_make_a_ranking() -> None:
    world = standard_world(with_index=False)
    ranked = _rank(world.seed)
    codes = set().union(*(_codes(c) for c in ranked))
    assert {"same_artist", "tags", "audio"} <= codes
    assert ranked[0].track_id in world.tracks_by_artist[world.seed_artist] + [world.seed_remaster]


def test_reasons_of_every_signal_that_proposed_a_track_are_kept() -> None:
    world = standard_world()
    ranked = _rank(world.seed, 40)
    assert any({"cooccurrence", "same_artist"} <= _codes(c) for c in ranked)
    assert any({"cooccurrence", "similar_artist"} <= _codes(c) for c in ranked)


def test_the_index_is_read_in_a_fixed_number_of_batched_queries() -> None:
    world = standard_world()
    seed = _seed(world.seed)
    matcher = HybridMatcher(IndexReader(db.session))
    matcher.rank(seed, 5)  # the first rank per build also computes the popularity scale
    with _CountStatements() as few:
        matcher.rank(seed, 5)
    with _CountStatements() as many:
        matcher.rank(seed, 100)
    assert few["n"] == many["n"] <= 7  # independent of k and of the number of candidates


class _CountStatements:
    """Count the SQL statements sent while the block runs."""

    def __init__(self) -> None:
        self.counted = {"n": 0}

    def _on_execute(self, *args: object) -> None:
        self.counted["n"] += 1

    def __enter__(self) -> dict[str, int]:
        event.listen(db.engine, "before_cursor_execute", self._on_execute)
        return self.counted

    def __exit__(self, *args: object) -> None:
        event.remove(db.engine, "before_cursor_execute", self._on_execute)
