"""ALS track neighbours: implicit-feedback factors with the seed folded in as a one-item user.

Alternating least squares (Hu, Koren & Volinsky 2008, as in the `implicit` package) factors the
BM25-weighted contexts x tracks matrix into context vectors X and track vectors Y. A playlist
holding only the seed s is folded in by one least-squares step with the track vectors fixed:
x = (Y'Y + lambda I + (c - 1) y_s y_s')^-1 c y_s, which by Sherman-Morrison is a positive multiple
of (Y'Y + lambda I)^-1 y_s. So the seed's ranking is Y q_s with q_s = (Y'Y + lambda I)^-1 y_s, the
same for every request: the index stores each track's best K as the neighbour kind "als"
(score = y_t . q_s, > 0 only), and a request reads one list, as for "cooc".

On held-out MPD playlists this is the strongest single method of the issue-11 trial (1.08x raw
co-occurrence counts alone); docs/quality-round3.md has what it is worth here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from musaic.indexing import tables
from musaic.indexing.similarity import Neighbours, item_counts

IdArray = npt.NDArray[np.int64]
Float32Matrix = npt.NDArray[np.float32]

ALS_FACTORS = 64
ALS_REGULARIZATION = 0.05
ALS_ITERATIONS = 10
BM25_K1 = 100.0  # implicit's bm25_weight defaults: tf saturates late, lengths normalised hard
BM25_B = 0.8
ALS_MIN_CONTEXTS = 2  # neighbours are tracks in at least this many contexts
ALS_MIN_FACTORS = 8  # a catalog allowing fewer factors is too small to factor
ALS_SEED = 7


def bm25_weight(
    incidence: sparse.csr_matrix, k1: float = BM25_K1, b: float = BM25_B
) -> sparse.csr_matrix:
    """Return the contexts x tracks matrix with BM25 weights (idf of the track, length of the row).

    The same formula as implicit.nearest_neighbours.bm25_weight applied to the transpose (its
    rows are items there): weight = idf(track) x (k1 + 1) / (k1 x length_norm(context) + 1) for
    a binary cell.
    """
    binary = sparse.csr_matrix(incidence > 0, dtype=np.float64)
    n_contexts = binary.shape[0]
    idf = np.maximum(np.log(n_contexts) - np.log1p(item_counts(binary)), 1e-3)
    lengths = np.diff(binary.indptr).astype(np.float64)
    average = lengths.mean() if lengths.size and lengths.mean() > 0 else 1.0
    norm = (1.0 - b) + b * lengths / average
    rows = np.repeat(np.arange(n_contexts), np.diff(binary.indptr))
    weighted = binary.copy()
    weighted.data = binary.data * (k1 + 1.0) / (k1 * norm[rows] + binary.data) * idf[binary.indices]
    return weighted


ALS_CG_STEPS = 3  # conjugate-gradient steps per half-iteration, warm-started (as implicit does)


def _confidence_product(
    confidence: sparse.csr_matrix, fixed: Float32Matrix, solving: Float32Matrix
) -> Float32Matrix:
    """Return sum_i (c_ui - 1) (y_i . x_u) y_i for every row u (the sparse part of A x)."""
    rows = np.repeat(np.arange(confidence.shape[0]), np.diff(confidence.indptr))
    dots = np.einsum("ij,ij->i", fixed[confidence.indices], solving[rows])
    weighted = sparse.csr_matrix(
        ((confidence.data - 1.0) * dots, confidence.indices, confidence.indptr),
        shape=confidence.shape,
    )
    return np.asarray(weighted @ fixed, dtype=np.float32)


def _half_step(
    confidence: sparse.csr_matrix, fixed: Float32Matrix, solving: Float32Matrix, steps: int
) -> Float32Matrix:
    """Improve every row x_u of `solving` by CG on (Y'Y + lambda I + Y'(C_u - I)Y) x = Y'C_u 1."""
    gram = (fixed.T @ fixed + ALS_REGULARIZATION * np.eye(fixed.shape[1])).astype(np.float32)
    x = solving.copy()
    residual = np.asarray(confidence @ fixed, dtype=np.float32)
    residual -= x @ gram + _confidence_product(confidence, fixed, x)
    direction = residual.copy()
    norms = np.einsum("ij,ij->i", residual, residual)
    for _ in range(steps):
        product = direction @ gram + _confidence_product(confidence, fixed, direction)
        curvature = np.einsum("ij,ij->i", direction, product)
        alpha = np.divide(norms, curvature, out=np.zeros_like(norms), where=curvature > 1e-20)
        x += alpha[:, None] * direction
        residual -= alpha[:, None] * product
        updated = np.einsum("ij,ij->i", residual, residual)
        beta = np.divide(updated, norms, out=np.zeros_like(norms), where=norms > 1e-20)
        direction = residual + beta[:, None] * direction
        norms = updated
    return x


def als_track_factors(
    weighted: sparse.csr_matrix, factors: int, core: IdArray, seed: int = ALS_SEED
) -> Float32Matrix:
    """Fit implicit-feedback ALS to a contexts x tracks confidence matrix; return track vectors.

    Confidence c = the cell's weight where the context holds the track (preference 1), 1
    elsewhere (preference 0): the formulation of Hu et al. and the `implicit` package, solved
    by a few conjugate-gradient steps per half-iteration, warm-started, vectorised over all rows.
    The iterations run on the `core` columns (tracks in ALS_MIN_CONTEXTS or more contexts: most
    tracks are in one playlist and would only slow them down); every track's vector is then
    solved once against the fitted context vectors. A fixed random start: the same matrix and
    seed give the same vectors.
    """
    confidence = sparse.csr_matrix(weighted, dtype=np.float32)
    fitted = sparse.csr_matrix(confidence[:, core])
    by_track = fitted.T.tocsr()
    rng = np.random.default_rng(seed)
    contexts = (rng.standard_normal((confidence.shape[0], factors)) * 0.01).astype(np.float32)
    tracks = (rng.standard_normal((core.size, factors)) * 0.01).astype(np.float32)
    for _ in range(ALS_ITERATIONS):
        contexts = _half_step(fitted, tracks, contexts, ALS_CG_STEPS)
        tracks = _half_step(by_track, contexts, tracks, ALS_CG_STEPS)
    start = np.zeros((confidence.shape[1], factors), dtype=np.float32)
    start[core] = tracks
    every = _half_step(confidence.T.tocsr(), contexts, start, 2 * ALS_CG_STEPS)
    every[core] = tracks  # the fitted vectors of the core stay as they are
    return np.ascontiguousarray(every)


def fold_in_queries(track_factors: Float32Matrix, regularization: float) -> Float32Matrix:
    """Return q_s = (Y'Y + lambda I)^-1 y_s for every track s (one row each)."""
    y = track_factors.astype(np.float64)
    gram = y.T @ y + regularization * np.eye(y.shape[1])
    return np.ascontiguousarray(np.linalg.solve(gram, y.T).T, dtype=np.float32)


def fold_in_topk(
    queries: Float32Matrix, targets: Float32Matrix, target_ids: IdArray, k: int, chunk_size: int
) -> Iterator[tuple[IdArray, Neighbours]]:
    """Yield (query rows, their best k target positions by queries @ targets', > 0 only).

    target_ids[j] is the query row of target j, so a query never lists itself. Ties go to the
    lower target position (stable, reproducible).
    """
    own = np.full(queries.shape[0], -1, dtype=np.int64)
    own[target_ids] = np.arange(target_ids.size)
    transposed = np.ascontiguousarray(targets.T)
    k_eff = min(k, target_ids.size)
    for start in range(0, queries.shape[0], chunk_size):
        rows = np.arange(start, min(start + chunk_size, queries.shape[0]), dtype=np.int64)
        indices = np.full((rows.size, k), -1, dtype=np.int32)
        scores = np.zeros((rows.size, k), dtype=np.float32)
        if k_eff > 0:
            block = queries[rows] @ transposed
            mine = own[rows]
            block[np.flatnonzero(mine >= 0), mine[mine >= 0]] = -np.inf
            part = np.argpartition(-block, k_eff - 1, axis=1)[:, :k_eff]
            values = np.take_along_axis(block, part, axis=1)
            order = np.lexsort((part, -values), axis=1)
            part = np.take_along_axis(part, order, axis=1)
            values = np.take_along_axis(values, order, axis=1)
            keep = values > 0
            indices[:, :k_eff] = np.where(keep, part, -1)
            scores[:, :k_eff] = np.where(keep, values, 0.0)
        yield rows, Neighbours(indices, scores)


def als_table(
    kind: str,
    incidence: sparse.csr_matrix,
    ids: IdArray,
    k: int,
    seed: int = ALS_SEED,
    block_bytes: int = 64 << 20,
) -> tables.Table:
    """Rank each track's ALS fold-in neighbours; skip a catalog too small to factor."""
    binary = sparse.csr_matrix(incidence > 0, dtype=np.float64)
    counts = item_counts(binary)
    items = np.flatnonzero(counts > 0).astype(np.int64)  # a track in no context has no vector
    factors = min(ALS_FACTORS, min(binary.shape[0], items.size) - 1)
    targets = np.flatnonzero(counts[items] >= ALS_MIN_CONTEXTS).astype(np.int64)
    details: dict[str, Any] = {
        "factors": max(factors, 0),
        "regularization": ALS_REGULARIZATION,
        "iterations": ALS_ITERATIONS,
        "weighting": f"bm25 k1={BM25_K1:g} b={BM25_B:g}",
        "min_contexts": ALS_MIN_CONTEXTS,
        "seed": seed,
        "k": k,
        "tracks": int(items.size),
        "targets": int(targets.size),
    }
    skipped = tables.factor_skip_reason(
        binary.shape[0], items.size, factors, targets.size, ALS_MIN_FACTORS, ALS_MIN_CONTEXTS
    )
    if skipped:
        return tables.Table(kind, [], 0, {**details, "skipped": skipped})
    track_factors = als_track_factors(bm25_weight(binary[:, items]), factors, targets, seed)
    queries = fold_in_queries(track_factors, ALS_REGULARIZATION)
    chunk = max(16, block_bytes // (12 * targets.size))  # a float32 block + its partition
    found = ids[items]

    def blocks() -> Iterator[tables.Block]:
        parts = fold_in_topk(queries, track_factors[targets], targets, k, chunk)
        for rows, part in parts:
            picked = np.where(part.indices >= 0, targets[np.maximum(part.indices, 0)], -1)
            neighbour_ids = np.where(picked >= 0, found[np.maximum(picked, 0)], -1)
            yield tables.Block(found[rows], neighbour_ids, part.scores, None)

    return tables.Table(kind, blocks(), int(items.size), details)
