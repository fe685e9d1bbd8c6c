"""The tags matcher ranks tagged-alike artists' hits: similarity x popularity_factor."""

from __future__ import annotations

import pytest

from musaic.matching.matchers.tags import TAG_ARTISTS, TagsMatcher, popularity_factor
from tests.matching.fake_index import FakeIndex


def test_popularity_factor_is_one_without_playlists_and_grows_slowly() -> None:
    assert popularity_factor(0) == 1.0
    assert popularity_factor(-3) == 1.0
    assert popularity_factor(5) == pytest.approx((1 + 1.791759) ** 1.5, rel=1e-5)
    assert popularity_factor(1000) / popularity_factor(100) < 2  # 10x the playlists, < 2x


def test_a_slightly_less_similar_artists_hit_beats_a_rarity() -> None:
    f = FakeIndex()
    seed_artist = f.add_artist("New Band", tags=["shoegaze", "dream pop"])
    close = f.add_artist("Close", tags=["shoegaze", "dream pop"])
    near = f.add_artist("Near", tags=["shoegaze"])
    seed = f.track("First Single", seed_artist)
    rarity = f.track("Deep Cut", close, playlist_count=0)
    hit = f.track("Anthem", near, playlist_count=40)
    f.add_artist_neighbours("tags", seed_artist, [(close, 1.0, 2), (near, 0.8, 1)])
    found = f.seed(seed)
    assert found is not None
    ranked = TagsMatcher(f).rank(found, 10)
    assert [c.track_id for c in ranked] == [hit, rarity]
    assert ranked[0].score == pytest.approx(0.8 * popularity_factor(40))
    assert ranked[1].score == pytest.approx(1.0)
    assert ranked[0].reasons[0]["text"] == "shares tags: shoegaze"


def test_only_the_best_tag_neighbours_are_asked_for_their_tracks() -> None:
    f = FakeIndex()
    seed_artist = f.add_artist("New Band", tags=["polka"])
    others = [f.add_artist(f"Polka {i}", tags=["polka"]) for i in range(TAG_ARTISTS + 5)]
    seed = f.track("First", seed_artist)
    tracks = [f.track(f"Song {i}", a, playlist_count=1) for i, a in enumerate(others)]
    rows = [(a, 1.0 - 0.01 * i, 1) for i, a in enumerate(others)]
    f.add_artist_neighbours("tags", seed_artist, rows)
    found = f.seed(seed)
    assert found is not None
    ranked = [c.track_id for c in TagsMatcher(f).rank(found, 100)]
    assert ranked == tracks[:TAG_ARTISTS]
