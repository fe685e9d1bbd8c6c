"""Train the `ranked` matcher's LambdaRank model from the catalog's own playlists.

No leakage: the learning playlists (a hashed fold) are left out of the training index their
features come from (musaic/indexing/fold.py); the served index, built from every playlist, gets
the model stored under its build id, so a rebuild swaps neighbours and model together.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete
from sqlalchemy.orm import Session

from musaic.indexing.data import CatalogMatrices, imported_playlists
from musaic.indexing.fold import FoldReads, fold_tables, learning_folds
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers.ranked import FEATURES, RankedMatcher
from musaic.matching.reads import FloatMatrix
from musaic.models import RankerModel
from musaic.observability import logger

VALIDATION_SHARE = 0.2  # of the learning cases: picks the number of rounds, reported
PATIENCE = 30  # rounds without a better validation NDCG before training stops


@dataclass(frozen=True)
class RankerOptions:
    """How to train: the fold, its size, the model's seed and size."""

    seed: int = 7
    share: float = 0.1  # of the imported playlists, learned from (and left out of the fold index)
    cap: int = 1500  # at most this many learning playlists (training stays ~1 minute)
    min_cases: int = 30  # fewer usable cases: no model, the matcher ranks as the hybrid does
    rounds: int = 300
    seeds_per_playlist: int = 3  # each of a learning playlist's first 3 tracks seeds one case
    folds: int = 1  # disjoint learning folds, each left out of a training index of its own
    k: int = 100  # the served build's co-occurrence k, method and parameters
    method: str = "rp3beta"
    params: tuple[tuple[str, float], ...] = ()
    als: bool = True  # the served build has "als" rows (a --ranker build): so do the folds


@dataclass
class Cases:
    """Feature rows, labels and group sizes of the learning cases, with candidate recall."""

    rows: list[FloatMatrix]
    labels: list[np.ndarray]
    recall: list[float]

    def extend(self, other: Cases) -> None:
        """Add another fold's cases after these."""
        self.rows += other.rows
        self.labels += other.labels
        self.recall += other.recall


def lightgbm_params(seed: int) -> dict[str, Any]:
    """Return LambdaRank parameters that give the same model for the same data and seed."""
    return {
        "objective": "lambdarank",
        "metric": "ndcg",
        "eval_at": [100],
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_data_in_leaf": 50,
        "lambdarank_truncation_level": 100,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 1,
        "seed": seed,
        "verbose": -1,
    }


def learning_cases(
    reads: FoldReads, playlists: list[list[int]], learn: list[int], seeds: int = 1
) -> Cases:
    """Seed each learning playlist with its first `seeds` tracks; label the tracks it holds."""
    matcher = RankedMatcher(reads)
    cases = Cases([], [], [])
    for position in learn:
        tracks = playlists[position]
        for seed_id in dict.fromkeys(tracks[:seeds]):
            targets = set(tracks) - {seed_id}
            seed = reads.seed(seed_id)
            if seed is None or not targets:
                continue
            pool, rows = matcher.candidates(seed)
            labels = np.asarray([t in targets for t in pool.ids.tolist()], dtype=np.float64)
            cases.recall.append(float(labels.sum()) / len(targets))
            if labels.any():
                cases.rows.append(rows)
                cases.labels.append(labels)
    return cases


def _ndcg(order_scores: np.ndarray, labels: np.ndarray, k: int = 100) -> float:
    ranked = labels[np.lexsort((np.arange(labels.size), -order_scores))][:k]
    dcg = float((ranked / np.log2(np.arange(2, ranked.size + 2))).sum())
    ideal = int(min(labels.sum(), k))
    return dcg / sum(1.0 / math.log2(i + 2) for i in range(ideal)) if ideal else 0.0


def fit(
    cases: Cases, options: RankerOptions, overrides: dict[str, Any] | None = None
) -> tuple[Any, dict[str, Any]]:
    """Train on the first 80 % of cases, stop on the rest; return the booster and report.

    `overrides` change LightGBM parameters (research: research/ranker_lab.py).
    """
    import lightgbm

    split = max(1, int(len(cases.rows) * (1 - VALIDATION_SHARE)))
    train, valid = slice(0, split), slice(split, None)

    def dataset(part: slice, reference: Any = None) -> Any:
        rows, labels = cases.rows[part], cases.labels[part]
        return lightgbm.Dataset(
            np.vstack(rows), np.concatenate(labels), group=[len(x) for x in labels],
            feature_name=FEATURES, reference=reference, free_raw_data=False,
        )  # fmt: skip

    params = {**lightgbm_params(options.seed), **(overrides or {})}
    patience = int(params.pop("patience", PATIENCE))
    training = dataset(train)
    validation = dataset(valid, training)
    stop: list[Callable[..., Any]] = (
        [lightgbm.early_stopping(patience, verbose=False)] if patience else []
    )
    booster = lightgbm.train(
        params, training, options.rounds, valid_sets=[validation], callbacks=stop,
    )  # fmt: skip
    fused = FEATURES.index("fused_rank")
    held = list(zip(cases.rows[valid], cases.labels[valid], strict=True))
    report = {
        "rounds": booster.best_iteration or options.rounds,
        "validation_cases": len(held),
        "validation_ndcg@100_model": _mean(
            [_ndcg(np.asarray(booster.predict(x)), y) for x, y in held]
        ),
        "validation_ndcg@100_hybrid_order": _mean([_ndcg(-x[:, fused], y) for x, y in held]),
        "importance_gain": dict(
            zip(FEATURES, booster.feature_importance("gain").round(1).tolist(), strict=True)
        ),
    }
    return booster, report


def _mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 4) if values else 0.0


def train_ranker(
    session: Session, data: CatalogMatrices, build_id: int, options: RankerOptions | None = None
) -> dict[str, Any]:
    """Train the model for build `build_id` and store it; return the training report."""
    options = options or RankerOptions()
    started = time.perf_counter()
    playlists = imported_playlists(session)
    folds = learning_folds(
        len(playlists), options.share, options.seed, options.cap, max(options.folds, 1)
    )
    cases = Cases([], [], [])
    for number, learn in enumerate(folds, 1):  # each fold's features: an index without it
        logger.info(
            "ranker: building the training index without learning fold %d of %d", number, len(folds)
        )
        fold = fold_tables(
            data, learn, options.k, options.method, dict(options.params), options.als
        )
        # Kinds the fold does not rebuild (audio, credits, tags, artist tracks) are read from
        # the build being trained, not from whichever build is active while it is built.
        reads = FoldReads(session, IndexReader(session, build_id), fold)
        cases.extend(learning_cases(reads, playlists, learn, options.seeds_per_playlist))
        del fold, reads
        logger.info(
            "ranker: fold %d of %d done, %d cases with a hit so far, %.0f s",
            number,
            len(folds),
            len(cases.rows),
            time.perf_counter() - started,
        )
    report: dict[str, Any] = {
        "seed": options.seed,
        "folds": len(folds),
        "als": options.als,
        "learning_playlists": sum(len(learn) for learn in folds),
        "cases_with_a_hit": len(cases.rows),
        "recall@candidates": _mean(cases.recall),
        "features": FEATURES,
    }
    session.execute(delete(RankerModel).where(RankerModel.build_id == build_id))
    if len(cases.rows) < options.min_cases:
        report["skipped"] = f"{len(cases.rows)} usable cases, under {options.min_cases}"
    else:
        booster, fitted = fit(cases, options)
        report.update(fitted)
        model = booster.model_to_string(num_iteration=booster.best_iteration or None)
        report["seconds"] = round(time.perf_counter() - started, 1)
        session.add(RankerModel(build_id=build_id, model=model, features=FEATURES, report=report))
    report.setdefault("seconds", round(time.perf_counter() - started, 1))
    session.commit()
    return report
