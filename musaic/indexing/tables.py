"""Compute the index's neighbour tables, with support counts, from the catalog matrices."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from musaic.indexing import embeddings as emb
from musaic.indexing import similarity as sim

IdArray = npt.NDArray[np.int64]
SupportArray = npt.NDArray[np.int32]

# name -> (score product over a contexts x items incidence, default parameters); the product is
# prepared once per table and each block of owners takes its rows (docs/index-and-eval.md#scale)
COOC_METHODS: dict[str, tuple[Callable[..., sim.Product], dict[str, float]]] = {
    "rp3beta": (sim.rp3beta_product, {"alpha": 0.5, "beta": 0.0}),
    "bm25_cosine": (sim.bm25_cosine_product, {"k1": 1.2, "b": 0.75}),
    "cosine": (sim.cosine_product, {"alpha": 0.5, "shrink": 0.0}),
    "count": (sim.cooccurrence_product, {}),
}
DEFAULT_METHOD = "rp3beta"  # docs/matching-research: RP3beta alpha 0.5 beta 0 was best normalised
# docs/matching-research.md round 2 "emb": PureSVD of the BM25-weighted contexts x tracks matrix,
# k=256, item vectors V S^0.5, cosine neighbours among tracks in >= 5 contexts
EMBED_FACTORS = 256
EMBED_WEIGHTING = "bm25"
EMBED_POWER = 0.5
EMBED_MIN_CONTEXTS = 5
EMBED_MIN_FACTORS = 8  # a catalog that allows fewer factors is too small for an embedding


@dataclass
class Block:
    """Neighbour lists of some owners: row r belongs to catalog id `sources[r]`, best first."""

    sources: IdArray
    neighbour_ids: npt.NDArray[np.int64]  # catalog ids, -1 past the end of a shorter list
    scores: npt.NDArray[np.float32]  # 0 where neighbour_ids is -1
    support: SupportArray | None


@dataclass
class Table:
    """One kind of neighbour table, produced block by block so memory stays bounded."""

    kind: str
    blocks: Iterable[Block]
    rows: int  # how many owners the blocks cover (for the progress bar)
    details: dict[str, Any] = field(default_factory=dict)  # method notes for IndexBuild.stats


def _block(
    sources: IdArray, targets: IdArray, part: sim.Neighbours, support: SupportArray | None
) -> Block:
    """Translate a top-K part's target positions into catalog ids."""
    ids = np.where(part.indices >= 0, targets[np.maximum(part.indices, 0)], -1)
    return Block(sources, ids, part.scores, support)


def method_parameters(method: str, params: dict[str, float] | None) -> dict[str, float]:
    """Return the method's defaults overridden by `params`; raise on an unknown method."""
    if method not in COOC_METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {sorted(COOC_METHODS)}")
    return {**COOC_METHODS[method][1], **(params or {})}


def shared_counts(
    left: sparse.csr_matrix, right: sparse.csr_matrix, rows: IdArray, columns: npt.NDArray[Any]
) -> SupportArray:
    """Return (left[rows] @ right)[r, columns[r, c]] for every cell (0 where columns is -1)."""
    block = sparse.csr_matrix(left[rows] @ right)
    block.sort_indices()
    width = np.int64(block.shape[1])
    row_of = np.repeat(np.arange(block.shape[0], dtype=np.int64), np.diff(block.indptr))
    keys = row_of * width + block.indices
    query = np.arange(len(rows), dtype=np.int64)[:, None] * width + columns.astype(np.int64)
    pos = np.minimum(np.searchsorted(keys, query), max(keys.size - 1, 0))
    found = (columns >= 0) & (keys.size > 0)
    if keys.size:
        found &= keys[pos] == query
    values = block.data[pos] if keys.size else np.zeros(query.shape)
    return np.where(found, np.rint(values), 0).astype(np.int32)


def cooccurrence_table(
    kind: str,
    incidence: sparse.csr_matrix,
    ids: IdArray,
    k: int,
    method: str = DEFAULT_METHOD,
    params: dict[str, float] | None = None,
    chunk_size: int = 8192,
) -> Table:
    """Rank each item's neighbours by `method` over contexts; support = contexts shared."""
    build, parameters = COOC_METHODS[method][0], method_parameters(method, params)
    binary = sparse.csr_matrix(incidence > 0, dtype=np.float32)
    items = np.flatnonzero(np.diff(binary.tocsc().indptr) > 0).astype(np.int64)

    def blocks() -> Iterator[Block]:
        by_item = binary.T.tocsr()
        product = build(binary, **parameters)  # once: per block it would cost O(entries) each
        for start in range(0, items.size, chunk_size):
            rows = items[start : start + chunk_size]
            part = sim.product_topk(product, k, items=rows)
            yield _block(ids[rows], ids, part, shared_counts(by_item, binary, rows, part.indices))

    return Table(kind, blocks(), int(items.size))


def audio_table(kind: str, ids: IdArray, features: npt.NDArray[np.float64], k: int) -> Table:
    """Rank each track's nearest tracks on standardised audio features."""
    if ids.size < 2:
        return _empty(kind)
    part = sim.feature_knn(features, k, chunk_size=512)
    return Table(kind, [_block(ids, ids, part, None)], int(ids.size))


def factor_skip_reason(
    contexts: int, tracks: int, factors: int, targets: int, min_factors: int, min_contexts: int
) -> str | None:
    """Say why a factor model (embedding, ALS) is not built for this catalog, or None."""
    if factors < min_factors:
        return (
            f"{contexts} contexts x {tracks} tracks allow {max(factors, 0)} factors, "
            f"under {min_factors}"
        )
    if targets == 0:
        return f"no track is in {min_contexts} or more contexts"
    return None


def embed_table(
    kind: str, incidence: sparse.csr_matrix, ids: IdArray, k: int, block_bytes: int = 64 << 20
) -> Table:
    """Rank each track's cosine neighbours in PureSVD space; skip a catalog too small for it.

    The neighbours are searched in k-means cells of the target vectors (emb.ivf_topk_blocks), so
    the work per track stays the same as the catalog grows.
    """
    binary = sparse.csr_matrix(incidence > 0, dtype=np.float64)
    counts = sim.item_counts(binary)
    items = np.flatnonzero(counts > 0).astype(np.int64)  # a track in no context has no vector
    factors = min(EMBED_FACTORS, min(binary.shape[0], items.size) - 1)
    targets = np.flatnonzero(counts[items] >= EMBED_MIN_CONTEXTS).astype(np.int64)
    details: dict[str, Any] = {
        "factors": max(factors, 0),
        "weighting": EMBED_WEIGHTING,
        "power": EMBED_POWER,
        "min_contexts": EMBED_MIN_CONTEXTS,
        "k": k,
        "tracks": int(items.size),
        "targets": int(targets.size),
    }
    skipped = factor_skip_reason(
        binary.shape[0], items.size, factors, targets.size, EMBED_MIN_FACTORS, EMBED_MIN_CONTEXTS
    )
    if skipped:
        return _empty(kind, {**details, "skipped": skipped})
    details["search"] = "exact" if targets.size <= emb.IVF_SEARCH_TARGETS else "ivf"
    details.update(probes=emb.IVF_PROBES, search_targets=emb.IVF_SEARCH_TARGETS)
    parts = emb.ivf_topk_blocks(
        emb.blocked_item_factors(
            sparse.csr_matrix(binary[:, items]), factors, EMBED_WEIGHTING, EMBED_POWER
        ),
        k,
        targets=targets,
        block_bytes=block_bytes,
        in_place=True,
        stats=details,
    )
    found = ids[items]
    blocks = (_block(found[rows], found, part, None) for rows, part in parts)
    return Table(kind, blocks, int(items.size), details)


def tags_table(kind: str, tags: sparse.csr_matrix, ids: IdArray, k: int) -> Table:
    """Rank each tagged artist's neighbours by TF-IDF tag cosine; support = shared tags."""
    tagged = np.flatnonzero(np.diff(tags.indptr) > 0).astype(np.int64)
    if tagged.size < 2:
        return _empty(kind)
    compact = sparse.csr_matrix(tags[tagged])
    neighbours = sim.tfidf_cosine_topk(compact, k)
    binary = sparse.csr_matrix(compact > 0, dtype=np.float32)
    support = np.vstack(
        [
            shared_counts(binary, binary.T.tocsr(), rows, neighbours.indices[rows])
            for rows in np.array_split(np.arange(tagged.size), max(1, tagged.size // 2048))
        ]
    )
    found = ids[tagged]
    return Table(kind, [_block(found, found, neighbours, support)], int(tagged.size))


def _empty(kind: str, details: dict[str, Any] | None = None) -> Table:
    """Return a table with no rows."""
    return Table(kind, [], 0, details or {})
