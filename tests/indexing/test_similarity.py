"""Known-answer tests for the top-K similarity tables."""

import math

import numpy as np
import pytest
from scipy import sparse

from musaic.indexing import similarity as sim

# contexts (playlists) over 5 items; item 4 is in no context
CONTEXTS = [[0, 1, 2], [0, 1], [1, 3]]


@pytest.fixture
def incidence() -> sparse.csr_matrix:
    return sim.incidence_matrix(CONTEXTS, 5)


def test_incidence_matrix_counts_a_repeated_item_once() -> None:
    x = sim.incidence_matrix([[1, 1, 2]], 3)
    assert x.toarray().tolist() == [[0.0, 1.0, 1.0]]


def test_item_counts_and_context_weights(incidence: sparse.csr_matrix) -> None:
    assert sim.item_counts(incidence).tolist() == [2, 3, 1, 1, 0]
    assert sim.context_weights(incidence, 1.0) == pytest.approx([1 / 3, 1 / 2, 1 / 2])


def test_topk_rows_keeps_largest_positive_entries_and_pads() -> None:
    table = sim.topk_rows(sparse.csr_matrix([[0.0, 3.0, 1.0], [2.0, 0.0, 0.0]]), 2)
    assert table.indices.tolist() == [[1, 2], [0, -1]]
    assert table.scores.tolist() == [[3.0, 1.0], [2.0, 0.0]]


def test_cooccurrence_counts_shared_contexts_and_excludes_self(
    incidence: sparse.csr_matrix,
) -> None:
    table = sim.cooccurrence_topk(incidence, k=2, chunk_size=2)
    assert table.indices[0].tolist() == [1, 2]
    assert table.scores[0].tolist() == [2.0, 1.0]
    assert table.indices[1][0] == 0 and table.indices[1][1] in (2, 3)
    assert table.indices[4].tolist() == [-1, -1]


def test_cosine_divides_by_both_popularities(incidence: sparse.csr_matrix) -> None:
    table = sim.cosine_topk(incidence, k=2)
    assert table.indices[2].tolist() == [0, 1]
    assert table.scores[2] == pytest.approx([1 / math.sqrt(2), 1 / math.sqrt(3)], rel=1e-6)


def test_asymmetric_cosine_with_alpha_one_is_conditional_probability(
    incidence: sparse.csr_matrix,
) -> None:
    table = sim.cosine_topk(incidence, k=1, alpha=1.0)
    assert table.scores[0, 0] == pytest.approx(2 / 2)  # P(1 | 0): item 1 is in both of 0's


def test_rp3beta_popularity_penalty_reorders_neighbours(incidence: sparse.csr_matrix) -> None:
    plain = sim.rp3beta_topk(incidence, k=2, alpha=1.0, beta=0.0)
    assert plain.indices[0].tolist() == [1, 2]
    assert plain.scores[0] == pytest.approx([(1 / 3 + 1 / 2) / 2, (1 / 3) / 2], rel=1e-6)
    penalised = sim.rp3beta_topk(incidence, k=2, alpha=1.0, beta=1.0)
    assert penalised.indices[0].tolist() == [2, 1]


def test_items_argument_computes_only_the_requested_rows(incidence: sparse.csr_matrix) -> None:
    table = sim.rp3beta_topk(incidence, k=2, items=np.array([3]))
    assert table.indices.tolist() == [[1, -1]]


def test_bm25_weight_matches_hand_computation() -> None:
    weighted = sim.bm25_weight(sparse.csr_matrix([[1.0, 0.0], [1.0, 1.0]]), k1=1.2, b=0.75)
    norm_first = 1.2 * (0.25 + 0.75 * 1 / 1.5)
    assert weighted[0, 0] == pytest.approx(2.2 / (1 + norm_first) * math.log(2 / 3))
    assert weighted[1, 1] == pytest.approx(0.0)  # in half the contexts: idf log(2/2)


def test_bm25_cosine_ranks_the_item_sharing_more_contexts_first(
    incidence: sparse.csr_matrix,
) -> None:
    table = sim.bm25_cosine_topk(incidence, k=2)
    assert table.indices[0, 0] == 1


def test_feature_knn_standardises_and_returns_closest_first() -> None:
    features = np.array([[0.0, 5.0], [1.0, 5.0], [10.0, 5.0]])
    table = sim.feature_knn(features, k=2)
    assert table.indices.tolist() == [[1, 2], [0, 2], [1, 0]]
    step = 1.0 / features[:, 0].std()
    assert table.scores[0, 0] == pytest.approx(1 / (1 + step), rel=1e-6)


def test_tfidf_cosine_of_identical_tag_sets_is_one_and_disjoint_sets_are_absent() -> None:
    tags = sparse.csr_matrix([[1.0, 1.0, 0.0], [2.0, 2.0, 0.0], [0.0, 0.0, 1.0]])
    table = sim.tfidf_cosine_topk(tags, k=2)
    assert table.indices[0].tolist() == [1, -1]
    assert table.scores[0, 0] == pytest.approx(1.0, rel=1e-6)
    assert table.indices[2].tolist() == [-1, -1]
