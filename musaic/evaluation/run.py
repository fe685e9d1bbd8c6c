"""Offline evaluation: score matchers and baselines on held-out MPD playlists."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tqdm import tqdm

from musaic.evaluation.beyond import POPULARITY_OPTIONS, PercentileOf, beyond_accuracy
from musaic.evaluation.cases import Case, CatalogKeys, build_cases, load_keys
from musaic.evaluation.cold import ColdArtistReads, ColdSeedReads
from musaic.evaluation.metrics import aggregate, playlist_metrics
from musaic.evaluation.playlists import PlaylistFileError, iter_playlists
from musaic.evaluation.rankers import Ranker, baseline_rankers, make_matcher, matcher_ranker
from musaic.evaluation.report import gains_over_counts
from musaic.extensions import db
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers.hybrid import DEFAULT_WEIGHTS
from musaic.matching.reads import IndexReads
from musaic.matching.registry import DEFAULT_MATCHER, MATCHERS
from musaic.models import IndexBuild

ALL = "all"
SUPPORT_BUCKETS = ((1, 1), (2, 4), (5, 19), (20, None))  # seeds in this many train playlists
COLD_BASELINES = ("popularity", "artist_popularity")  # the co-occurrence ones need the seed's row
# A new artist has no hits of its own: artist_popularity would read them from the database.
COLD_ARTIST_BASELINES = ("popularity",)
# mode -> (view of the index, baselines that can still rank, report label)
COLD_MODES: dict[str, tuple[Callable[[IndexReads], IndexReads], tuple[str, ...], str]] = {
    "cold": (ColdSeedReads, COLD_BASELINES, "cold"),
    "cold_artist": (ColdArtistReads, COLD_ARTIST_BASELINES, "cold artist"),
}


@dataclass
class EvalOptions:
    """What to evaluate: list length, how many playlists, which matchers and hybrid variants."""

    k: int = 100
    limit: int | None = None
    matchers: Sequence[str] = ()  # registry names, or ("all",); () is the default matcher
    variants: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # hybrid weights
    progress: bool = False
    cold: bool = False  # also score every ranker with the seed's co-occurrence hidden
    cold_artist: bool = False  # ... and with the seed's artists new too (no playlists, no hits)
    beyond: bool = False  # also score finished playlists per popularity option


def ablation_variants() -> dict[str, dict[str, float]]:
    """Return one hybrid variant per signal, with that signal's weight set to zero."""
    return {f"hybrid -{name}": {name: 0.0} for name, w in DEFAULT_WEIGHTS.items() if w > 0}


def matcher_names(requested: Sequence[str]) -> list[str]:
    """Expand "all" (none: the default matcher) and check every name against the registry."""
    if not requested:
        return [DEFAULT_MATCHER]
    names = list(MATCHERS) if ALL in requested else list(requested)
    unknown = [n for n in names if n not in MATCHERS]
    if unknown:
        raise ValueError(f"unknown matcher {unknown[0]!r}; choose from {sorted(MATCHERS)}")
    return names


def support_bucket(count: int) -> str:
    """Return the label of the seed-support bucket holding `count` ("0" below the first)."""
    for low, high in SUPPORT_BUCKETS:
        if count >= low and (high is None or count <= high):
            return f"{low}+" if high is None else (f"{low}" if low == high else f"{low}-{high}")
    return "0"


def _score(
    name: str, ranker: Ranker, cases: Sequence[Case], keys: CatalogKeys, options: EvalOptions
) -> tuple[dict[str, float], list[dict[str, float]]]:
    """Average the metrics of one ranker over every case; also return the per-case rows."""
    start = time.perf_counter()
    rows = []
    for case in tqdm(cases, desc=name, disable=not options.progress, file=sys.stderr):
        ranked = ranker(case.seed, options.k)
        rows.append(playlist_metrics(ranked, set(case.targets), keys.artist_of, options.k))
    seconds = time.perf_counter() - start
    ms = round(1000 * seconds / max(len(cases), 1), 2)
    return {**aggregate(rows), "ms_per_case": ms}, rows


def _by_support(
    rows: Sequence[dict[str, float]], cases: Sequence[Case], support: Mapping[int, int]
) -> dict[str, dict[str, float]]:
    """Average per-case rows within each seed-support bucket."""
    buckets: dict[str, list[dict[str, float]]] = {}
    for row, case in zip(rows, cases, strict=True):
        buckets.setdefault(support_bucket(support.get(case.seed, 0)), []).append(row)
    return {label: aggregate(buckets[label]) for label in sorted(buckets, key=_bucket_order)}


def _bucket_order(label: str) -> int:
    return int(label.split("-")[0].rstrip("+"))


def _rankers(
    reads: IndexReads, keys: CatalogKeys, options: EvalOptions, mode: str | None
) -> dict[str, Ranker]:
    """Return every ranker to score: baselines (those a cold mode allows), matchers, variants."""
    baselines = baseline_rankers(db.session(), keys.artist_of)
    allowed = COLD_MODES[mode][1] if mode else tuple(baselines)
    rankers = {n: r for n, r in baselines.items() if n in allowed}
    for name in matcher_names(options.matchers):
        rankers[name] = matcher_ranker(reads, name)
    for label, weights in options.variants.items():
        rankers[label] = matcher_ranker(reads, "hybrid", weights)
    return rankers


def _run_mode(
    reads: IndexReads,
    cases: Sequence[Case],
    keys: CatalogKeys,
    options: EvalOptions,
    mode: str | None = None,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict[str, float]]]]:
    """Score every ranker in one mode (None: normal, else a COLD_MODES key).

    Returns overall results, and for the normal mode results by seed support.
    """
    support = reads.playlist_counts(c.seed for c in cases) if mode is None else {}
    view = COLD_MODES[mode][0](reads) if mode else reads
    results, buckets = {}, {}
    for name, ranker in _rankers(view, keys, options, mode).items():
        label = f"{name} ({COLD_MODES[mode][2]})" if mode else name
        results[name], rows = _score(label, ranker, cases, keys, options)
        if mode is None:
            buckets[name] = _by_support(rows, cases, support)
    return results, buckets


def _beyond(
    reads: IndexReader, cases: Sequence[Case], keys: CatalogKeys, options: EvalOptions
) -> dict[str, dict[str, float]]:
    """Score finished 30-track playlists per matcher and popularity option."""
    percentile = PercentileOf.of_catalog(db.session())
    table = {}
    for name in matcher_names(options.matchers):
        matcher = make_matcher(reads, name, None)
        for popularity in POPULARITY_OPTIONS:
            table[f"{name} {popularity}"] = beyond_accuracy(
                reads, matcher, cases, keys.artist_of, percentile, popularity
            )
    return table


def evaluate(path: Path, options: EvalOptions | None = None) -> dict[str, Any]:
    """Score the baselines and the chosen matchers on the playlists of an MPD file.

    Args:
        path: An MPD slice file (plain or gzip) or a folder of them, read a file at a time:
            each playlist's first track the catalog knows is the seed; its other distinct
            tracks are the targets (unknown ones are misses).
        options: k, a playlist limit, matchers, hybrid variants, cold and beyond-accuracy modes.

    Returns:
        {"path", "k", "playlists", "cases", "skipped", "index_build", "results": {name:
        metrics}, "gains_over_counts": {matcher: {metric: gain}}, "by_support": {name:
        {bucket: metrics}}}, plus "cold_results",
        "cold_artist_results" and "beyond" when asked for; metrics are averaged over cases
        (RecSys 2018 definitions).
    """
    options = options or EvalOptions()
    matcher_names(options.matchers)  # refuse unknown names before any work
    session = db.session()
    keys = load_keys(session)
    cases, skipped = build_cases(iter_playlists(path, options.limit), keys)  # a file at a time
    playlists = len(cases) + skipped
    if not cases:
        raise PlaylistFileError(
            f"{path}: none of its {playlists} playlists can be scored: each needs a track"
            " the catalog knows (the seed) and another track (import the catalog the playlists"
            " come from first, e.g. `musaic catalog demo`)"
        )
    reads = IndexReader(session)
    results, by_support = _run_mode(reads, cases, keys, options)
    report: dict[str, Any] = {
        "results": results,
        "gains_over_counts": gains_over_counts(results, options.k),
        "by_support": by_support,
    }
    if options.cold:
        report["cold_results"] = _run_mode(reads, cases, keys, options, "cold")[0]
    if options.cold_artist:
        report["cold_artist_results"] = _run_mode(reads, cases, keys, options, "cold_artist")[0]
    if options.beyond:
        report["beyond"] = _beyond(reads, cases, keys, options)
    session.rollback()  # read-only: end the snapshot
    build = db.session.scalar(select(IndexBuild.id).where(IndexBuild.active))
    header = {"path": str(path), "k": options.k, "playlists": playlists}
    return {**header, "cases": len(cases), "skipped": skipped, "index_build": build, **report}
