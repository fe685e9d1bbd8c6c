"""ALS neighbours: BM25 confidences, the seed folded in, reproducible, never the seed itself."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from musaic.indexing.als import ALS_MIN_CONTEXTS, als_table, bm25_weight, fold_in_queries

SCENE = 120  # tracks per scene: more than the 64 factors, so ALS must generalise


def _two_scenes(playlists: int = 400, seed: int = 5) -> sparse.csr_matrix:
    """Playlists drawing 10 tracks from one of two disjoint scenes (track 240 in none)."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for p in range(playlists):
        picked = rng.choice(SCENE, size=10, replace=False) + SCENE * (p % 2)
        rows += [p] * picked.size
        cols += picked.tolist()
    ones = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((ones, (rows, cols)), shape=(playlists, 2 * SCENE + 1))


def _rows(incidence: sparse.csr_matrix, ids: np.ndarray) -> dict[int, list[int]]:
    table = als_table("als", incidence, ids, 10)
    found: dict[int, list[int]] = {}
    for block in table.blocks:
        for source, row in zip(block.sources.tolist(), block.neighbour_ids, strict=True):
            found[source] = [int(t) for t in row if t >= 0]
    return found


def test_bm25_weights_rarer_tracks_and_shorter_playlists_more() -> None:
    incidence = sparse.csr_matrix(
        np.array([[1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 1], [1, 0, 0, 1]], dtype=np.float32)
    )
    weights, held = bm25_weight(incidence).toarray(), incidence.toarray() > 0
    assert (weights[held] > 0).all() and (weights[~held] == 0).all()
    assert weights[0, 1] > weights[0, 0]  # track 1 is in 2 playlists, track 0 in all 4
    assert weights[0, 1] > weights[2, 1]  # playlist 0 holds 2 tracks, playlist 2 holds 4


def test_neighbours_come_from_the_seed_scene_reproducibly_and_never_the_seed() -> None:
    incidence = _two_scenes()
    ids = np.arange(2 * SCENE + 1, dtype=np.int64) * 10 + 100  # ids are not column positions
    first = _rows(incidence, ids)
    assert first == _rows(incidence, ids)  # the same matrix and seed: the same lists
    assert len(first) == 2 * SCENE  # a track in no playlist has no vector and no row
    for source, row in first.items():
        scene = (source - 100) // 10 // SCENE
        assert len(row) == 10 and source not in row
        assert all((t - 100) // 10 // SCENE == scene for t in row), (source, row)


def test_only_tracks_in_enough_contexts_are_listed() -> None:
    incidence = sparse.lil_matrix(_two_scenes())
    lonely = 2 * SCENE
    incidence[0, lonely] = 1  # in one playlist: it gets a row, but no one lists it
    rows = _rows(sparse.csr_matrix(incidence), np.arange(lonely + 1, dtype=np.int64))
    assert ALS_MIN_CONTEXTS == 2 and rows[lonely]
    assert all(lonely not in row for row in rows.values())


def test_fold_in_query_solves_the_regularised_normal_equations() -> None:
    factors = np.random.default_rng(1).standard_normal((20, 4)).astype(np.float32)
    queries = fold_in_queries(factors, 0.5)
    gram = factors.T.astype(np.float64) @ factors + 0.5 * np.eye(4)
    assert np.allclose(queries @ gram, factors, atol=1e-4)
