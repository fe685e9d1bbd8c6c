"""Cold seeds (the seed in no playlist) and beyond-accuracy scores of finished playlists."""

from __future__ import annotations

import pytest

from musaic.evaluation.beyond import PercentileOf, beyond_accuracy, playlist_picks
from musaic.evaluation.cases import ArtistOf, Case
from musaic.evaluation.cold import ColdArtistReads, ColdSeedReads
from musaic.matching.matchers.hybrid import HybridMatcher
from tests.matching.fake_index import FakeIndex


def _world() -> tuple[FakeIndex, int, list[int], list[int]]:
    """A seed with co-occurrence and audio rows, 3 same-artist tracks and 40 played-with."""
    f = FakeIndex()
    artist = f.add_artist("Seed Artist")
    seed = f.track("Seed", artist, playlist_count=30)
    own = [f.track(f"Own {i}", artist, playlist_count=20 - i) for i in range(3)]
    others = [f.track(f"Other {i}", f.add_artist(f"A{i}"), playlist_count=i) for i in range(40)]
    f.add_track_neighbours("cooc", seed, [(t, 1.0 - 0.01 * i, 5) for i, t in enumerate(others)])
    f.add_track_neighbours("embed", seed, [(others[0], 0.9, None)])
    f.add_track_neighbours("audio", seed, [(others[1], 0.5, None)])
    f.add_track_neighbours("cooc", others[0], [(seed, 1.0, 5), (others[1], 0.8, 4)])
    return f, seed, own, others


def test_a_cold_seed_keeps_its_artist_and_sound_but_loses_its_playlist_rows() -> None:
    f, seed, own, others = _world()
    cold = ColdSeedReads(f)
    found = cold.seed(seed)
    assert found is not None and found.playlist_count == 0 and found.artist_ids
    rows = cold.track_neighbours([seed, others[0]], ["audio", "cooc", "embed"])
    assert [n.kind for n in rows[seed]] == ["audio"]
    assert rows[others[0]] == f.track_neighbours([others[0]], ["cooc"])[others[0]]
    assert cold.playlist_counts([seed, own[0]]) == {seed: 0, own[0]: 20}
    assert cold.track_infos([seed])[seed].playlist_count == 0
    ranked = HybridMatcher(cold).rank(found, 10)
    codes = {r["code"] for c in ranked for r in c.reasons}
    assert "cooccurrence" not in codes and "same_artist" in codes
    warm = HybridMatcher(f).rank(f.seed(seed), 10)  # type: ignore[arg-type]
    assert "cooccurrence" in {r["code"] for c in warm for r in c.reasons}


def test_popularity_percentile_is_the_mid_rank_share() -> None:
    percentile = PercentileOf([0, 0, 10, 20])
    assert percentile(10) == pytest.approx(62.5)
    assert percentile(0) == pytest.approx(25.0)
    assert percentile(99) == pytest.approx(100.0)


def test_discovery_picks_less_popular_tracks_than_mainstream() -> None:
    f, seed, _, others = _world()
    matcher = HybridMatcher(f)
    percentile = PercentileOf([i.playlist_count for i in f.tracks.values()])
    case = Case("p", seed, frozenset(others[:10]))
    artists = ArtistOf({t: i.artist_ids[0] for t, i in f.tracks.items()})
    scores = {
        option: beyond_accuracy(f, matcher, [case], artists, percentile, option)
        for option in ("mainstream", "discovery")
    }
    assert (
        scores["discovery"]["popularity_percentile"] < scores["mainstream"]["popularity_percentile"]
    )
    picks = playlist_picks(f, matcher, seed, "balanced")
    assert seed not in picks and len(picks) == 30
    assert scores["mainstream"]["distinct_artists_in_30"] == len(
        {artists[t] for t in playlist_picks(f, matcher, seed, "mainstream")}
    )


def test_a_cold_artist_keeps_only_its_tags_and_sound() -> None:
    f, seed, own, others = _world()
    artist = f.tracks[seed].artist_ids[0]
    similar = f.tracks[others[5]].artist_ids[0]
    tagged = f.add_artist("Tagged Alike", tags=["shoegaze"])
    f.add_artist_neighbours("cooc", artist, [(similar, 1.0, 3)])
    f.add_artist_neighbours("tags", artist, [(tagged, 0.7, 1)])
    hit = f.track("Tagged Hit", tagged, playlist_count=9)
    cold = ColdArtistReads(f)
    found = cold.seed(seed)
    assert found is not None and found.playlist_count == 0
    rows = cold.artist_neighbours([artist, similar], ["cooc", "tags"])
    assert [n.kind for n in rows[artist]] == ["tags"]
    assert cold.artist_top_tracks([artist, tagged], 5) == {tagged: [hit]}
    assert artist not in cold.artist_top_track_arrays([artist], 5)
    ranked = HybridMatcher(cold).rank(found, 10)
    codes = {r["code"] for c in ranked for r in c.reasons}
    assert codes and codes <= {"tags", "audio"}, codes
    assert hit in [c.track_id for c in ranked]
    # the plain cold seed still leans on its artist
    plain = ColdSeedReads(f)
    plain_codes = {r["code"] for c in HybridMatcher(plain).rank(plain.seed(seed), 10)  # type: ignore[arg-type]
                   for r in c.reasons}  # fmt: skip
    assert "same_artist" in plain_codes and not set(own) & {c.track_id for c in ranked}
