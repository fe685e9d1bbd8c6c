"""Train the learned second stage as part of an index build (before the build is swapped in)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from musaic.extensions import db
from musaic.indexing.data import load_catalog
from musaic.indexing.ranker import RankerOptions, train_ranker
from musaic.models import IndexBuild, RankerModel


def ranker_step(options: RankerOptions, reports: list[dict[str, Any]]) -> Callable[[int], None]:
    """Return a build_index `before_swap` step that trains and stores the build's model.

    The report of each run is appended to `reports`. A failure fails the whole build, so the
    previous build and its model stay active together.
    """

    def step(build_id: int) -> None:
        session = db.session()
        data = load_catalog(session)
        session.commit()
        reports.append(train_ranker(session, data, build_id, options))

    return step


def nothing_to_train(if_missing: bool) -> str | None:
    """Say why `musaic index train` has nothing to do now, or None when it has."""
    session = db.session()
    build_id = session.scalar(select(IndexBuild.id).where(IndexBuild.active))
    if build_id is None:
        return "no active index build: run `musaic index build` first"
    has_model = session.scalar(select(RankerModel.build_id).where(RankerModel.build_id == build_id))
    if if_missing and has_model is not None:
        return "the active build already has a model; left as it is"
    return None


def train_active_build(
    seed: int, folds: int = 1, *, if_missing: bool = False
) -> dict[str, Any] | None:
    """Train the model for the active build with that build's co-occurrence settings.

    A build made with `--ranker` has "als" rows, and its model learns from folds that have
    them too; one made without (`make run`'s) gets a model that learns without ALS, as it will
    be served. With `if_missing`, a build that already has a model is left alone (None).

    Raises:
        LookupError: there is no active build.
    """
    session = db.session()
    build = session.scalar(select(IndexBuild).where(IndexBuild.active))
    if build is None:
        raise LookupError("no active index build: run `musaic index build` first")
    if if_missing and nothing_to_train(if_missing):
        return None
    stats = build.stats or {}
    params = tuple(sorted((stats.get("parameters") or {}).items()))
    options = RankerOptions(
        seed=seed,
        k=stats.get("k", 100),
        method=stats.get("method", "rp3beta"),
        params=params,
        folds=folds,
        als="track.als" in (stats.get("counts") or {}),
    )
    reports: list[dict[str, Any]] = []
    ranker_step(options, reports)(build.id)
    return reports[0]
