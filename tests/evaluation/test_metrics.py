"""Known-answer tests for the offline metrics and the baseline rankers."""

import math

import numpy as np
import pytest

from musaic.evaluation import metrics as ev
from musaic.indexing.similarity import incidence_matrix

ARTIST_OF = {1: 10, 2: 20, 3: 30, 5: 50, 7: 70, 9: 10}


def test_r_precision_looks_only_at_the_first_len_relevant_items() -> None:
    assert ev.r_precision([1, 2, 3, 4], {2, 9}) == 0.5
    assert ev.r_precision([3, 4, 2, 9], {2, 9}) == 0.0


def test_r_precision_gives_a_quarter_for_an_artist_only_hit() -> None:
    # 2 is a track hit; 1 is a wrong track by artist 10, who made relevant track 9
    assert ev.r_precision_with_artist_credit([1, 2], {2, 9}, ARTIST_OF) == pytest.approx(0.625)


def test_ndcg_uses_log2_discounts_and_an_ideal_of_min_relevant_k() -> None:
    expected = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ev.ndcg_at_k([5, 1, 7], {1, 7}, 3) == pytest.approx(expected)
    assert ev.ndcg_at_k([1, 7], {1, 7, 9}, 2) == pytest.approx(1.0)


def test_recall_at_k_counts_hits_in_the_first_k() -> None:
    assert ev.recall_at_k([5, 1, 7], {1, 7}, 2) == 0.5


def test_clicks_counts_pages_before_the_first_hit_and_k_over_ten_plus_one_when_none() -> None:
    ranked = list(range(100, 600))
    assert ev.clicks([*range(100, 112), 7], {7}, 100) == 1
    assert ev.clicks(ranked, {7}, 100) == 11
    assert ev.clicks(ranked, {7}, 500) == 51


def test_to_artists_keeps_first_appearance_order() -> None:
    assert ev.to_artists([9, 2, 1, 5], ARTIST_OF) == [10, 20, 50]


def test_playlist_metrics_scores_artist_level_on_distinct_artists() -> None:
    m = ev.playlist_metrics([1, 5], {9, 7}, ARTIST_OF, k=2)
    assert m["r_precision"] == 0.0
    assert m["artist_r_precision"] == 0.5  # artists [10, 50] vs relevant {10, 70}
    assert m["clicks"] == 1.0  # 2 // 10 + 1


def test_aggregate_averages_and_counts() -> None:
    assert ev.aggregate([{"x": 1.0}, {"x": 0.0}]) == {"n": 2.0, "x": 0.5}


X = incidence_matrix([[0, 1, 2], [0, 1], [1, 3]], 5)


def test_popularity_baseline_excludes_seed_and_breaks_ties_by_index() -> None:
    assert ev.popularity(X, seed=1, k=4) == [0, 2, 3, 4]


def test_artist_popularity_puts_the_seed_artists_tracks_first() -> None:
    track_artist = np.array([0, 1, 1, 2, 1])
    assert ev.artist_popularity(X, seed=2, track_artist=track_artist, k=4) == [1, 4, 0, 3]


def test_cooccurrence_count_fills_with_popularity() -> None:
    assert ev.cooccurrence_count(X, seed=3, k=4) == [1, 0, 2, 4]


def test_cosine_prefers_the_rare_exclusive_neighbour_where_counts_prefer_the_popular() -> None:
    x = incidence_matrix([[0, 1], [0, 1], [0, 2], [1, 3], [1, 4], [1, 5]], 6)
    assert ev.cooccurrence_count(x, seed=0, k=2) == [1, 2]
    assert ev.cooccurrence_cosine(x, seed=0, k=2) == [2, 1]
