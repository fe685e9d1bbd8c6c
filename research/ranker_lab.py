"""Round 3: try the learned stage's features and settings on held-out playlists, quickly.

Usage: DATABASE_URL=sqlite:////tmp/q7/demo.sqlite3 PYTHONPATH=. .venv/bin/python \
    research/ranker_lab.py --test /tmp/q7/test.json.gz --cache /tmp/lab/q7 [--folds 3] \
    [--blank GROUP ...] [--params num_leaves=63,min_data_in_leaf=100 ...] [--depth 300] \
    [--ensemble 5] [--seeds-per-playlist 3]

`musaic index build --ranker` rebuilds every learning fold's training index and the served one
(10-15 minutes a split on this machine). This script builds the same tables once, keeps them in
`--cache` (pickled; delete the folder when the catalog or the table code changes), and then per
run: the learning cases from the folds (musaic/indexing/ranker.py `learning_cases`), the model
(`fit`), and the held-out cases scored on a served index built in memory from every playlist,
with the same cases and metrics as `musaic eval`; the cases' feature rows are cached too, per
feature count, fold count and depth. `--params` fits more models with LightGBM parameters changed
(`rounds=N`, `patience=0` for no early stop), `--ensemble N` averages N bagged models, `--blank`
fits again with a feature group blanked (NaN); each is scored held out, not in the fold. The
report also gives, per seed-support bucket, the candidates' recall and the ceiling of any
re-ranker (NDCG@100 with every target among the candidates put first).
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from musaic import create_app
from musaic.evaluation.cases import build_cases, load_keys
from musaic.evaluation.metrics import aggregate, ndcg_at_k, playlist_metrics
from musaic.evaluation.playlists import read_playlists
from musaic.evaluation.run import SUPPORT_BUCKETS, support_bucket
from musaic.extensions import db
from musaic.indexing import tables
from musaic.indexing.data import imported_playlists, load_catalog
from musaic.indexing.fold import FoldReads, FoldTables, fold_tables, learning_folds
from musaic.indexing.ranker import Cases, RankerOptions, fit, learning_cases
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers import ranked
from musaic.matching.matchers.ranked import FEATURES, RankedMatcher
from research.ranker_ablation import GROUPS, blanked


class Averaged:
    """Several boosters as one: the mean of their scores."""

    def __init__(self, boosters: list[Any]) -> None:
        self.boosters = boosters

    def predict(self, rows: Any) -> Any:
        return np.mean([b.predict(rows) for b in self.boosters], axis=0)


def cached_fold(path: Path, build: Any) -> FoldTables:
    """Return the pickled tables at `path`, building (and pickling) them first if missing."""
    if path.exists():
        with path.open("rb") as f:
            return pickle.load(f)  # our own cache
    fold: FoldTables = build()
    kept = FoldTables(
        track={k: tables.Table(t.kind, list(t.blocks), t.rows) for k, t in fold.track.items()},
        artist={k: tables.Table(t.kind, list(t.blocks), t.rows) for k, t in fold.artist.items()},
        playlist_counts=fold.playlist_counts,
        excluded=fold.excluded,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        pickle.dump(kept, f, protocol=pickle.HIGHEST_PROTOCOL)
    return kept


def held_out(
    booster: Any, tests: list[tuple[list[int], Any, Any]], keys: Any, columns: list[str]
) -> dict[str, float]:
    """Score the held-out cases by the model (top 100 of the candidates), as `musaic eval`."""
    positions = [FEATURES.index(c) for c in columns]
    rows = []
    for ids, x, case in tests:
        if booster is None:
            ranked = ids[:100]
        else:
            y = x.copy()
            y[:, positions] = np.nan
            scores = np.asarray(booster.predict(y)) if len(ids) else np.zeros(0)
            order = np.lexsort((np.asarray(ids), -scores))
            ranked = [ids[i] for i in order[:100]]
        rows.append(playlist_metrics(ranked, set(case.targets), keys.artist_of, 100))
    found = aggregate(rows)
    return {m: round(found[m], 4) for m in ("ndcg@100", "r_precision", "recall@100")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--blank", action="append", default=[], choices=sorted(GROUPS))
    parser.add_argument("--params", action="append", default=[], help="a=1,b=x: LightGBM")
    parser.add_argument("--depth", type=int, default=RankedMatcher.depth, help="candidates")
    parser.add_argument("--als-weight", type=float, default=ranked.ALS_POOL_WEIGHT)
    parser.add_argument("--ensemble", type=int, default=0, help="models averaged")
    parser.add_argument(
        "--seeds-per-playlist",
        type=int,
        default=RankerOptions.seeds_per_playlist,
        help="learning cases per learning playlist (its first N tracks)",
    )
    parser.add_argument("--json")
    args = parser.parse_args()
    RankedMatcher.depth = args.depth
    ranked.ALS_POOL_WEIGHT = args.als_weight  # a research variant of the pool's ALS weight
    app = create_app()
    with app.app_context():
        session = db.session()
        options = RankerOptions(folds=args.folds, seeds_per_playlist=args.seeds_per_playlist)
        data = load_catalog(session)
        playlists = imported_playlists(session)
        folds = learning_folds(len(playlists), options.share, options.seed, options.cap, args.folds)
        cache = Path(args.cache)
        started = time.perf_counter()
        cases, tests, keys = computed(session, data, playlists, folds, options, args, cache)
        print(f"{len(tests)} held-out cases, {time.perf_counter() - started:.0f} s")
        report: dict[str, Any] = {
            "cases_with_a_hit": len(cases.rows),
            "recall@candidates": round(float(np.mean(cases.recall)), 4),
            "hybrid order (fused best 100)": held_out(None, tests, keys, []),
            "ceilings by seed support": ceilings(tests),
        }
        for label, changes in variants(args.params):
            rounds = int(changes.pop("rounds", options.rounds))
            booster, fitted = fit(cases, replace(options, rounds=rounds), changes)
            report[label] = held_out(booster, tests, keys, [])
            report[label]["rounds"] = fitted["rounds"]
            print(label, report[label], flush=True)
        report["importance_gain"] = fitted["importance_gain"]
        if args.ensemble > 1:
            boosters = [
                fit(cases, options, {"bagging_fraction": 0.8, "bagging_freq": 1,
                                     "feature_fraction": 0.8, "seed": 100 + i})[0]
                for i in range(args.ensemble)
            ]  # fmt: skip
            report[f"ensemble of {args.ensemble}"] = held_out(Averaged(boosters), tests, keys, [])
            print("ensemble", report[f"ensemble of {args.ensemble}"], flush=True)
        for group in args.blank:
            booster, fitted = fit(blanked(cases, GROUPS[group]), options)
            report[f"without {group}"] = held_out(booster, tests, keys, GROUPS[group])
            print(group, report[f"without {group}"], flush=True)
        print(json.dumps(report, indent=1))
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1))


def ceilings(tests: list[tuple[list[int], Any, Any]]) -> dict[str, dict[str, float]]:
    """Per seed-support bucket: recall of the candidates, and NDCG@100 in fused order against
    the ceiling of any re-ranker (every target among the candidates put first)."""
    seeds = FEATURES.index("seed_playlists")
    found: dict[str, list[tuple[float, float, float]]] = {}
    for ids, x, case in tests:
        relevant = set(case.targets)
        bucket = support_bucket(int(x[0, seeds]) if len(ids) else 0)
        hits = [t for t in ids if t in relevant]
        found.setdefault(bucket, []).append(
            (
                len(hits) / max(len(relevant), 1),
                ndcg_at_k(ids[:100], relevant, 100),
                ndcg_at_k(hits[:100], relevant, 100),
            )
        )
    names = ("recall@candidates", "fused", "ceiling")
    labels = ["0", *(support_bucket(low) for low, _ in SUPPORT_BUCKETS)]
    order = [b for b in labels if b in found]
    means = {b: np.mean(found[b], axis=0).round(4).tolist() for b in order}
    return {b: {"cases": len(found[b]), **dict(zip(names, means[b], strict=True))} for b in order}


def variants(specs: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Parse "name=value,name=value" LightGBM overrides; the first variant is the defaults."""
    found: list[tuple[str, dict[str, Any]]] = [("all", {})]
    for spec in specs:
        changes: dict[str, Any] = {}
        for part in spec.split(","):
            name, _, value = part.partition("=")
            changes[name] = json.loads(value) if value[:1] in "[{0123456789-." else value
        found.append((spec, changes))
    return found


def computed(
    session: Any, data: Any, playlists: Any, folds: Any, options: Any, args: Any, cache: Path
) -> tuple[Cases, list[Any], Any]:
    """Return the learning cases, the held-out cases' candidates and rows, and the keys."""
    name = f"cases-{len(FEATURES)}-{args.folds}-{args.depth}-{args.als_weight:g}"
    if args.seeds_per_playlist != RankerOptions.seeds_per_playlist:
        name += f"-seeds{args.seeds_per_playlist}"
    path = cache / f"{name}.pkl"
    keys = load_keys(session)
    if path.exists():
        with path.open("rb") as f:
            cases, tests = pickle.load(f)  # our own cache
        return cases, tests, keys
    started = time.perf_counter()
    params = dict(options.params)
    cases = Cases([], [], [])
    reader = IndexReader(session)
    for f, learn in enumerate(folds):
        fold = cached_fold(
            cache / f"fold{f}.pkl",
            lambda learn=learn: fold_tables(data, learn, options.k, options.method, params),
        )
        found = learning_cases(
            FoldReads(session, reader, fold), playlists, learn, options.seeds_per_playlist
        )
        cases.extend(found)
        print(f"fold {f}: {len(found.rows)} cases, {time.perf_counter() - started:.0f} s")
    served = cached_fold(
        cache / "served.pkl",
        lambda: fold_tables(data, [], options.k, options.method, params),
    )
    reads = FoldReads(session, reader, served)
    keys = load_keys(session)
    test_cases, _ = build_cases(read_playlists(Path(args.test), None), keys)
    matcher = RankedMatcher(reads)
    tests = []
    for case in test_cases:
        seed = reads.seed(case.seed)
        if seed is None:
            tests.append(([], np.zeros((0, len(FEATURES))), case))
            continue
        pool, x = matcher.candidates(seed)
        tests.append((pool.ids.tolist(), x, case))
    with path.open("wb") as f:
        pickle.dump((cases, tests), f, protocol=pickle.HIGHEST_PROTOCOL)
    return cases, tests, keys


if __name__ == "__main__":
    main()
