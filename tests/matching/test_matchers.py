"""The matchers rank candidates with reasons from the index, and degrade without it."""

from __future__ import annotations

import pytest

from musaic.extensions import db
from musaic.matching.base import Candidate, Seed
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers.artist import ArtistMatcher
from musaic.matching.matchers.audio import AudioMatcher
from musaic.matching.matchers.cooccurrence import CooccurrenceMatcher, playlists_reason
from musaic.matching.matchers.tags import TagsMatcher
from musaic.matching.registry import MATCHERS
from tests.catalog_world.builder import CatalogBuilder
from tests.catalog_world.standard import World, standard_world

pytestmark = pytest.mark.usefixtures("app_context")


def _seed(track_id: int) -> Seed:
    seed = IndexReader(db.session).seed(track_id)
    assert seed is not None
    return seed


def _codes(candidate: Candidate) -> set[str]:
    return {r["code"] for r in candidate.reasons}


@pytest.fixture
def world() -> World:
    return standard_world()


@pytest.mark.parametrize("name", sorted(MATCHERS))
def test_every_matcher_ranks_distinct_non_seed_candidates_with_reasons(
    world: World, name: str
) -> None:
    ranked = MATCHERS[name](IndexReader(db.session)).rank(_seed(world.seed), 15)
    assert 0 < len(ranked) <= 15
    assert world.seed not in {c.track_id for c in ranked}
    assert len({c.track_id for c in ranked}) == len(ranked)
    assert all(c.reasons and all(r["text"] for r in c.reasons) for c in ranked)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)


def test_cooccurrence_reason_counts_the_shared_playlists(world: World) -> None:
    ranked = CooccurrenceMatcher(IndexReader(db.session)).rank(_seed(world.seed), 5)
    first = ranked[0].reasons[0]
    assert first["code"] == "cooccurrence"
    assert first["playlists"] == 40
    assert first["text"] == "often in playlists with the seed (40 playlists)"


def test_cooccurrence_reason_reads_right_for_a_single_shared_playlist() -> None:
    assert playlists_reason(1)["text"] == "in a playlist with the seed"
    assert playlists_reason(2)["text"] == "often in playlists with the seed (2 playlists)"
    assert playlists_reason(None)["text"] == "often in playlists with the seed"


def test_cooccurrence_expands_two_hops_through_the_seeds_neighbours(app_context: None) -> None:
    b = CatalogBuilder()
    seed, near, far = (b.track(f"T{i}", "Solo") for i in range(3))
    b.track_neighbours("cooc", seed, [(near, 1.0, 3)])
    b.track_neighbours("cooc", near, [(seed, 1.0, 3), (far, 0.5, 2)])
    b.commit()
    ranked = CooccurrenceMatcher(IndexReader(db.session)).rank(_seed(seed), 10)
    assert [c.track_id for c in ranked] == [near, far]
    assert _codes(ranked[1]) == {"cooccurrence_2hop"}


def test_artist_matcher_puts_the_seed_artists_songs_first_then_similar_artists(
    world: World,
) -> None:
    ranked = ArtistMatcher(IndexReader(db.session)).rank(_seed(world.seed), 30)
    same = set(world.tracks_by_artist[world.seed_artist]) | {world.seed_remaster}
    assert ranked[0].track_id in same
    assert _codes(ranked[0]) == {"same_artist"}
    similar = [r for c in ranked for r in c.reasons if r["code"] == "similar_artist"]
    assert {
        "artist": "Artist A",
        "code": "similar_artist",
        "text": "similar artist: Artist A",
    } in similar


def test_artist_matcher_finds_collaborators_from_credits_without_an_index(
    app_context: None,
) -> None:
    b = CatalogBuilder()
    seed = b.track("Duet", ["Host", "Guest"])
    guest_solo = b.track("Guest Solo", "Guest")
    b.track("Unrelated", "Stranger")
    b.commit()
    ranked = ArtistMatcher(IndexReader(db.session)).rank(_seed(seed), 10)
    assert [c.track_id for c in ranked] == [guest_solo]
    assert ranked[0].reasons[0]["code"] in {"same_artist", "collaborator"}


def test_audio_matcher_computes_neighbours_on_the_fly_without_an_index(app_context: None) -> None:
    world = standard_world(with_index=False)
    ranked = AudioMatcher(IndexReader(db.session)).rank(_seed(world.seed), 5)
    assert ranked
    assert all(_codes(c) == {"audio"} for c in ranked)
    assert ranked[0].reasons[0]["text"].startswith("close in ")
    # The remaster has the seed's exact features, so it is the closest track.
    assert ranked[0].track_id == world.seed_remaster


def test_audio_matcher_has_nothing_for_a_seed_without_features(world: World) -> None:
    assert AudioMatcher(IndexReader(db.session)).rank(_seed(world.lonely_track), 10) == []


def test_tags_matcher_uses_tag_overlap_without_an_index(app_context: None) -> None:
    world = standard_world(with_index=False)
    ranked = TagsMatcher(IndexReader(db.session)).rank(_seed(world.seed), 50)
    assert ranked
    texts = {r["text"] for c in ranked for r in c.reasons}
    assert any("indie" in t or "rock" in t for t in texts)
    assert not {c.track_id for c in ranked} & set(world.tracks_by_artist[world.seed_artist])
