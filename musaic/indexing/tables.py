"""Compute the index's neighbour tables, with support counts, from the catalog matrices."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from tqdm import tqdm

from musaic.indexing import embeddings as emb
from musaic.indexing import similarity as sim

IdArray = npt.NDArray[np.int64]
SupportArray = npt.NDArray[np.int32]

# name -> (table function over a contexts x items incidence, default parameters)
COOC_METHODS: dict[str, tuple[Callable[..., sim.Neighbours], dict[str, float]]] = {
    "rp3beta": (sim.rp3beta_topk, {"alpha": 0.5, "beta": 0.0}),
    "bm25_cosine": (sim.bm25_cosine_topk, {"k1": 1.2, "b": 0.75}),
    "cosine": (sim.cosine_topk, {"alpha": 0.5, "shrink": 0.0}),
    "count": (sim.cooccurrence_topk, {}),
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
class Table:
    """One kind of neighbour table: row r is catalog id `sources[r]`."""

    kind: str
    sources: IdArray  # catalog id of each row
    targets: IdArray  # catalog id of each neighbour index
    neighbours: sim.Neighbours
    support: SupportArray | None
    details: dict[str, Any] = field(default_factory=dict)  # method notes for IndexBuild.stats

    @property
    def size(self) -> int:
        """Return how many (source, neighbour) rows the table holds."""
        return int(((self.neighbours.indices >= 0) & (self.neighbours.scores > 0)).sum())


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
    progress: bool = False,
) -> Table:
    """Rank each item's neighbours by `method` over contexts; support = contexts shared."""
    build, parameters = COOC_METHODS[method][0], method_parameters(method, params)
    binary = sparse.csr_matrix(incidence > 0, dtype=np.float32)
    items = np.flatnonzero(np.diff(binary.tocsc().indptr) > 0).astype(np.int64)
    by_item = binary.T.tocsr()
    parts_idx, parts_score, parts_support = [], [], []
    with tqdm(total=items.size, desc=kind, disable=not progress, file=sys.stderr) as bar:
        for start in range(0, items.size, chunk_size):
            rows = items[start : start + chunk_size]
            part = build(binary, k, items=rows, **parameters)
            parts_idx.append(part.indices)
            parts_score.append(part.scores)
            parts_support.append(shared_counts(by_item, binary, rows, part.indices))
            bar.update(rows.size)
    if not parts_idx:
        return _empty(kind, ids, k)
    neighbours = sim.Neighbours(np.vstack(parts_idx), np.vstack(parts_score))
    return Table(kind, ids[items], ids, neighbours, np.vstack(parts_support))


def audio_table(kind: str, ids: IdArray, features: npt.NDArray[np.float64], k: int) -> Table:
    """Rank each track's nearest tracks on standardised audio features."""
    if ids.size < 2:
        return _empty(kind, ids, k)
    return Table(kind, ids, ids, sim.feature_knn(features, k, chunk_size=512), None)


def embed_table(kind: str, incidence: sparse.csr_matrix, ids: IdArray, k: int) -> Table:
    """Rank each track's cosine neighbours in PureSVD space; skip a catalog too small for it."""
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
    if factors < EMBED_MIN_FACTORS:
        details["skipped"] = f"{binary.shape[0]} contexts x {items.size} tracks allow "
        details["skipped"] += f"{max(factors, 0)} factors, under {EMBED_MIN_FACTORS}"
    elif targets.size == 0:
        details["skipped"] = f"no track is in {EMBED_MIN_CONTEXTS} or more contexts"
    if "skipped" in details:
        return _empty(kind, ids, k, details)
    vectors = emb.svd_item_factors(
        sparse.csr_matrix(binary[:, items]), factors, EMBED_WEIGHTING, EMBED_POWER
    )
    neighbours = emb.embedding_topk(vectors, k, targets=targets)
    return Table(kind, ids[items], ids[items], neighbours, None, details)


def tags_table(kind: str, tags: sparse.csr_matrix, ids: IdArray, k: int) -> Table:
    """Rank each tagged artist's neighbours by TF-IDF tag cosine; support = shared tags."""
    tagged = np.flatnonzero(np.diff(tags.indptr) > 0).astype(np.int64)
    if tagged.size < 2:
        return _empty(kind, ids, k)
    compact = sparse.csr_matrix(tags[tagged])
    neighbours = sim.tfidf_cosine_topk(compact, k)
    binary = sparse.csr_matrix(compact > 0, dtype=np.float32)
    support = np.vstack(
        [
            shared_counts(binary, binary.T.tocsr(), rows, neighbours.indices[rows])
            for rows in np.array_split(np.arange(tagged.size), max(1, tagged.size // 2048))
        ]
    )
    return Table(kind, ids[tagged], ids[tagged], neighbours, support)


def _empty(kind: str, ids: IdArray, k: int, details: dict[str, Any] | None = None) -> Table:
    """Return a table with no rows."""
    none = sim.Neighbours(np.zeros((0, k), np.int32), np.zeros((0, k), np.float32))
    return Table(kind, ids[:0], ids, none, None, details or {})
