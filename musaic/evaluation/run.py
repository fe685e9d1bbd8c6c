"""Offline evaluation: score matchers and baselines on held-out MPD playlists."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tqdm import tqdm

from musaic.evaluation.cases import ArtistOf, Case, build_cases, load_keys
from musaic.evaluation.metrics import aggregate, playlist_metrics
from musaic.evaluation.playlists import read_playlists
from musaic.evaluation.rankers import (
    Ranker,
    baseline_rankers,
    hybrid_weights,
    matcher_ranker,
)
from musaic.extensions import db
from musaic.matching.matchers import hybrid
from musaic.matching.registry import MATCHERS
from musaic.models import IndexBuild

ALL = "all"


@dataclass
class EvalOptions:
    """What to evaluate: list length, how many playlists, which matchers and hybrid variants."""

    k: int = 100
    limit: int | None = None
    matchers: Sequence[str] = ()  # registry names, or ("all",); baselines always run
    variants: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # hybrid weights
    progress: bool = False


def ablation_variants() -> dict[str, dict[str, float]]:
    """Return one hybrid variant per signal, with that signal's weight set to zero."""
    variants = {f"hybrid -{name}": {name: 0.0} for name, w in hybrid.WEIGHTS.items() if w > 0}
    variants["hybrid -same_artist"] = {"same_artist": 0.0}
    return variants


def matcher_names(requested: Sequence[str]) -> list[str]:
    """Expand "all" and check every name against the registry."""
    names = list(MATCHERS) if ALL in requested else list(requested)
    unknown = [n for n in names if n not in MATCHERS]
    if unknown:
        raise ValueError(f"unknown matcher {unknown[0]!r}; choose from {sorted(MATCHERS)}")
    return names


def _score(
    name: str, ranker: Ranker, cases: list[Case], artist_of: ArtistOf, options: EvalOptions
) -> dict[str, float]:
    """Average the metrics of one ranker over every case, with its seconds per case."""
    start = time.perf_counter()
    rows = []
    for case in tqdm(cases, desc=name, disable=not options.progress, file=sys.stderr):
        ranked = ranker(case.seed, options.k)
        rows.append(playlist_metrics(ranked, set(case.targets), artist_of, options.k))
    seconds = time.perf_counter() - start
    return {**aggregate(rows), "ms_per_case": round(1000 * seconds / max(len(cases), 1), 2)}


def evaluate(path: Path, options: EvalOptions | None = None) -> dict[str, Any]:
    """Score the baselines and the chosen matchers on the playlists of an MPD file.

    Args:
        path: An MPD slice file (plain or gzip): each playlist's first track the catalog knows
            is the seed; its other distinct tracks are the targets (unknown ones are misses).
        options: k, a playlist limit, matcher names, hybrid weight variants, progress bar.

    Returns:
        {"path", "k", "playlists", "cases", "skipped", "index_build", "results": {name:
        metrics}}, with metrics averaged over cases (RecSys 2018 definitions).
    """
    options = options or EvalOptions()
    names = matcher_names(options.matchers)
    session = db.session()
    keys = load_keys(session)
    playlists = read_playlists(path, options.limit)
    cases, skipped = build_cases(playlists, keys)
    results: dict[str, dict[str, float]] = {}
    for name, ranker in baseline_rankers(session, keys.artist_of).items():
        results[name] = _score(name, ranker, cases, keys.artist_of, options)
    for name in names:
        results[name] = _score(name, matcher_ranker(session, name), cases, keys.artist_of, options)
    for label, weights in options.variants.items():
        with hybrid_weights(weights):
            ranker = matcher_ranker(session, "hybrid")
            results[label] = _score(label, ranker, cases, keys.artist_of, options)
    session.rollback()  # read-only: end the snapshot
    build = db.session.scalar(select(IndexBuild.id).where(IndexBuild.active))
    return {
        "path": str(path),
        "k": options.k,
        "playlists": len(playlists),
        "cases": len(cases),
        "skipped": skipped,
        "index_build": build,
        "results": results,
    }
