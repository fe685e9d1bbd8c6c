"""The hybrid matcher: rank fusion, support-adaptive weights, fallbacks, batched reads.

The fusion rules run on the in-memory FakeIndex; reads that need the database run on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pytest
from sqlalchemy import event

from musaic.extensions import db
from musaic.matching.base import Candidate, Seed
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers.hybrid import DEFAULT_WEIGHTS, RRF_K, HybridMatcher
from musaic.matching.matchers.ranked import FEATURES, RankedMatcher
from musaic.matching.reads import ForwardingReads, IndexReads
from musaic.matching.types import Neighbour
from tests.catalog_world.standard import standard_world
from tests.matching.fake_index import FakeIndex


def _seed(track_id: int, reads: IndexReads | None = None) -> Seed:
    seed = (reads or IndexReader(db.session)).seed(track_id)
    assert seed is not None
    return seed


def _rank(
    track_id: int, k: int = 30, reads: IndexReads | None = None, **weights: float
) -> list[Candidate]:
    reads = reads or IndexReader(db.session)
    return HybridMatcher(reads, weights).rank(_seed(track_id, reads), k)


def _codes(candidate: Candidate) -> set[str]:
    return {r["code"] for r in candidate.reasons}


def test_a_track_proposed_by_two_signals_outranks_the_top_of_one_signal() -> None:
    f = FakeIndex()
    seed = f.track("Seed", f.add_artist("Seed Artist"), playlist_count=50)
    solo = f.track("Solo", f.add_artist("Solo Artist"), playlist_count=50)
    both = f.track("Both", f.add_artist("Both Artist"), playlist_count=10)
    f.add_track_neighbours("cooc", seed, [(solo, 1.0, 9), (both, 0.9, 8)])
    f.add_track_neighbours("cooc", solo, [(both, 1.0, 7)])  # 2 hops: seed -> solo -> both
    ranked = _rank(seed, reads=f)
    assert [c.track_id for c in ranked] == [both, solo]
    assert _codes(ranked[0]) == {"cooccurrence", "cooccurrence_2hop"}
    assert ranked[0].score > ranked[1].score
    alone = _rank(seed, reads=f, two_hop=0.0)  # weights are passed in, per matcher
    assert [c.track_id for c in alone] == [solo, both]


def test_a_rare_seed_leans_on_its_artist_more_than_a_common_seed() -> None:
    f = FakeIndex()
    worlds = {}
    for playlists in (0, 1000):  # how many playlists hold the seed
        artist = f.add_artist(f"Artist in {playlists}")
        seed = f.track(f"Seed {playlists}", artist, playlist_count=playlists)
        own = f.track(f"Own {playlists}", artist, playlist_count=5)
        peer = f.track(f"Peer {playlists}", f.add_artist(f"Peer of {playlists}"), playlist_count=5)
        f.add_track_neighbours("cooc", seed, [(peer, 1.0, 3)])
        worlds[playlists] = (seed, own, peer)
    (rare, rare_own, rare_peer), (common, common_own, common_peer) = worlds[0], worlds[1000]
    assert [c.track_id for c in _rank(rare, reads=f)] == [rare_own, rare_peer]
    assert [c.track_id for c in _rank(common, reads=f)] == [common_peer, common_own]
    assert _codes(_rank(rare, reads=f)[0]) == {"same_artist"}
    flat = _rank(rare, reads=f, same_artist_rare_seed=0.0)
    assert [c.track_id for c in flat] == [rare_peer, rare_own]


def test_the_embedding_row_votes_only_when_the_build_has_one() -> None:
    f = FakeIndex()
    seed = f.track("Seed", f.add_artist("Seed Artist"), playlist_count=50)
    played = f.track("Played", f.add_artist("Played Artist"), playlist_count=0)
    embedded = f.track("Embedded", f.add_artist("Embedded Artist"), playlist_count=0)
    f.add_track_neighbours("cooc", seed, [(played, 1.0, 4)])
    assert embedded not in {c.track_id for c in _rank(seed, reads=f)}
    f.add_track_neighbours("embed", seed, [(embedded, 0.8, None)])
    ranked = {c.track_id: c for c in _rank(seed, reads=f)}
    assert _codes(ranked[embedded]) == {"embedding"}
    assert ranked[embedded].score == pytest.approx(DEFAULT_WEIGHTS["embedding"] / RRF_K)


def test_artist_signals_explain_themselves_by_name() -> None:
    f = FakeIndex()
    artist, similar = f.add_artist("Seed Band"), f.add_artist("Kindred")
    seed = f.track("Seed", artist, playlist_count=3)
    hit = f.track("Hit", artist, playlist_count=90)
    with_hit = f.track("Beside the hit", f.add_artist("Other"), playlist_count=1)
    kindred = f.track("Kindred song", similar, playlist_count=20)
    f.add_track_neighbours("cooc", hit, [(with_hit, 1.0, 5)])
    f.add_artist_neighbours("cooc", artist, [(similar, 1.0, 4)])
    texts = {c.track_id: {r["text"] for r in c.reasons} for c in _rank(seed, reads=f)}
    assert texts[hit] == {"same artist"}
    assert texts[with_hit] == {"often in playlists with Seed Band's hits"}
    assert texts[kindred] == {"similar artist: Kindred"}


def test_unknown_weight_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown hybrid weight 'arp'"):
        HybridMatcher(FakeIndex(), {"arp": 1.0})


@pytest.mark.usefixtures("app_context")
def test_a_seed_outside_every_playlist_falls_back_on_tags_and_sound() -> None:
    world = standard_world()  # indexed, but only the seed has a co-occurrence row
    newcomer = world.tracks_by_artist[world.artists[0]][0]
    ranked = _rank(newcomer, 40)
    codes = set().union(*(_codes(c) for c in ranked))
    assert {"same_artist", "tags", "audio"} <= codes
    assert "cooccurrence" not in codes
    assert all(c.reasons for c in ranked)


@pytest.mark.usefixtures("app_context")
def test_without_an_index_same_artist_tags_and_audio_still_make_a_ranking() -> None:
    world = standard_world(with_index=False)
    ranked = _rank(world.seed)
    codes = set().union(*(_codes(c) for c in ranked))
    assert {"same_artist", "tags", "audio"} <= codes
    assert ranked[0].track_id in world.tracks_by_artist[world.seed_artist] + [world.seed_remaster]


@pytest.mark.usefixtures("app_context")
def test_reasons_of_every_signal_that_proposed_a_track_are_kept() -> None:
    world = standard_world()
    ranked = _rank(world.seed, 40)
    assert any({"cooccurrence", "same_artist"} <= _codes(c) for c in ranked)
    assert any({"cooccurrence", "similar_artist"} <= _codes(c) for c in ranked)


@pytest.mark.usefixtures("app_context")
def test_the_index_is_read_in_a_fixed_number_of_batched_queries() -> None:
    world = standard_world()
    seed = _seed(world.seed)
    HybridMatcher(IndexReader(db.session)).rank(seed, 5)  # computes the popularity scale once
    with _CountStatements() as few:  # a reader per request, as generation makes one
        HybridMatcher(IndexReader(db.session)).rank(seed, 5)
    with _CountStatements() as many:
        HybridMatcher(IndexReader(db.session)).rank(seed, 100)
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


class _ByRarity:
    """A stand-in model: the fewer playlists a candidate is in, the better."""

    def score(self, rows: np.ndarray) -> np.ndarray:
        return -rows[:, FEATURES.index("candidate_playlists")]


def test_the_ranked_matcher_reorders_the_hybrid_pool_by_its_model_and_keeps_reasons() -> None:
    f = FakeIndex()
    seed = f.track("Seed", f.add_artist("Seed Artist"), playlist_count=50)
    quiet = f.track("Quiet", f.add_artist("Quiet Artist"), playlist_count=1)
    loud = f.track("Loud", f.add_artist("Loud Artist"), playlist_count=90)
    f.add_track_neighbours("cooc", seed, [(quiet, 1.0, 9), (loud, 0.5, 2)])
    hybrid = [c.track_id for c in HybridMatcher(f).rank(_seed(seed, f), 10)]
    assert [c.track_id for c in RankedMatcher(f).rank(_seed(seed, f), 10)] == hybrid
    assert hybrid == [loud, quiet]  # the popularity tie-break lifts the louder one
    f.scorer = _ByRarity()
    ranked = RankedMatcher(f).rank(_seed(seed, f), 10)
    assert [c.track_id for c in ranked] == [quiet, loud]
    assert ranked[0].reasons[0]["code"] == "cooccurrence" and ranked[0].reasons[0]["playlists"] == 9
    _, rows = RankedMatcher(f).candidates(_seed(seed, f))
    assert rows[:, FEATURES.index("cooc_playlists")].tolist() == [9, 2]
    assert rows[:, FEATURES.index("rank_cooccurrence")].tolist() == [0, 1]


class _KindsRead(ForwardingReads):
    """A view that records which neighbour kinds the matcher asks for."""

    def __init__(self, inner: IndexReads) -> None:
        super().__init__(inner)
        self.kinds: set[str] = set()

    def track_neighbours(
        self, track_ids: Iterable[int], kinds: str | Sequence[str], limit: int = 100
    ) -> dict[int, list[Neighbour]]:
        self.kinds.update([kinds] if isinstance(kinds, str) else kinds)
        return super().track_neighbours(track_ids, kinds, limit)


def test_without_a_model_the_default_ranked_matcher_is_the_hybrid_and_reads_no_als_row() -> None:
    f = FakeIndex()
    seed = f.track("Seed", f.add_artist("Seed Artist"), playlist_count=50)
    others = [f.track(f"T{i}", f.add_artist(f"A{i}"), playlist_count=i + 1) for i in range(6)]
    f.add_track_neighbours("cooc", seed, [(t, 1.0 / (i + 1), 6 - i) for i, t in enumerate(others)])
    f.add_track_neighbours("als", seed, [(others[5], 1.0, None)])
    plain, learned = _KindsRead(f), _KindsRead(f)
    hybrid = HybridMatcher(plain).rank(_seed(seed, f), 10)
    ranked = RankedMatcher(learned).rank(_seed(seed, f), 10)
    assert [(c.track_id, c.score, c.reasons) for c in ranked] == [
        (c.track_id, c.score, c.reasons) for c in hybrid
    ]
    assert "als" not in learned.kinds and learned.kinds == plain.kinds
    f.scorer = _ByRarity()
    learned.kinds.clear()
    RankedMatcher(learned).rank(_seed(seed, f), 10)
    assert "als" in learned.kinds  # with a model the seed's ALS row joins the pool


def test_a_seed_in_no_playlist_gets_the_hybrids_order_even_with_a_model() -> None:
    f = FakeIndex()
    artist = f.add_artist("Seed Artist")
    seed = f.track("Seed", artist, playlist_count=0)
    hits = [f.track(f"Hit {i}", artist, playlist_count=90 - i) for i in range(3)]
    f.add_track_neighbours("als", seed, [(hits[2], 1.0, None)])
    hybrid = [c.track_id for c in HybridMatcher(f).rank(_seed(seed, f), 10)]
    f.scorer = _ByRarity()  # would put the least playlisted hit first
    learned = _KindsRead(f)
    assert [c.track_id for c in RankedMatcher(learned).rank(_seed(seed, f), 10)] == hybrid
    assert hybrid[0] == hits[0] and "als" not in learned.kinds
