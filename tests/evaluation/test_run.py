"""Offline evaluation on a hand-written MPD file against the tiny catalog, with known answers."""

from __future__ import annotations

import gzip
import json
from math import log2
from pathlib import Path

import pytest

from musaic.evaluation.playlists import in_holdout, read_playlists, split_playlists
from musaic.evaluation.run import EvalOptions, ablation_variants, evaluate
from musaic.matching.matchers.hybrid import DEFAULT_WEIGHTS
from musaic.services.index import build_index
from tests.catalog_world.tiny import add_tiny_catalog

TINY_MPD = Path(__file__).resolve().parent.parent / "fixtures" / "eval" / "tiny_playlists.json"

# Imported playlists p1 [1,2,3], p2 [1,2], p3 [3,4,5]. Cooccurrence_count ranks:
#   playlist 10, seed 1 (first known track): [2, 3, 4, 5, 6]; targets {2, sp9, notincatalog}
#   playlist 11, seed 3 (by match key):      [1, 2, 4, 5, 6]; targets {4, 5}
# Playlists 12 (no known track) and 13 (seed alone) are skipped.
NDCG_10 = 1 / (1 + 1 / log2(3) + 1 / log2(4))  # one hit at rank 1 of three targets
NDCG_11 = (1 / log2(4) + 1 / log2(5)) / (1 + 1 / log2(3))  # hits at ranks 3 and 4 of two
# Artists, both cases ranked [Alpha, Bravo, Charlie, Delta]:
ARTIST_R_PRECISION_10 = 2 / 3  # relevant {Alpha, Bravo (sp9), Nobody}: 2 in the top 3
ARTIST_R_PRECISION_11 = 1 / 2  # relevant {Bravo, Charlie}: Bravo in the top 2


def test_cases_take_the_first_known_track_as_seed_and_skip_unusable_playlists(
    app_context: None,
) -> None:
    add_tiny_catalog()
    report = evaluate(TINY_MPD)
    assert (report["playlists"], report["cases"], report["skipped"]) == (4, 2, 2)


def test_cooccurrence_count_baseline_scores_match_hand_computed_values(
    app_context: None,
) -> None:
    add_tiny_catalog()
    metrics = evaluate(TINY_MPD)["results"]["cooccurrence_count"]
    assert metrics["n"] == 2
    assert metrics["r_precision"] == pytest.approx((1 / 3 + 0) / 2)
    assert metrics["ndcg@100"] == pytest.approx((NDCG_10 + NDCG_11) / 2)
    assert metrics["recall@100"] == pytest.approx((1 / 3 + 1) / 2)
    assert metrics["clicks"] == 0
    assert metrics["artist_r_precision"] == pytest.approx(
        (ARTIST_R_PRECISION_10 + ARTIST_R_PRECISION_11) / 2
    )


def test_a_small_k_cuts_the_ranked_list(app_context: None) -> None:
    add_tiny_catalog()
    metrics = evaluate(TINY_MPD, EvalOptions(k=2))["results"]["cooccurrence_count"]
    assert metrics["recall@2"] == pytest.approx((1 / 3 + 0) / 2)
    assert metrics["clicks"] == pytest.approx((0 + 1) / 2)  # no hit in 2: k // 10 + 1 = 1


def test_all_matchers_run_beside_the_baselines_on_the_active_index(app_context: None) -> None:
    add_tiny_catalog()
    build_index()
    report = evaluate(TINY_MPD, EvalOptions(matchers=["all"]))
    results = report["results"]
    assert list(results)[:4] == [
        "popularity",
        "artist_popularity",
        "cooccurrence_count",
        "cooccurrence_cosine",
    ]
    assert {"hybrid", "cooccurrence", "artist", "tags", "audio"} <= set(results)
    assert results["cooccurrence"]["recall@100"] == pytest.approx((1 / 3 + 1) / 2)
    assert report["index_build"] == 1


def test_hybrid_variants_are_reported_under_their_labels(app_context: None) -> None:
    add_tiny_catalog()
    build_index()
    only_cooc = {name: 0.0 for name in DEFAULT_WEIGHTS if name != "cooccurrence"}
    variants = {**ablation_variants(), "hybrid only cooc": only_cooc}
    results = evaluate(TINY_MPD, EvalOptions(variants=variants))["results"]
    assert "hybrid -cooccurrence" in results and "hybrid -same_artist" in results
    assert results["hybrid only cooc"]["recall@100"] == pytest.approx((1 / 3 + 1) / 2)


def test_without_matchers_the_default_one_runs_and_cold_mode_hides_the_seed_row(
    app_context: None,
) -> None:
    add_tiny_catalog()
    build_index()
    report = evaluate(TINY_MPD, EvalOptions(cold=True))
    assert list(report["results"])[4:] == ["ranked"]
    assert set(report["cold_results"]) == {"popularity", "artist_popularity", "ranked"}
    assert sum(b["n"] for b in report["by_support"]["ranked"].values()) == report["cases"]
    cooc = evaluate(TINY_MPD, EvalOptions(matchers=["cooccurrence"], cold=True))
    assert cooc["results"]["cooccurrence"]["recall@100"] == pytest.approx((1 / 3 + 1) / 2)
    assert cooc["cold_results"]["cooccurrence"]["recall@100"] == 0.0  # nothing but its row


def test_beyond_accuracy_is_reported_per_popularity_option(app_context: None) -> None:
    add_tiny_catalog()
    build_index()
    beyond = evaluate(TINY_MPD, EvalOptions(beyond=True))["beyond"]
    assert set(beyond) == {"ranked balanced", "ranked mainstream", "ranked discovery"}
    assert 0 < beyond["ranked balanced"]["catalog_coverage"] <= 1


def test_unknown_matcher_is_refused(app_context: None) -> None:
    with pytest.raises(ValueError, match="unknown matcher"):
        evaluate(TINY_MPD, EvalOptions(matchers=["magic"]))


def test_split_is_deterministic_disjoint_and_complete(tmp_path: Path) -> None:
    first = split_playlists(TINY_MPD, tmp_path / "a", holdout=0.5, seed=7)
    split_playlists(TINY_MPD, tmp_path / "b", holdout=0.5, seed=7)
    train = [p["pid"] for p in read_playlists(tmp_path / "a" / "train.json.gz")]
    test = [p["pid"] for p in read_playlists(tmp_path / "a" / "test.json.gz")]
    assert sorted(train + test) == [10, 11, 12, 13] and not set(train) & set(test)
    assert first == {"train": len(train), "test": len(test)}
    assert (tmp_path / "a" / "test.json.gz").read_bytes()[:2] == b"\x1f\x8b"
    with gzip.open(tmp_path / "b" / "test.json.gz", "rt") as handle:
        assert [p["pid"] for p in json.load(handle)["playlists"]] == test


def test_holdout_depends_on_pid_and_seed_not_on_file_order() -> None:
    held = [pid for pid in range(2000) if in_holdout(pid, 0.15, seed=7)]
    assert 200 < len(held) < 400  # about 15 %
    assert held != [pid for pid in range(2000) if in_holdout(pid, 0.15, seed=8)]
    assert in_holdout(held[0], 0.15, seed=7)


def test_reading_a_file_without_playlists_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not_mpd.json"
    path.write_text('{"tracks": []}')
    with pytest.raises(ValueError, match="not an MPD slice"):
        read_playlists(path)
