"""The learned stage: trained without leakage, reproducibly, stored with its build."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from musaic.extensions import db
from musaic.indexing.data import imported_playlists, load_catalog
from musaic.indexing.fold import FoldReads, fold_tables, learning_fold, learning_folds
from musaic.indexing.ranker import RankerOptions, learning_cases, train_ranker
from musaic.matching import learned
from musaic.matching.index_reader import IndexReader
from musaic.matching.matchers.ranked import FEATURES, RankedMatcher
from musaic.models import RankerModel
from musaic.services.index import BuildOptions, build_index
from musaic.services.ranker import ranker_step, train_active_build
from tests.catalog_world.builder import CatalogBuilder

pytestmark = pytest.mark.usefixtures("app_context")
OPTIONS = RankerOptions(share=0.3, min_cases=5, rounds=20)


def _clustered_catalog(playlists: int = 120) -> list[int]:
    """Add 6 artists x 8 tracks and playlists that mostly stay within one artist pair."""
    b = CatalogBuilder()
    tracks = [[b.track(f"Song {a}-{t}", f"Artist {a}") for t in range(8)] for a in range(6)]
    rng = random.Random(3)
    for p in range(playlists):
        pair = p % 3
        pool = tracks[2 * pair] + tracks[2 * pair + 1]
        b.playlist(f"p{p}", rng.sample(pool, 6) + rng.sample([t for g in tracks for t in g], 1))
    b.commit()
    return [t for group in tracks for t in group]


def test_the_learning_playlists_are_not_in_the_index_their_features_come_from() -> None:
    _clustered_catalog()
    b = CatalogBuilder()
    lonely = [b.track(f"Only together {i}", f"Loner {i}") for i in range(2)]
    b.playlist("the only playlist with both", lonely)
    b.commit()
    playlists = imported_playlists(db.session)
    position = len(playlists) - 1
    learn = sorted({*learning_fold(len(playlists), 0.3, 7, 1000), position})
    fold = fold_tables(load_catalog(db.session), learn, 100, "rp3beta", {})
    reads = FoldReads(db.session, IndexReader(db.session), fold)
    kinds = ("cooc", "embed", "als")
    assert reads.track_neighbours(lonely, kinds) == {}  # their only playlist is learned from
    assert reads.playlist_counts(lonely) == {lonely[0]: 0, lonely[1]: 0}
    kept = sum(1 for q, pl in enumerate(playlists) if q not in learn and playlists[0][0] in pl)
    assert reads.playlist_counts([playlists[0][0]])[playlists[0][0]] == kept
    cases = learning_cases(reads, playlists, learn)
    assert cases.rows and all(rows.shape[1] == len(FEATURES) for rows in cases.rows)


def _train() -> tuple[str, dict[str, Any]]:
    build_index(BuildOptions(als=True))
    build_id = IndexReader(db.session).build_id
    assert build_id is not None
    report = train_ranker(db.session, load_catalog(db.session), build_id, OPTIONS)
    model = db.session.get(RankerModel, build_id)
    assert model is not None
    return model.model, report


def test_training_is_reproducible_and_the_model_serves_the_ranked_matcher() -> None:
    tracks = _clustered_catalog()
    first, report = _train()
    second, _ = _train()
    assert first == second  # same catalog + same seed -> the same model
    assert report["learning_playlists"] > 0 and 0 < report["recall@candidates"] <= 1
    assert set(report["importance_gain"]) == set(FEATURES)
    reader = IndexReader(db.session)
    scorer = reader.ranker_model(FEATURES)
    assert scorer is not None
    seed = reader.seed(tracks[0])
    assert seed is not None
    ranked = RankedMatcher(reader).rank(seed, 20)
    assert (
        ranked
        and all(c.reasons for c in ranked)
        and seed.track_id not in {c.track_id for c in ranked}
    )
    _, rows = RankedMatcher(reader).candidates(seed)
    again = RankedMatcher(IndexReader(db.session)).rank(seed, 20)
    assert [c.score for c in ranked] == [c.score for c in again]
    assert np.allclose(sorted(scorer.score(rows), reverse=True)[:20], [c.score for c in ranked])
    assert reader.ranker_model(["other"]) is None  # a model for other features is not used


def test_a_build_with_the_ranker_step_stores_its_model_and_too_few_cases_store_none() -> None:
    _clustered_catalog(playlists=12)
    reports: list[dict[str, Any]] = []
    build_index(
        BuildOptions(als=True),
        before_swap=ranker_step(RankerOptions(share=0.3, min_cases=50), reports),
    )
    assert "skipped" in reports[0]
    assert db.session.query(RankerModel).count() == 0
    assert IndexReader(db.session).ranker_model(FEATURES) is None


def test_learning_folds_are_disjoint_and_the_first_is_the_single_fold() -> None:
    folds = learning_folds(2000, 0.1, 7, 1000, 3)
    assert folds[0] == learning_fold(2000, 0.1, 7, 1000)
    assert all(150 <= len(fold) <= 250 for fold in folds)  # ~10 % each
    assert not (set(folds[0]) & set(folds[1]) or set(folds[1]) & set(folds[2]))
    capped = learning_folds(2000, 0.1, 7, 50, 2)
    assert [len(fold) for fold in capped] == [50, 50]
    assert all(set(small) <= set(full) for small, full in zip(capped, folds, strict=False))


def test_several_folds_learn_from_more_playlists_each_left_out_of_its_own_index() -> None:
    _clustered_catalog()
    build_index(BuildOptions(als=True))
    build_id = IndexReader(db.session).build_id
    assert build_id is not None
    data = load_catalog(db.session)
    one = train_ranker(db.session, data, build_id, OPTIONS)
    options = RankerOptions(share=0.3, min_cases=5, rounds=20, folds=3)
    three = train_ranker(db.session, data, build_id, options)
    model = db.session.get(RankerModel, build_id)
    assert model is not None and model.report["folds"] == 3
    assert three["learning_playlists"] > 2 * one["learning_playlists"]
    again = train_ranker(db.session, data, build_id, options)
    assert again["validation_ndcg@100_model"] == three["validation_ndcg@100_model"]
    stored = db.session.get(RankerModel, build_id)
    assert stored is not None and stored.model == model.model  # reproducible with three folds


def test_a_fold_without_als_reads_no_als_rows_even_from_a_build_that_has_them() -> None:
    tracks = _clustered_catalog()
    build_index(BuildOptions(als=True))
    served = IndexReader(db.session).track_neighbours(tracks, "als")
    assert served  # the build's own ALS rows, computed from every playlist
    learn = learning_fold(len(imported_playlists(db.session)), 0.3, 7, 1000)
    fold = fold_tables(load_catalog(db.session), learn, 100, "rp3beta", {}, als=False)
    reads = FoldReads(db.session, IndexReader(db.session), fold)
    assert reads.track_neighbours(tracks, "als") == {}
    assert reads.track_neighbours(tracks, "cooc")  # the fold's own kinds are there


def test_the_active_build_without_als_gets_a_model_that_learned_without_it() -> None:
    tracks = _clustered_catalog(playlists=400)
    build_index(BuildOptions())  # make run's build: no "als" rows
    report = train_active_build(7, 1)
    assert report is not None and report["als"] is False and "skipped" not in report
    reader = IndexReader(db.session)
    assert reader.ranker_model(FEATURES) is not None
    seed = reader.seed(tracks[0])
    assert seed is not None
    picks = RankedMatcher(reader).rank(seed, 10)
    assert picks and all("als" not in {r["code"] for r in c.reasons} for c in picks)
    assert train_active_build(7, 1, if_missing=True) is None  # it has one now: left alone


def test_a_process_picks_up_a_model_stored_for_the_build_it_already_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _clustered_catalog(playlists=400)
    build_index(BuildOptions())
    assert IndexReader(db.session).ranker_model(FEATURES) is None  # cached: no model yet
    train_active_build(7, 1)
    assert IndexReader(db.session).ranker_model(FEATURES) is None  # not asked again yet
    monkeypatch.setattr(learned, "RECHECK_SECONDS", 0.0)
    assert IndexReader(db.session).ranker_model(FEATURES) is not None
