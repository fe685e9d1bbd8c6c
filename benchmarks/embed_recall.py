"""Embed search recall: the index's IVF top-100 against the exact top-100, on a catalog's vectors.

The vectors are made as the index build makes them (tables.embed_table: PureSVD of the
BM25-weighted contexts x tracks matrix, neighbours among tracks in >= 5 contexts), from a
database's catalog or a synthetic one (benchmarks.synthetic). The IVF search runs over every
track, as in the build (a group's cells depend on all its tracks); the exact search only over a
seeded sample, and recall@100 is the share of the sample's exact neighbours the IVF lists hold.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from musaic.indexing import embeddings as emb
from musaic.indexing import tables


def database_contexts(database_url: str | None) -> sparse.csr_matrix:
    """Return the contexts x tracks incidence matrix of a database's catalog."""
    from musaic import create_app
    from musaic.extensions import db
    from musaic.indexing.data import load_catalog

    settings: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": database_url} if database_url else {}
    with create_app(**settings).app_context():
        return load_catalog(db.session()).contexts


def synthetic_contexts(size: int) -> sparse.csr_matrix:
    """Return the playlists x tracks incidence matrix of a `size`x synthetic catalog."""
    from benchmarks.synthetic import playlists
    from musaic.indexing.similarity import incidence_matrix

    u, drawn = playlists(size)
    return incidence_matrix((tracks for _, tracks in drawn), u.artist_of.size)


def embed_vectors(contexts: sparse.csr_matrix) -> tuple[npt.NDArray[np.float32], np.ndarray]:
    """Return the unit float32 vectors of the tracks in a context and the targets among them."""
    binary = sparse.csr_matrix(contexts > 0, dtype=np.float64)
    counts = np.asarray(binary.sum(axis=0)).ravel()
    items = np.flatnonzero(counts > 0)
    factors = min(tables.EMBED_FACTORS, min(binary.shape[0], items.size) - 1)
    vectors = emb.blocked_item_factors(
        sparse.csr_matrix(binary[:, items]), factors, tables.EMBED_WEIGHTING, tables.EMBED_POWER
    )
    targets = np.flatnonzero(counts[items] >= tables.EMBED_MIN_CONTEXTS).astype(np.int64)
    return emb._float32_rows(vectors, True, in_place=True), targets


def recall(vectors: Any, targets: np.ndarray, sample: np.ndarray, **search: Any) -> dict[str, Any]:
    """Return the IVF search's recall@100 on `sample`, its stats and its CPU seconds."""
    exact = emb.embedding_topk(vectors, 100, items=sample, targets=targets).indices
    wanted = set(sample.tolist())
    stats: dict[str, Any] = {}
    cpu = time.process_time()
    found = {}
    for rows, part in emb.ivf_topk_blocks(vectors, 100, targets, stats=stats, **search):
        for row, ids in zip(rows.tolist(), part.indices, strict=True):
            if row in wanted:
                found[row] = ids
    seconds = time.process_time() - cpu
    hits = sum(np.intersect1d(found[r], e[e >= 0]).size for r, e in zip(sample, exact, strict=True))
    return {
        **search,
        **stats,
        "recall_at_100": round(hits / max(int((exact >= 0).sum()), 1), 4),
        "search_cpu_s": round(seconds, 1),
    }


def main(argv: list[str] | None = None) -> None:
    """Measure recall for each target budget asked for; print one JSON line per budget."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks embed_recall")
    parser.add_argument("--database-url", help="default: DATABASE_URL / the development DB")
    parser.add_argument("--synthetic", type=int, help="a synthetic catalog of this size instead")
    parser.add_argument("--vectors", type=Path, help="cache the vectors in this .npz")
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--search-targets", type=int, nargs="+", default=[emb.IVF_SEARCH_TARGETS])
    parser.add_argument("--cell-targets", type=int, default=emb.IVF_CELL_TARGETS)
    parser.add_argument("--probes", type=int, default=emb.IVF_PROBES)
    args = parser.parse_args(argv)
    if args.vectors and args.vectors.exists():
        saved = np.load(args.vectors)
        vectors, targets = saved["vectors"], saved["targets"]
    else:
        contexts = (
            synthetic_contexts(args.synthetic)
            if args.synthetic
            else database_contexts(args.database_url)
        )
        vectors, targets = embed_vectors(contexts)
        if args.vectors:
            np.savez(args.vectors, vectors=vectors, targets=targets)
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(vectors.shape[0], min(args.sample, vectors.shape[0]), False))
    head = {"tracks": int(vectors.shape[0]), "targets": int(targets.size), "sample": sample.size}
    for budget in args.search_targets:
        result = recall(
            vectors,
            targets,
            sample,
            search_targets=budget,
            cell_targets=args.cell_targets,
            probes=args.probes,
        )
        print(json.dumps({**head, **result}), flush=True)
