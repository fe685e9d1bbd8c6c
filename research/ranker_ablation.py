"""Round 3: what each feature group of the learned stage (`ranked`) is worth, inside its fold.

Usage: DATABASE_URL=sqlite:////tmp/quality/q7/demo.sqlite3 PYTHONPATH=. \
    .venv/bin/python research/ranker_ablation.py [--seed 7] [--json FILE]

Builds the training index and learning cases exactly as `musaic index build --ranker` does
(musaic/indexing/ranker.py), then fits the model once with every feature and once per group with
that group's columns blanked (NaN: LightGBM cannot split on them), and prints the validation
NDCG@100 within the candidates of each; also the share of the learning playlists' tracks each
candidate source lists (recall@candidates per source) and what only ALS brings.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from musaic import create_app
from musaic.extensions import db
from musaic.indexing.data import imported_playlists, load_catalog
from musaic.indexing.fold import FoldReads, fold_tables, learning_fold
from musaic.indexing.ranker import Cases, RankerOptions, _ndcg, fit, learning_cases
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers.ranked import FEATURES, SIGNALS

GROUPS = {
    "als": ["rank_als", "als_score"],
    "co-occurrence": ["rank_cooccurrence", "rank_two_hop", "cooc_playlists"],
    "artist": [
        "rank_same_artist",
        "rank_similar_artists",
        "rank_artist_hits_neighbours",
        "same_primary_artist",
        "shares_artist",
    ],
    "popularity": ["candidate_playlists", "candidate_share", "candidate_popularity"],
    "content": ["rank_embedding", "rank_tags", "rank_audio", "year_difference", "sound_distance"],
    "fusion": ["fused_score", "fused_rank", "signals"],
}


def blanked(cases: Cases, columns: list[str]) -> Cases:
    """Return the cases with `columns` set to NaN."""
    positions = [FEATURES.index(c) for c in columns]
    rows = []
    for x in cases.rows:
        y = x.copy()
        y[:, positions] = np.nan
        rows.append(y)
    return Cases(rows, cases.labels, cases.recall)


def source_recall(cases: Cases, targets: list[int]) -> dict[str, float]:
    """Share of all targets each signal lists among the candidates (cases with a hit)."""
    total = float(sum(targets))
    found: dict[str, float] = {}
    for name in SIGNALS:
        column = FEATURES.index(f"rank_{name}")
        hits = sum(float(y[~np.isnan(x[:, column])].sum()) for x, y in _pairs(cases))
        found[name] = round(hits / total, 4)
    als, signals = FEATURES.index("rank_als"), FEATURES.index("signals")
    only = sum(
        float(y[(~np.isnan(x[:, als])) & (x[:, signals] == 1)].sum()) for x, y in _pairs(cases)
    )
    found["only_als"] = round(only / total, 4)
    return found


def _pairs(cases: Cases) -> list[tuple[Any, Any]]:
    return list(zip(cases.rows, cases.labels, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        session = db.session()
        options = RankerOptions(seed=args.seed)
        data = load_catalog(session)
        playlists = imported_playlists(session)
        learn = learning_fold(len(playlists), options.share, options.seed, options.cap)
        fold = fold_tables(data, learn, options.k, options.method, dict(options.params))
        reads = FoldReads(session, IndexReader(session), fold)
        cases = learning_cases(reads, playlists, learn, options.seeds_per_playlist)
        targets = []
        for position in learn:  # the targets of every case, hit or not, in learning_cases order
            tracks = playlists[position]
            for seed_id in dict.fromkeys(tracks[: options.seeds_per_playlist]):
                if reads.seed(seed_id) is not None and set(tracks) - {seed_id}:
                    targets.append(len(set(tracks) - {seed_id}))
        report: dict[str, Any] = {
            "cases_with_a_hit": len(cases.rows),
            "recall@candidates": round(float(np.mean(cases.recall)), 4),
            "recall_by_source": source_recall(cases, targets),
        }
        _, full = fit(cases, options)
        report["all features"] = full["validation_ndcg@100_model"]
        report["hybrid order"] = full["validation_ndcg@100_hybrid_order"]
        report["importance_gain"] = full["importance_gain"]
        split = max(1, int(len(cases.rows) * 0.8))
        valid = list(zip(cases.rows[split:], cases.labels[split:], strict=True))
        pop = FEATURES.index("candidate_playlists")
        report["popularity order"] = round(
            float(np.mean([_ndcg(x[:, pop], y) for x, y in valid])), 4
        )
        for group, columns in GROUPS.items():
            _, fitted = fit(blanked(cases, columns), options)
            report[f"without {group}"] = fitted["validation_ndcg@100_model"]
            print(group, fitted["validation_ndcg@100_model"], flush=True)
        print(json.dumps(report, indent=1))
        if args.json:
            with open(args.json, "w") as out:
                json.dump(report, out, indent=1)


if __name__ == "__main__":
    main()
