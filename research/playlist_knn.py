"""Round 3h: co-occurrence with each playlist weighted by how typical it is of the seed, held out.

Usage: DATABASE_URL=sqlite:////tmp/q7/demo.sqlite3 PYTHONPATH=. .venv/bin/python \
    research/playlist_knn.py /tmp/q7/test.json.gz [--limit N]

Raw co-occurrence counts give every playlist holding the seed one vote. Here a playlist's vote is
(overlap + a) / length^b, where overlap is how many of the seed's `n` most co-occurring tracks it
also holds: a playlist that looks like the seed's usual company counts more than a long mixed one
that happens to hold it (a playlist-kNN with a second-order similarity). Needs no index: the
catalog's imported playlists (the split's training side) are read as the index build reads them;
the same cases and metrics as `musaic eval`, by seed-support bucket, beside raw counts and the
reciprocal-rank fusion of counts with the first weighting.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sqlalchemy import select

from musaic import create_app
from musaic.evaluation import metrics
from musaic.evaluation.cases import build_cases, load_keys
from musaic.evaluation.playlists import read_playlists
from musaic.evaluation.run import SUPPORT_BUCKETS, support_bucket
from musaic.extensions import db
from musaic.indexing.data import imported_playlists
from musaic.indexing.similarity import incidence_matrix, item_counts
from musaic.models import Track

K = 100
# (a, b, n, squared overlap): the weightings tried
WEIGHTINGS = {
    "overlap + 1": (1.0, 0.0, 20, False),
    "(overlap + 1) / length^0.5": (1.0, 0.5, 20, False),
    "(overlap + 0.5) / length^0.3": (0.5, 0.3, 20, False),
    "overlap with the top 50 + 2": (2.0, 0.0, 50, False),
    "(overlap with the top 50 + 1) / length^0.5": (1.0, 0.5, 50, False),
    "(overlap^2 + 1) / length^0.5": (1.0, 0.5, 20, True),
}
FUSED = "(overlap + 1) / length^0.5"
BUCKETS = [support_bucket(low) for low, _ in SUPPORT_BUCKETS]


def best(scores: npt.NDArray[np.float64], seed: int) -> list[int]:
    """Return the positions of the K best positive scores, ties by position, without the seed."""
    scores = scores.copy()
    scores[seed] = -1.0
    top = np.argpartition(-scores, K)[:K]
    top = top[np.lexsort((top, -scores[top]))]
    return [int(t) for t in top if scores[t] > 0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("playlists", type=Path)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        session = db.session()
        ids = np.asarray(session.scalars(select(Track.id).order_by(Track.id)).all(), np.int64)
        rows = (np.searchsorted(ids, p).tolist() for p in imported_playlists(session))
        x = sparse.csr_matrix(incidence_matrix(rows, ids.size), dtype=np.float64)
        x.data[:] = 1.0
        by_track = x.tocsc()
        cases, _ = build_cases(read_playlists(args.playlists, args.limit), load_keys(session))
        counts = item_counts(x)
        lengths = np.maximum(np.asarray(x.sum(axis=1)).ravel(), 1.0)
        tie = counts / (counts.max() + 1.0)
        names = ["cooccurrence_count", *WEIGHTINGS, "rrf(counts, " + FUSED + ")"]
        scored: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
        buckets = []
        for case in cases:
            s = int(np.searchsorted(ids, case.seed))
            relevant = set(case.targets)
            holding = by_track[:, s].nonzero()[0]
            theirs = x[holding]
            co = np.asarray(theirs.sum(axis=0)).ravel()
            co[s] = 0.0
            buckets.append(support_bucket(holding.size))
            lists = {"cooccurrence_count": best(co + tie, s)}
            overlaps = {}  # per company size n: how many of the seed's top n each playlist holds
            for n in {n for _, _, n, _ in WEIGHTINGS.values()}:
                company = np.zeros(ids.size)
                company[np.argpartition(-(co + tie), n)[:n]] = 1.0
                overlaps[n] = theirs @ company
            for name, (a, b, n, squared) in WEIGHTINGS.items():
                overlap = overlaps[n]
                vote = ((overlap**2 if squared else overlap) + a) / lengths[holding] ** b
                weighted = np.asarray(theirs.T @ vote).ravel()
                lists[name] = best(weighted + 1e-3 * tie * vote.min(initial=1.0), s)
            fused: dict[int, float] = {}
            for ranked in (lists["cooccurrence_count"], lists[FUSED]):
                for position, t in enumerate(ranked):
                    fused[t] = fused.get(t, 0.0) + 1.0 / (60 + position)
            lists[names[-1]] = sorted(fused, key=lambda t: (-fused[t], t))[:K]
            for name, ranked in lists.items():
                tracks = ids[ranked].tolist()
                scored[name].append(
                    (metrics.ndcg_at_k(tracks, relevant, K), metrics.r_precision(tracks, relevant))
                )
        base = np.mean(scored["cooccurrence_count"], axis=0)
        where = np.asarray(buckets)
        print(f"{len(cases)} cases; NDCG@100, R-precision (x raw counts); NDCG@100 by bucket")
        for name, values in scored.items():
            v = np.asarray(values)
            ndcg, rprec = v.mean(axis=0)
            per = " ".join(f"{b}: {v[where == b, 0].mean():.4f}" for b in BUCKETS if b in where)
            print(
                f"{name}: {ndcg:.4f} ({ndcg / base[0]:.3f}x), {rprec:.4f} "
                f"({rprec / base[1]:.3f}x); {per}"
            )


if __name__ == "__main__":
    main()
