"""Round 3: ALS alone (musaic/indexing/als.py) against raw co-occurrence counts, held out.

Usage: DATABASE_URL=sqlite:////tmp/quality/q7/demo.sqlite3 PYTHONPATH=. \
    .venv/bin/python research/als_alone.py /tmp/quality/q7/test.json.gz [--limit N] \
    [--factors 64] [--iterations 10] [--alpha 1]

Needs no index: the catalog's imported playlists (the split's training side) are factored as the
index build does (BM25 weights, the same seed), and each held-out case's seed is folded in as a
one-item playlist; its 100 best tracks are scored as `musaic eval` scores a matcher (the same
cases, NDCG@100 and R-precision), beside `cooccurrence_count` and their reciprocal-rank fusion.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from sqlalchemy import select

from musaic import create_app
from musaic.evaluation import metrics
from musaic.evaluation.cases import build_cases, load_keys
from musaic.evaluation.playlists import read_playlists
from musaic.indexing import als
from musaic.indexing.als import (
    ALS_FACTORS,
    ALS_MIN_CONTEXTS,
    ALS_REGULARIZATION,
    als_track_factors,
    bm25_weight,
)
from musaic.indexing.data import imported_playlists
from musaic.indexing.similarity import incidence_matrix, item_counts
from musaic.models import Track

K = 100


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("playlists", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--factors", type=int, default=ALS_FACTORS)
    parser.add_argument("--iterations", type=int, default=als.ALS_ITERATIONS)
    parser.add_argument("--alpha", type=float, default=1.0, help="confidences x alpha")
    parser.add_argument(
        "--item-rows", action="store_true", help="BM25 on tracks x contexts (implicit's examples)"
    )
    parser.add_argument("--regularization", type=float, default=ALS_REGULARIZATION)
    args = parser.parse_args()
    als.ALS_ITERATIONS = args.iterations  # a research variant of the build's setting
    app = create_app()
    with app.app_context():
        from musaic.extensions import db

        session = db.session()
        ids = np.asarray(session.scalars(select(Track.id).order_by(Track.id)).all(), np.int64)
        rows = (np.searchsorted(ids, p).tolist() for p in imported_playlists(session))
        x = incidence_matrix(rows, ids.size)
        cases, _ = build_cases(read_playlists(args.playlists, args.limit), load_keys(session))
        started = time.process_time()
        counts = item_counts(x)
        items = np.flatnonzero(counts > 0)
        core = np.flatnonzero(counts[items] >= ALS_MIN_CONTEXTS)
        if args.item_rows:
            weighted = sparse.csr_matrix(bm25_weight(sparse.csr_matrix(x[:, items].T)).T)
        else:
            weighted = bm25_weight(x[:, items])
        als.ALS_REGULARIZATION = args.regularization
        weighted.data *= args.alpha
        factors = als_track_factors(weighted, args.factors, core)
        gram = factors.T.astype(np.float64) @ factors + args.regularization * np.eye(args.factors)
        targets = factors[core]
        print(f"ALS fit: {time.process_time() - started:.0f} s CPU", flush=True)
        column = np.full(ids.size, -1, dtype=np.int64)
        column[items] = np.arange(items.size)
        scores: dict[str, list[tuple[float, float]]] = {"cooccurrence_count": [], "als": []}
        scores["rrf(count, als)"] = []
        for case in cases:
            s = int(np.searchsorted(ids, case.seed))
            relevant = set(case.targets)
            count_list = ids[metrics.cooccurrence_count(x, s, K)].tolist()
            als_list: list[int] = []
            if column[s] >= 0:
                query = np.linalg.solve(gram, factors[column[s]].astype(np.float64))
                values = targets @ query.astype(np.float32)
                best = np.argsort(-values, kind="stable")[: K + 1]
                als_list = [int(t) for t in ids[items[core[best]]] if t != case.seed][:K]
            fused: dict[int, float] = {}
            for ranked in (count_list, als_list):
                for position, t in enumerate(ranked):
                    fused[t] = fused.get(t, 0.0) + 1.0 / (60 + position)
            rrf = sorted(fused, key=lambda t: (-fused[t], t))[:K]
            for name, ranked in (("cooccurrence_count", count_list), ("als", als_list)):
                scores[name].append(
                    (metrics.ndcg_at_k(ranked, relevant, K), metrics.r_precision(ranked, relevant))
                )
            scores["rrf(count, als)"].append(
                (metrics.ndcg_at_k(rrf, relevant, K), metrics.r_precision(rrf, relevant))
            )
        base = np.mean(scores["cooccurrence_count"], axis=0)
        print(f"{len(cases)} cases")
        for name, values in scores.items():
            ndcg, rprec = np.mean(values, axis=0)
            print(
                f"{name}: NDCG@100 {ndcg:.4f} ({ndcg / base[0]:.3f}x), "
                f"R-precision {rprec:.4f} ({rprec / base[1]:.3f}x)"
            )


if __name__ == "__main__":
    main()
