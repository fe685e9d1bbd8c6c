"""Known-answer tests for the SVD track embeddings and their top-K tables."""

import math

import numpy as np
import pytest
from scipy import sparse

from musaic.indexing import embeddings as emb
from musaic.indexing import similarity as sim

# two disjoint "genres": items 0-2 always together, items 3-4 together; item 5 in no context
CONTEXTS = [[0, 1, 2], [0, 1, 2], [0, 1], [3, 4], [3, 4]]


@pytest.fixture
def incidence() -> sparse.csr_matrix:
    return sim.incidence_matrix(CONTEXTS, 6)


def test_weight_incidence_none_is_binary_and_idf_scales_columns(
    incidence: sparse.csr_matrix,
) -> None:
    assert emb.weight_incidence(incidence * 3.0).toarray().max() == 1.0
    idf = emb.weight_incidence(incidence, "idf").toarray()
    assert idf[0, 0] == pytest.approx(math.log1p(5 / 3))  # item 0 in 3 of 5 contexts
    assert idf[0, 2] == pytest.approx(math.log1p(5 / 2))
    lengths = emb.weight_incidence(incidence, "length").toarray()
    assert lengths[0, 0] == pytest.approx(1 / math.sqrt(3))
    with pytest.raises(ValueError):
        emb.weight_incidence(incidence, "tfidf")


def test_svd_factors_reconstruct_a_rank_two_matrix(incidence: sparse.csr_matrix) -> None:
    # power 1: V * S, so factors @ factors.T == X^T X (the co-occurrence counts) at full rank
    factors = emb.svd_item_factors(incidence, k=3, power=1.0)
    gram = (incidence.T @ incidence).toarray()
    assert factors.shape == (6, 3)
    assert factors @ factors.T == pytest.approx(gram, abs=1e-8)
    assert np.allclose(factors[5], 0.0)


def test_svd_factors_are_sorted_and_deterministic(incidence: sparse.csr_matrix) -> None:
    one = emb.svd_item_factors(incidence, k=2, power=1.0)
    two = emb.svd_item_factors(incidence, k=2, power=1.0, seed=7)
    norms = np.linalg.norm(one, axis=0)
    assert norms[0] >= norms[1]
    assert one == pytest.approx(two, abs=1e-8)


def test_normalise_rows_keeps_zero_rows() -> None:
    out = emb.normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.tolist() == [[0.6, 0.8], [0.0, 0.0]]


def test_embedding_topk_ranks_by_cosine_and_excludes_self() -> None:
    factors = np.array([[1.0, 0.0], [2.0, 0.1], [0.0, 1.0], [-1.0, 0.0]])
    table = emb.embedding_topk(factors, k=3, chunk_size=2)
    assert table.indices[0].tolist() == [1, -1, -1]  # cos(0,2) = 0 is not positive; 3 is negative
    assert table.scores[0][0] == pytest.approx(2 / math.hypot(2.0, 0.1), rel=1e-6)
    assert table.scores[0][1:].tolist() == [0.0, 0.0]
    assert table.indices[3].tolist() == [-1, -1, -1]


def test_embedding_topk_dot_product_items_and_targets() -> None:
    factors = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [0.5, 0.0]])
    table = emb.embedding_topk(
        factors, k=2, items=np.array([2, 0]), targets=np.array([0, 1, 3]), cosine=False
    )
    assert table.indices.tolist() == [[1, 0], [1, 3]]
    assert table.scores.tolist() == [[6.0, 3.0], [2.0, 0.5]]


def test_embedding_topk_ties_break_by_lower_index() -> None:
    factors = np.ones((4, 1))
    assert emb.embedding_topk(factors, k=2).indices[2].tolist() == [0, 1]


def test_embedding_topk_groups_the_two_genres(incidence: sparse.csr_matrix) -> None:
    table = emb.embedding_topk(emb.svd_item_factors(incidence, k=2), k=2)
    assert set(table.indices[0].tolist()) == {1, 2}
    assert table.indices[3].tolist() == [4, -1]


def test_support_weight_shrinks_with_support() -> None:
    assert emb.support_weight(np.array([0.0, 5.0, 45.0]), 2.0, 5.0).tolist() == [2.0, 1.0, 0.2]


def test_blocked_factors_match_svds_factors_in_float32() -> None:
    x = sparse.random(300, 2000, density=0.02, random_state=3, format="csr")
    x.data[:] = 1.0
    full = emb.svd_item_factors(x, 40, "bm25", 0.5)
    blocked = emb.blocked_item_factors(x, 40, "bm25", 0.5, block_rows=333)
    assert blocked.dtype == np.float32 and blocked.shape == full.shape
    assert np.abs(blocked - full).max() < 1e-6 * np.abs(full).max() * 10


def _clustered(n: int, clusters: int, dims: int = 16, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dims)) * 3.0
    return centres[rng.integers(0, clusters, n)] + rng.standard_normal((n, dims))


def _ivf(factors: np.ndarray, targets: np.ndarray, **kw: int) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for rows, part in emb.ivf_topk_blocks(factors, 10, targets, **kw):
        for r, ids in zip(rows.tolist(), part.indices.tolist(), strict=True):
            assert r not in out  # every row comes exactly once
            out[r] = ids
    return out


def test_ivf_with_few_cells_is_the_exact_search() -> None:
    factors = _clustered(300, 4)
    targets = np.arange(0, 300, 2)
    exact = emb.embedding_topk(factors, 10, targets=targets)
    got = _ivf(factors, targets, cell_targets=50, search_targets=150)  # all
    assert [got[r] for r in range(300)] == exact.indices.tolist()


def test_ivf_finds_most_exact_neighbours_reproducibly_and_never_self() -> None:
    factors = _clustered(3000, 40)
    targets = np.arange(3000)
    exact = emb.embedding_topk(factors, 10, targets=targets)
    got = _ivf(factors, targets, cell_targets=50, probes=4, search_targets=600, block_bytes=1 << 16)
    hits = sum(len(set(got[r]) & set(exact.indices[r].tolist()) - {-1}) for r in range(3000))
    assert hits / (exact.indices >= 0).sum() > 0.95
    assert all(r not in got[r] for r in range(3000))
    assert (
        _ivf(factors, targets, cell_targets=50, probes=4, search_targets=600) == got
    )  # block size changes nothing


def test_ivf_scores_its_target_budget_per_row_not_more() -> None:
    factors = _clustered(6000, 60)
    stats: dict[str, int] = {}
    for _ in emb.ivf_topk_blocks(factors, 10, cell_targets=50, search_targets=400, stats=stats):
        pass
    assert stats["cell_targets_max"] <= 100  # cells over 2x the mean are split
    assert 400 <= stats["scored_per_track"] <= 400 + stats["cell_targets_max"]


def test_balanced_cells_split_the_cells_plain_kmeans_leaves_crowded() -> None:
    scale = (1.0 / np.arange(1, 17)) ** 2  # a few dominant directions crowd some cells
    rows = np.random.default_rng(2).standard_normal((5000, 16)) * scale
    unit = emb.normalise_rows(rows).astype(np.float32)
    plain = emb._nearest_cells(unit, emb.spherical_kmeans(unit, 50, seed=1), 1, 8192)[:, 0]
    centroids, cell_of = emb.balanced_cells(unit, 100, seed=1)
    sizes = np.bincount(cell_of, minlength=centroids.shape[0])
    assert np.bincount(plain).max() > 200 >= sizes.max() and sizes.sum() == 5000
    assert np.linalg.norm(centroids, axis=1) == pytest.approx(np.ones(centroids.shape[0]), abs=1e-5)


def test_spherical_kmeans_gives_unit_centroids_near_the_clusters() -> None:
    unit = emb.normalise_rows(_clustered(2000, 8)).astype(np.float32)
    centroids = emb.spherical_kmeans(unit, 8, seed=1)
    assert centroids.shape == (8, 16)
    assert np.linalg.norm(centroids, axis=1) == pytest.approx(np.ones(8), abs=1e-5)
    assert (unit @ centroids.T).max(axis=1).mean() > 0.8
