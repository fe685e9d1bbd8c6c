"""Post-processing: de-duplication, caps, filters, ordering and reproducibility."""

from __future__ import annotations

import itertools
from dataclasses import fields

from musaic.api.playlist_schemas import OptionsIn
from musaic.matching.base import Candidate, Seed, reason
from musaic.matching.popularity import PopularityThresholds
from musaic.matching.postprocess import (
    Options,
    discovery_order,
    order_tracks,
    popularity_level,
    postprocess,
    ranking_depth,
)
from musaic.matching.types import TrackInfo

THRESHOLDS = PopularityThresholds(playlist_count=(10, 50), popularity=(30, 70))
SEED = Seed(track_id=1, artist_ids=(100,), song_key="seed band|seed song", features=None)


def _info(track_id: int, artist_id: int, **fields: object) -> TrackInfo:
    base = TrackInfo(
        id=track_id,
        title=f"Song {track_id}",
        song_key=f"artist {artist_id}|song {track_id}",
        artist_ids=(artist_id,),
        artist_names=(f"Artist {artist_id}",),
        release_year=2000,
        explicit=False,
        popularity=50,
        playlist_count=20,
        features=None,
    )
    return base._replace(**fields)


def _catalog(n_artists: int = 6, per_artist: int = 5) -> dict[int, TrackInfo]:
    tracks = {1: _info(1, 100, song_key=SEED.song_key)}
    for a in range(n_artists):
        for s in range(per_artist):
            track_id = 10 * (a + 1) + s
            tracks[track_id] = _info(track_id, a + 1)
    return tracks


def _ranked(tracks: dict[int, TrackInfo]) -> list[Candidate]:
    ids = sorted(t for t in tracks if t != 1)
    return [Candidate(t, 1.0 - 0.001 * i, [reason("test", "test")]) for i, t in enumerate(ids)]


def _run(tracks: dict[int, TrackInfo], length: int = 10, **options: object) -> list[Candidate]:
    opts = Options(**{"seed": 7, **options})  # type: ignore[arg-type]
    return postprocess(SEED, _ranked(tracks), tracks, opts, length, THRESHOLDS)


def test_seed_comes_first_when_included_and_is_absent_otherwise() -> None:
    tracks = _catalog()
    assert _run(tracks)[0].track_id == 1
    assert _run(tracks)[0].reasons[0]["code"] == "seed"
    assert 1 not in {c.track_id for c in _run(tracks, include_seed=False)}
    assert len(_run(tracks, include_seed=False)) == 10


def test_other_versions_of_the_seed_and_of_any_song_are_dropped() -> None:
    tracks = _catalog()
    tracks[10] = tracks[10]._replace(song_key=SEED.song_key)  # a remaster of the seed
    tracks[21] = tracks[21]._replace(song_key=tracks[20].song_key)  # two takes of one song
    ids = [c.track_id for c in _run(tracks, length=31)]
    assert 10 not in ids
    assert not {20, 21} <= set(ids)
    assert len({tracks[t].song_key for t in ids}) == len(ids)


def test_no_artist_exceeds_max_per_artist() -> None:
    tracks = _catalog(n_artists=3, per_artist=10)
    ids = [c.track_id for c in _run(tracks, length=30, max_per_artist=2, include_seed=False)]
    per_artist = [tracks[t].artist_ids[0] for t in ids]
    assert max(per_artist.count(a) for a in set(per_artist)) == 2
    assert len(ids) == 6  # fewer than asked for: what there is, not a failure


def test_filters_drop_explicit_out_of_range_years_and_excluded_tracks() -> None:
    tracks = _catalog()
    tracks[10] = tracks[10]._replace(explicit=True)
    tracks[11] = tracks[11]._replace(release_year=1980)
    tracks[12] = tracks[12]._replace(release_year=None)
    tracks[20] = tracks[20]._replace(release_year=2020)
    ids = {
        c.track_id
        for c in _run(
            tracks,
            length=40,
            exclude_explicit=True,
            year_min=1990,
            year_max=2010,
            exclude_tracks=frozenset({30, 31}),
        )
    }
    assert not ids & {10, 11, 12, 20, 30, 31}
    assert {13, 14, 21} <= ids


def test_popularity_band_keeps_hits_for_mainstream_and_rarities_for_discovery() -> None:
    tracks = _catalog()
    tracks[10] = tracks[10]._replace(playlist_count=90, popularity=90)  # a hit
    tracks[11] = tracks[11]._replace(playlist_count=1, popularity=5)  # a rarity
    assert popularity_level(tracks[10], THRESHOLDS) == 2
    assert popularity_level(tracks[11], THRESHOLDS) == 0
    mainstream = {
        c.track_id for c in _run(tracks, length=40, max_per_artist=10, popularity="mainstream")
    }
    discovery = {
        c.track_id for c in _run(tracks, length=40, max_per_artist=10, popularity="discovery")
    }
    balanced = {c.track_id for c in _run(tracks, length=40, max_per_artist=10)}
    assert 10 in mainstream and 11 not in mainstream
    assert {10, 11} <= discovery  # discovery demotes hits, it does not drop them
    assert {10, 11} <= balanced


def test_discovery_demotes_hits_below_rarities_ranked_lower() -> None:
    tracks = {t: _info(t, t) for t in range(2, 12)}  # one artist each: no cap applies
    for t in (2, 3):  # the matcher's two best are hits
        tracks[t] = tracks[t]._replace(playlist_count=90, popularity=90)
    for t in range(4, 12):
        tracks[t] = tracks[t]._replace(playlist_count=1, popularity=5)
    ranked = [Candidate(t, 1.0 - t / 100, [reason("test", "test")]) for t in range(2, 12)]
    rescored = discovery_order(ranked, tracks, THRESHOLDS)
    by_score = [c.track_id for c in sorted(rescored, key=lambda c: -c.score)]
    # the rarities first (the best at rank 2); the top hit (x 9) stands level with rank 8's
    assert by_score[:7] == [4, 5, 6, 7, 8, 9, 2] and by_score[-1] == 3
    assert set(by_score) == set(range(2, 12))  # nothing dropped


def test_same_seed_gives_the_same_playlist_and_other_seeds_vary_it() -> None:
    tracks = _catalog(n_artists=10)
    first = [c.track_id for c in _run(tracks, seed=42)]
    assert first == [c.track_id for c in _run(tracks, seed=42)]
    others = {tuple(c.track_id for c in _run(tracks, seed=s)) for s in range(10)}
    assert len(others) > 1


def test_never_the_same_artist_back_to_back_when_avoidable() -> None:
    tracks = _catalog(n_artists=3, per_artist=8)
    # Artist 1's tracks all rank above the others: naive ordering would cluster them.
    ids = [c.track_id for c in _run(tracks, length=12, max_per_artist=4, include_seed=False)]
    artists = [tracks[t].artist_ids[0] for t in ids]
    assert len(ids) == 12
    assert all(a != b for a, b in itertools.pairwise(artists))


def test_ordering_repeats_an_artist_only_when_nothing_else_is_left() -> None:
    tracks = {t: _info(t, 1) for t in (2, 3, 4)}
    ranked = [Candidate(t, 1.0, [reason("test", "test")]) for t in (2, 3, 4)]
    assert [c.track_id for c in order_tracks(None, ranked, tracks)] == [2, 3, 4]


def test_ordering_smooths_energy_and_tempo_among_near_equal_tracks() -> None:
    calm = {"energy": 0.2, "tempo": 90.0}
    tracks = {
        1: _info(1, 100, features=calm),
        2: _info(2, 2, features={"energy": 0.95, "tempo": 170.0}),
        3: _info(3, 3, features={"energy": 0.25, "tempo": 95.0}),
    }
    ranked = [Candidate(2, 1.0, [reason("t", "t")]), Candidate(3, 0.99, [reason("t", "t")])]
    assert [c.track_id for c in order_tracks(tracks[1], ranked, tracks)] == [3, 2]


def test_options_round_trip_through_json_and_match_the_api_fields() -> None:
    chosen = Options(max_per_artist=2, year_min=1990, exclude_tracks=frozenset({5, 3}), seed=9)
    assert chosen.to_json()["exclude_tracks"] == [3, 5]
    assert Options.from_json(chosen.to_json()) == chosen
    assert Options.from_json({"popularity": "discovery", "length": 30}).popularity == "discovery"
    assert set(OptionsIn.model_fields) == {f.name for f in fields(Options)}


def test_discovery_asks_the_matcher_for_a_deeper_list_than_the_other_options() -> None:
    assert ranking_depth(Options(popularity="balanced"), 30) == 120
    assert ranking_depth(Options(popularity="mainstream"), 30) == 120
    assert ranking_depth(Options(popularity="discovery"), 30) == 300  # the learned stage's pool
