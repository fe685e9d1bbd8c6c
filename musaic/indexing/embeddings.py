"""Learned item embeddings (truncated SVD of a context-by-item matrix) and their top-K tables."""

from __future__ import annotations

from collections.abc import Iterator

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
    factors: FloatArray | npt.NDArray[np.float32], unit: bool, chunk: int = 16_384
) -> npt.NDArray[np.float32]:
    """Return the factors as float32 (unit rows if `unit`), a slice at a time, without a copy."""
    out = np.empty(factors.shape, dtype=np.float32)
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
    position = np.full(f32.shape[0], -1, dtype=np.int64)
    position[cols] = np.arange(cols.size)
    k_eff = min(k, cols.size)
    for start in range(0, rows.size, chunk_size):
        row_items = rows[start : start + chunk_size]
        out_idx = np.full((row_items.size, k), -1, dtype=np.int32)
        out_score = np.zeros((row_items.size, k), dtype=np.float32)
        if k_eff > 0:
            block = f32[row_items] @ target_f
            own = position[row_items]
            block[np.flatnonzero(own >= 0), own[own >= 0]] = -np.inf
            part = np.argpartition(-block, k_eff - 1, axis=1)[:, :k_eff]
            part_s = np.take_along_axis(block, part, axis=1)
            order = np.lexsort((cols[part], -part_s), axis=1)
            part = np.take_along_axis(part, order, axis=1)
            part_s = np.take_along_axis(part_s, order, 1)
            keep = part_s > min_score
            out_idx[:, :k_eff] = np.where(keep, cols[part], -1)
            out_score[:, :k_eff] = np.where(keep, part_s, 0.0)
        yield row_items, Neighbours(out_idx, out_score)


def support_weight(support: FloatArray | float, scale: float, half: float) -> FloatArray:
    """Return scale * half / (half + n): a side-signal weight growing as seed support n shrinks."""
    return np.asarray(scale * half / (half + np.asarray(support, dtype=np.float64)))
