"""Learned item embeddings (truncated SVD of a context-by-item matrix) and their top-K tables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.linalg import LinearOperator, eigsh, svds

from musaic.indexing.similarity import Neighbours, bm25_weight, item_counts

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
WEIGHTINGS = ("none", "idf", "bm25", "length")


def weight_incidence(incidence: sparse.csr_matrix, weighting: str = "none") -> sparse.csr_matrix:
    """Reweight a binary context-by-item matrix: none, idf (log N/df), bm25, or length^-0.5."""
    x = sparse.csr_matrix(incidence, dtype=np.float64, copy=True)
    x.data[:] = 1.0
    if weighting == "none":
        return x
    if weighting == "idf":
        df = np.maximum(item_counts(x), 1.0)
        return sparse.csr_matrix(x.multiply(np.log1p(x.shape[0] / df)[np.newaxis, :]))
    if weighting == "bm25":
        return bm25_weight(x)
    if weighting == "length":
        lengths = np.maximum(np.diff(x.indptr).astype(np.float64), 1.0)
        return sparse.csr_matrix(x.multiply(np.power(lengths, -0.5)[:, np.newaxis]))
    raise ValueError(f"unknown weighting {weighting!r}; expected one of {WEIGHTINGS}")


def svd_item_factors(
    incidence: sparse.csr_matrix,
    k: int,
    weighting: str = "none",
    power: float = 0.5,
    seed: int = 0,
) -> FloatArray:
    """Return item vectors V * S**power of the rank-k truncated SVD (PureSVD), largest first."""
    x = weight_incidence(incidence, weighting)
    k = min(k, min(x.shape) - 1)
    v0 = np.random.default_rng(seed).standard_normal(min(x.shape))
    _, s, vt = svds(x, k=k, v0=v0)
    order = np.argsort(-s)
    s, vt = s[order], vt[order]
    signs = np.sign(vt[np.arange(k), np.abs(vt).argmax(axis=1)])  # deterministic sign per factor
    signs[signs == 0] = 1.0
    vt *= signs[:, np.newaxis]  # in place: at 2M tracks x 256 factors each copy is 4 GB
    vt *= np.power(s, power)[:, np.newaxis]
    return np.asarray(vt.T)


def blocked_item_factors(
    incidence: sparse.csr_matrix,
    k: int,
    weighting: str = "none",
    power: float = 0.5,
    seed: int = 0,
    block_rows: int = 16_384,
) -> npt.NDArray[np.float32]:
    """Return svd_item_factors' vectors in float32, never holding a float64 items x k array.

    With fewer contexts than items, svds finds the factors as eigenvectors E of X X^T (contexts
    side, small) and then takes the SVD of the items x k product X^T E. Here that product is
    made `block_rows` items at a time, twice: once to sum its k x k Gram matrix (whose
    eigenvectors W and values S^2 stand in for that SVD), once to write X^T E W S^(power-1).
    """
    x = weight_incidence(incidence, weighting)
    if x.shape[0] >= x.shape[1]:
        return svd_item_factors(incidence, k, weighting, power, seed).astype(np.float32)
    k = min(k, min(x.shape) - 1)
    contexts = x.shape[0]
    gram_op = LinearOperator(
        (contexts, contexts),
        matvec=lambda v: x @ (x.T @ v),
        matmat=lambda m: x @ (x.T @ m),
        dtype=x.dtype,
    )
    v0 = np.random.default_rng(seed).standard_normal(contexts)
    _, eigvec = eigsh(gram_op, k=k, tol=0, v0=v0)  # as scipy's svds (arpack) does
    eigvec, _ = np.linalg.qr(eigvec)
    by_item = x.T.tocsr()
    blocks = [slice(a, a + block_rows) for a in range(0, by_item.shape[0], block_rows)]
    gram = np.zeros((k, k))
    for rows in blocks:
        part = by_item[rows] @ eigvec
        gram += part.T @ part
    values, w = np.linalg.eigh(gram)
    order = np.argsort(-values)
    s = np.sqrt(np.maximum(values[order], 1e-300))
    w = w[:, order]
    out = np.empty((by_item.shape[0], k), dtype=np.float32)
    largest, signs = np.zeros(k), np.ones(k)
    for rows in blocks:
        u = (by_item[rows] @ eigvec) @ w / s  # left singular vectors of X^T, this block
        size = np.abs(u)
        at = size.argmax(axis=0)
        better = size[at, np.arange(k)] > largest  # the first largest entry fixes the sign
        largest[better] = size[at, np.arange(k)][better]
        signs[better] = np.sign(u[at, np.arange(k)])[better]
        out[rows] = u * np.power(s, power)
    signs[signs == 0] = 1.0
    out *= signs.astype(np.float32)
    return out


def normalise_rows(factors: FloatArray) -> FloatArray:
    """Scale each row to unit length (zero rows stay zero), so dot products become cosines."""
    norms = np.linalg.norm(factors, axis=1, keepdims=True)
    return np.asarray(factors / np.where(norms > 0, norms, 1.0), dtype=np.float64)


def _float32_rows(
    factors: FloatArray | npt.NDArray[np.float32],
    unit: bool,
    chunk: int = 16_384,
    in_place: bool = False,
) -> npt.NDArray[np.float32]:
    """Return the factors as float32 (unit rows if `unit`), a slice at a time.

    With `in_place` and float32 factors the rows are scaled where they are (no second array).
    """
    in_place = in_place and factors.dtype == np.float32 and factors.flags.writeable
    out: npt.NDArray[np.float32] = (
        factors.view(np.float32) if in_place else np.empty(factors.shape, dtype=np.float32)
    )
    for start in range(0, factors.shape[0], chunk):
        part = np.asarray(factors[start : start + chunk], dtype=np.float64)
        out[start : start + chunk] = normalise_rows(part) if unit else part
    return out


def embedding_topk(
    factors: FloatArray,
    k: int = 100,
    chunk_size: int = 256,
    items: IntArray | None = None,
    targets: IntArray | None = None,
    cosine: bool = True,
    min_score: float = 1e-6,
) -> Neighbours:
    """Top-k dot products (cosine by default) above min_score of rows `items` vs rows `targets`.

    Self pairs are excluded; rows with fewer than k such scores are padded with -1 / 0.
    """
    parts = [
        part
        for _, part in embedding_topk_blocks(
            factors, k, chunk_size, items, targets, cosine, min_score
        )
    ]
    if not parts:
        return Neighbours(np.full((0, k), -1, np.int32), np.zeros((0, k), np.float32))
    return Neighbours(np.vstack([p.indices for p in parts]), np.vstack([p.scores for p in parts]))


def embedding_topk_blocks(
    factors: FloatArray | npt.NDArray[np.float32],
    k: int = 100,
    chunk_size: int = 256,
    items: IntArray | None = None,
    targets: IntArray | None = None,
    cosine: bool = True,
    min_score: float = 1e-6,
) -> Iterator[tuple[IntArray, Neighbours]]:
    """Yield (rows, their top-k table) for `chunk_size` rows at a time, as embedding_topk."""
    f32 = _float32_rows(factors, cosine)
    del factors  # the caller may hand over its only reference: float64 rows are twice the size
    rows = np.arange(f32.shape[0]) if items is None else np.asarray(items, dtype=np.int64)
    cols = np.arange(f32.shape[0]) if targets is None else np.asarray(targets, dtype=np.int64)
    target_f = np.ascontiguousarray(f32[cols].T)
    sorter = np.argsort(cols, kind="stable")
    for start in range(0, rows.size, chunk_size):
        row_items = rows[start : start + chunk_size]
        queries = f32[row_items]
        yield row_items, _block_topk(queries, row_items, target_f, cols, k, min_score, sorter)


def _block_topk(
    queries: npt.NDArray[np.float32],
    row_items: IntArray,
    target_f: npt.NDArray[np.float32],
    cols: IntArray,
    k: int,
    min_score: float,
    sorter: IntArray | None = None,
) -> Neighbours:
    """Top-k of queries @ target_f (its columns are rows `cols`), self pairs excluded.

    `sorter` sorts `cols` (None: `cols` is sorted). Ties break by the lower target row.
    """
    return _top_of_scores(queries @ target_f, row_items, cols, k, min_score, sorter)


def _top_of_scores(
    block: npt.NDArray[np.float32],
    row_items: IntArray,
    cols: IntArray,
    k: int,
    min_score: float,
    sorter: IntArray | None,
) -> Neighbours:
    """Top-k above min_score of each row of a score block (column j is row cols[j])."""
    out_idx = np.full((row_items.size, k), -1, dtype=np.int32)
    out_score = np.zeros((row_items.size, k), dtype=np.float32)
    k_eff = min(k, cols.size)
    if k_eff == 0 or row_items.size == 0:
        return Neighbours(out_idx, out_score)
    at = np.minimum(np.searchsorted(cols, row_items, sorter=sorter), cols.size - 1)
    own = at if sorter is None else sorter[at]
    mine = np.flatnonzero(cols[own] == row_items)
    block[mine, own[mine]] = -np.inf  # a row never lists itself
    part = np.argpartition(-block, k_eff - 1, axis=1)[:, :k_eff]
    part_s = np.take_along_axis(block, part, axis=1)
    order = np.lexsort((cols[part], -part_s), axis=1)
    part = np.take_along_axis(part, order, axis=1)
    part_s = np.take_along_axis(part_s, order, 1)
    keep = part_s > min_score
    out_idx[:, :k_eff] = np.where(keep, cols[part], -1)
    out_score[:, :k_eff] = np.where(keep, part_s, 0.0)
    return Neighbours(out_idx, out_score)


IVF_CELL_TARGETS = 512  # mean targets per k-means cell: cells grow with the catalog
IVF_MAX_CELL = 2  # a cell holding more than this many times the mean is split (k-means within it)
IVF_SPLIT_ROUNDS = 3  # splits of splits at most: a tight cluster k-means cannot cut stays whole
IVF_PROBES = 8  # cells each track names, nearest centroid first
IVF_SEARCH_TARGETS = 24 * IVF_CELL_TARGETS  # targets a group of tracks scores (its cells' sum)
IVF_TRAIN_PER_CELL = 64  # k-means learns from at most this many targets per cell
IVF_ITERATIONS = 10


def _nearest_cells(
    vectors: npt.NDArray[np.float32], centroids: npt.NDArray[np.float32], probes: int, chunk: int
) -> npt.NDArray[np.int64]:
    """Return each row's `probes` most similar centroids, best first (ties: lower cell)."""
    probes = min(probes, centroids.shape[0])
    out = np.empty((vectors.shape[0], probes), dtype=np.int64)
    cells = np.arange(centroids.shape[0])
    for start in range(0, vectors.shape[0], chunk):
        block = vectors[start : start + chunk] @ centroids.T
        if probes < centroids.shape[0]:
            part = np.argpartition(-block, probes - 1, axis=1)[:, :probes]
        else:
            part = np.broadcast_to(cells, block.shape).copy()
        order = np.lexsort((part, -np.take_along_axis(block, part, axis=1)), axis=1)
        out[start : start + chunk] = np.take_along_axis(part, order, axis=1)
    return out


def spherical_kmeans(
    vectors: npt.NDArray[np.float32],
    n_cells: int,
    seed: int = 0,
    iterations: int = IVF_ITERATIONS,
    per_cell: int = IVF_TRAIN_PER_CELL,
    chunk: int = 8192,
) -> npt.NDArray[np.float32]:
    """Return `n_cells` unit centroids of unit rows (k-means on cosine), seeded.

    Learns from a seeded sample of at most `per_cell` rows per cell, so its cost per cell is
    bounded; a cell left empty is re-seeded with a sample row.
    """
    rng = np.random.default_rng(seed)
    n = vectors.shape[0]
    n_cells = max(1, min(n_cells, n))
    sample = np.sort(rng.choice(n, size=min(n, n_cells * per_cell), replace=False))
    train = vectors[sample]
    centroids = train[rng.choice(train.shape[0], size=n_cells, replace=False)].copy()
    for _ in range(iterations):
        cell = _nearest_cells(train, centroids, 1, chunk)[:, 0]
        sums = np.zeros_like(centroids, dtype=np.float64)
        np.add.at(sums, cell, train)
        empty = np.flatnonzero(np.bincount(cell, minlength=n_cells) == 0)
        sums[empty] = train[rng.choice(train.shape[0], size=empty.size, replace=False)]
        centroids = normalise_rows(sums).astype(np.float32)
    return centroids


def balanced_cells(
    vectors: npt.NDArray[np.float32],
    cell_targets: int,
    seed: int = 0,
    max_cell: float = IVF_MAX_CELL,
    rounds: int = IVF_SPLIT_ROUNDS,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Return unit centroids of about rows / `cell_targets` cells and each row's cell.

    Spherical k-means leaves its cells uneven, more so as the catalog grows (the largest held
    11x the mean at 4x the demo), and a search that visits whole cells pays for the large ones.
    So a cell holding more than `max_cell` x `cell_targets` rows is cut by k-means of its own
    rows into cells of about `cell_targets`, up to `rounds` times.
    """
    n_cells = max(1, round(vectors.shape[0] / cell_targets))
    centroids = spherical_kmeans(vectors, n_cells, seed)
    cell_of = _nearest_cells(vectors, centroids, 1, 8192)[:, 0]
    for _ in range(rounds):
        sizes = np.bincount(cell_of, minlength=centroids.shape[0])
        large = np.flatnonzero(sizes > max_cell * cell_targets)
        if large.size == 0:
            break
        members = np.argsort(cell_of, kind="stable")
        starts = np.searchsorted(cell_of[members], np.arange(centroids.shape[0] + 1))
        extra: list[npt.NDArray[np.float32]] = []
        for cell in large.tolist():
            rows = members[starts[cell] : starts[cell + 1]]
            parts = spherical_kmeans(vectors[rows], round(rows.size / cell_targets), seed + cell)
            part_of = _nearest_cells(vectors[rows], parts, 1, 8192)[:, 0]
            first = centroids.shape[0] + sum(p.shape[0] for p in extra)  # new cells go last
            cell_of[rows] = np.where(part_of == 0, cell, first + part_of - 1)
            centroids[cell] = parts[0]
            extra.append(parts[1:])
        centroids = np.vstack([centroids, *extra])
    return centroids, cell_of


def _searched_cells(
    named: npt.NDArray[np.int64], own: int, sizes: IntArray, search_targets: int
) -> IntArray:
    """Return the cells a group searches: its own, then those its rows name most, to a budget.

    Cells are added (most named first, ties: lower cell) until they hold `search_targets`
    targets, so the targets scored per row stay the same however many cells there are.
    """
    votes = np.bincount(named.ravel(), minlength=sizes.size)
    votes[own] = named.size + 1  # its own cell first
    ranked = np.lexsort((np.arange(sizes.size), -votes))
    ranked = ranked[votes[ranked] > 0]
    before = np.cumsum(sizes[ranked]) - sizes[ranked]  # targets in the cells ranked above
    return np.asarray(ranked[before < search_targets], dtype=np.int64)


def ivf_topk_blocks(
    factors: FloatArray | npt.NDArray[np.float32],
    k: int = 100,
    targets: IntArray | None = None,
    cell_targets: int = IVF_CELL_TARGETS,
    probes: int = IVF_PROBES,
    search_targets: int = IVF_SEARCH_TARGETS,
    block_bytes: int = 64 << 20,
    min_score: float = 1e-6,
    seed: int = 0,
    items: IntArray | None = None,
    in_place: bool = False,
    stats: dict[str, Any] | None = None,
) -> Iterator[tuple[IntArray, Neighbours]]:
    """Yield (rows, top-k cosine table) for rows `items` (default all), searching a few cells.

    The targets are split into cells of about `cell_targets` (balanced_cells, seeded). Rows are
    grouped by their nearest cell; each row names its `probes` nearest cells, and a group
    searches its own cell and then the cells its rows name most, until they hold
    `search_targets` targets: every row of the group gets its exact top-k among those cells'
    targets. So a row's candidates depend only on its group, not on the block size, and the
    work per row is about search_targets dot products (at most one cell more), plus one per
    cell to find its cells: the same as the catalog grows, but for that last term (n_cells per
    row, small beside the search). With no more targets than `search_targets` this is the exact
    search. `in_place`: float32 factors are normalised where they are; `stats` (if given)
    receives the cell count and sizes and the mean targets scored per row once every block is
    out.
    """
    f32 = _float32_rows(factors, True, in_place=in_place)
    del factors
    cols = np.arange(f32.shape[0]) if targets is None else np.asarray(targets, dtype=np.int64)
    rows_all = np.arange(f32.shape[0]) if items is None else np.asarray(items, dtype=np.int64)
    if cols.size <= search_targets:
        chunk = max(16, block_bytes // (12 * max(cols.size, 1)))
        yield from embedding_topk_blocks(f32, k, chunk, rows_all, cols, True, min_score)
        return
    centroids, target_cell = balanced_cells(f32[cols], cell_targets, seed)
    n_cells = centroids.shape[0]
    by_cell = np.argsort(target_cell, kind="stable")  # target positions, cell by cell
    cell_start = np.searchsorted(target_cell[by_cell], np.arange(n_cells + 1))
    sizes = np.diff(cell_start)
    queries = f32 if items is None else f32[rows_all]  # f32[rows_all] would copy every row
    probed = _nearest_cells(queries, centroids, probes, 8192)
    order = np.argsort(probed[:, 0], kind="stable")
    group_start = np.searchsorted(probed[order, 0], np.arange(n_cells + 1))
    scored = 0
    for cell in range(n_cells):
        group = order[group_start[cell] : group_start[cell + 1]]
        if group.size == 0:
            continue
        searched = _searched_cells(probed[group], cell, sizes, search_targets)
        candidates = np.sort(
            np.concatenate([by_cell[cell_start[c] : cell_start[c + 1]] for c in searched])
        )
        found = cols[candidates]
        target_f = np.ascontiguousarray(f32[found].T)
        scored += group.size * found.size
        chunk = max(16, block_bytes // (12 * max(found.size, 1)))
        sorter = np.argsort(found, kind="stable")
        for start in range(0, group.size, chunk):
            rows = rows_all[group[start : start + chunk]]
            yield rows, _block_topk(f32[rows], rows, target_f, found, k, min_score, sorter)
    if stats is not None:
        stats.update(
            cells=n_cells,
            cell_targets_median=int(np.median(sizes)),
            cell_targets_max=int(sizes.max()),
            scored_per_track=round(scored / max(rows_all.size, 1)),
        )


def support_weight(support: FloatArray | float, scale: float, half: float) -> FloatArray:
    """Return scale * half / (half + n): a side-signal weight growing as seed support n shrinks."""
    return np.asarray(scale * half / (half + np.asarray(support, dtype=np.float64)))
