"""Top-K neighbour tables from co-occurrence incidence matrices, audio features and tags."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.spatial import cKDTree

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Neighbours(NamedTuple):
    """Top-K neighbour table: row i holds item i's neighbour indices and scores, best first."""

    indices: npt.NDArray[np.int32]  # (n_items, k), -1 where an item has fewer than k neighbours
    scores: npt.NDArray[np.float32]  # (n_items, k), 0 where indices is -1


def incidence_matrix(contexts: Iterable[Sequence[int]], n_items: int) -> sparse.csr_matrix:
    """Build a binary context-by-item CSR matrix; repeated items in a context count once."""
    indptr, indices = [0], []
    for items in contexts:
        unique = sorted(set(items))
        indices.extend(unique)
        indptr.append(indptr[-1] + len(unique))
    data = np.ones(len(indices), dtype=np.float32)
    shape = (len(indptr) - 1, n_items)
    return sparse.csr_matrix((data, np.asarray(indices, np.int64), indptr), shape=shape)


def item_counts(incidence: sparse.csr_matrix) -> FloatArray:
    """Return how many contexts hold each item (its popularity)."""
    return np.asarray((incidence > 0).sum(axis=0), dtype=np.float64).ravel()


def context_weights(incidence: sparse.csr_matrix, length_exponent: float = 0.0) -> FloatArray:
    """Weight each context by length**-exponent, so long playlists vote less per pair."""
    lengths = np.asarray((incidence > 0).sum(axis=1), dtype=np.float64).ravel()
    return np.power(np.maximum(lengths, 1.0), -length_exponent)


def bm25_weight(
    incidence: sparse.csr_matrix, k1: float = 1.2, b: float = 0.75
) -> sparse.csr_matrix:
    """Apply BM25 weights: IDF of each item times a context-length-saturated term weight."""
    x = sparse.csr_matrix(incidence, dtype=np.float64, copy=True)
    n_contexts = x.shape[0]
    idf = np.log(n_contexts / (1.0 + np.bincount(x.indices, minlength=x.shape[1])))
    lengths = np.diff(x.indptr).astype(np.float64)
    norm = k1 * (1.0 - b + b * lengths / max(lengths.mean(), 1e-12))
    row_norm = np.repeat(norm, np.diff(x.indptr))
    x.data = x.data * (k1 + 1.0) / (x.data + row_norm) * idf[x.indices]
    return x


def topk_rows(scores: sparse.csr_matrix, k: int) -> Neighbours:
    """Keep the k largest positive entries of each row of a sparse score matrix."""
    scores = sparse.csr_matrix(scores)
    scores.eliminate_zeros()
    n_rows = scores.shape[0]
    row_of = np.repeat(np.arange(n_rows), np.diff(scores.indptr))
    order = np.lexsort((-scores.data, row_of))
    rank = np.arange(order.size) - scores.indptr[row_of[order]]
    keep = order[rank < k]
    out_idx = np.full((n_rows, k), -1, dtype=np.int32)
    out_score = np.zeros((n_rows, k), dtype=np.float32)
    kept_rank = rank[rank < k]
    out_idx[row_of[keep], kept_rank] = scores.indices[keep]
    out_score[row_of[keep], kept_rank] = scores.data[keep]
    return Neighbours(out_idx, out_score)


def _drop_self(block: sparse.csr_matrix, row_items: IntArray) -> None:
    """Zero the entries where a row's item meets itself (row r of the block is row_items[r])."""
    row_of = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
    block.data[block.indices == row_items[row_of]] = 0.0


def _chunked_topk(
    left: sparse.csr_matrix,
    right: sparse.csr_matrix,
    k: int,
    chunk_size: int,
    items: IntArray | None = None,
) -> Neighbours:
    """Top-k of rows `items` (default all) of left @ right, chunk by chunk, self-pairs excluded."""
    rows = np.arange(left.shape[0]) if items is None else np.asarray(items, dtype=np.int64)
    parts_idx, parts_score = [], []
    for start in range(0, rows.size, chunk_size):
        row_items = rows[start : start + chunk_size]
        block = sparse.csr_matrix(left[row_items] @ right)
        _drop_self(block, row_items)
        part = topk_rows(block, k)
        parts_idx.append(part.indices)
        parts_score.append(part.scores)
    if not parts_idx:
        return Neighbours(np.zeros((0, k), np.int32), np.zeros((0, k), np.float32))
    return Neighbours(np.vstack(parts_idx), np.vstack(parts_score))


class Product(NamedTuple):
    """Score matrix S = left @ right, kept as its two sparse factors (items x contexts x items)."""

    left: sparse.csr_matrix
    right: sparse.csr_matrix


def product_topk(
    product: Product, k: int, chunk_size: int = 2048, items: IntArray | None = None
) -> Neighbours:
    """Top-k of rows `items` (default all) of a prepared score product, self pairs excluded."""
    return _chunked_topk(product.left, product.right, k, chunk_size, items)


def _scaled_product(
    incidence: sparse.csr_matrix,
    row_weight: FloatArray,
    source_scale: FloatArray,
    target_scale: FloatArray,
) -> Product:
    """Return S_ij = s_i * t_j * sum_u w_u X_ui X_uj as its two factors."""
    x = sparse.csr_matrix(incidence, dtype=np.float64)
    left = sparse.csr_matrix(
        x.multiply(row_weight[:, np.newaxis]).T.multiply(source_scale[:, None])
    )
    right = sparse.csr_matrix(x.multiply(target_scale[np.newaxis, :]))
    return Product(left, right)


def cooccurrence_product(incidence: sparse.csr_matrix) -> Product:
    """Score neighbours by the raw number of contexts they share."""
    ones = np.ones(incidence.shape[1])
    return _scaled_product(incidence, np.ones(incidence.shape[0]), ones, ones)


def cooccurrence_topk(
    incidence: sparse.csr_matrix,
    k: int = 100,
    chunk_size: int = 2048,
    items: IntArray | None = None,
) -> Neighbours:
    """Rank each item's neighbours by the raw number of contexts they share."""
    return product_topk(cooccurrence_product(incidence), k, chunk_size, items)


def cosine_product(
    incidence: sparse.csr_matrix,
    alpha: float = 0.5,
    shrink: float = 0.0,
    length_exponent: float = 0.0,
) -> Product:
    """Score neighbours by asymmetric cosine c_ij / (n_i**alpha * n_j**(1-alpha) + shrink)."""
    counts = np.maximum(item_counts(incidence), 1.0)
    source = np.power(counts, -alpha)
    target = 1.0 / (np.power(counts, 1.0 - alpha) + shrink)
    weights = context_weights(incidence, length_exponent)
    return _scaled_product(incidence, weights, source, target)


def cosine_topk(
    incidence: sparse.csr_matrix,
    k: int = 100,
    alpha: float = 0.5,
    shrink: float = 0.0,
    length_exponent: float = 0.0,
    chunk_size: int = 2048,
    items: IntArray | None = None,
) -> Neighbours:
    """Rank neighbours by asymmetric cosine c_ij / (n_i**alpha * n_j**(1-alpha)); 0.5 = cosine.

    Shrink is added to the neighbour's norm so rare neighbours need more evidence.
    """
    product = cosine_product(incidence, alpha, shrink, length_exponent)
    return product_topk(product, k, chunk_size, items)


def rp3beta_product(incidence: sparse.csr_matrix, alpha: float = 1.0, beta: float = 0.5) -> Product:
    """Score neighbours by RP3beta: walk probabilities**alpha / pop_j**beta."""
    counts = np.maximum(item_counts(incidence), 1.0)
    weights = context_weights(incidence, alpha)
    source = np.power(counts, -alpha)
    target = np.power(counts, -beta)
    return _scaled_product(incidence, weights, source, target)


def rp3beta_topk(
    incidence: sparse.csr_matrix,
    k: int = 100,
    alpha: float = 1.0,
    beta: float = 0.5,
    chunk_size: int = 2048,
    items: IntArray | None = None,
) -> Neighbours:
    """Rank neighbours by RP3beta: item->context->item walk probabilities**alpha / pop_j**beta."""
    return product_topk(rp3beta_product(incidence, alpha, beta), k, chunk_size, items)


def bm25_cosine_product(incidence: sparse.csr_matrix, k1: float = 1.2, b: float = 0.75) -> Product:
    """Score neighbours by cosine over BM25-weighted item vectors (contexts as documents)."""
    weighted = bm25_weight(incidence.T.tocsr(), k1, b).T.tocsr()  # IDF over contexts
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=0)).ravel())
    scale = 1.0 / np.maximum(norms, 1e-12)
    normalised = sparse.csr_matrix(weighted.multiply(scale[np.newaxis, :]))
    return Product(normalised.T.tocsr(), normalised)


def bm25_cosine_topk(
    incidence: sparse.csr_matrix,
    k: int = 100,
    k1: float = 1.2,
    b: float = 0.75,
    chunk_size: int = 2048,
    items: IntArray | None = None,
) -> Neighbours:
    """Rank neighbours by cosine over BM25-weighted item vectors (contexts as documents)."""
    return product_topk(bm25_cosine_product(incidence, k1, b), k, chunk_size, items)


def _weighted_gram_topk(
    matrix: sparse.csr_matrix, k: int, chunk_size: int, items: IntArray | None = None
) -> Neighbours:
    """Top-k of the column Gram matrix M^T M, chunked, diagonal excluded."""
    return _chunked_topk(matrix.T.tocsr(), matrix, k, chunk_size, items)


def standardise(features: FloatArray) -> FloatArray:
    """Scale each feature column to zero mean and unit variance (constant columns become 0)."""
    mean = features.mean(axis=0)
    std = features.std(axis=0)
    return (features - mean) / np.where(std > 0, std, 1.0)


def feature_knn(features: FloatArray, k: int = 50, chunk_size: int = 1024) -> Neighbours:
    """Rank each item's nearest items by Euclidean distance on standardised features.

    Scores are 1 / (1 + distance), so larger is closer, like every other table. A k-d tree
    finds the exact neighbours in about n log n (the features are a dozen dimensions), instead
    of comparing every pair; equal distances keep the tree's order.
    """
    z = standardise(np.asarray(features, dtype=np.float64))
    n = z.shape[0]
    k_eff = min(k, n - 1)
    out_idx = np.full((n, k), -1, dtype=np.int32)
    out_score = np.zeros((n, k), dtype=np.float32)
    if k_eff <= 0:
        return Neighbours(out_idx, out_score)
    tree = cKDTree(z)
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        dist, idx = tree.query(z[start:stop], k=k_eff + 1)
        own = idx == np.arange(start, stop)[:, None]
        drop = np.where(own.any(axis=1), own.argmax(axis=1), k_eff)  # self, else the last
        keep = np.ones(idx.shape, dtype=bool)
        keep[np.arange(stop - start), drop] = False
        out_idx[start:stop, :k_eff] = idx[keep].reshape(stop - start, k_eff)
        out_score[start:stop, :k_eff] = 1.0 / (1.0 + dist[keep].reshape(stop - start, k_eff))
    return Neighbours(out_idx, out_score)


def tfidf_cosine_topk(
    item_tags: sparse.csr_matrix, k: int = 50, chunk_size: int = 2048
) -> Neighbours:
    """Rank items (rows) by cosine of their TF-IDF tag vectors (item-by-tag counts)."""
    tags = sparse.csr_matrix(item_tags, dtype=np.float64)
    df = np.bincount(tags.indices, minlength=tags.shape[1])
    idf = np.log((1.0 + tags.shape[0]) / (1.0 + df)) + 1.0
    weighted = sparse.csr_matrix(tags.multiply(idf[np.newaxis, :]))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    weighted = sparse.csr_matrix(weighted.multiply(1.0 / np.maximum(norms, 1e-12)[:, None]))
    return _weighted_gram_topk(weighted.T.tocsr(), k, chunk_size)
