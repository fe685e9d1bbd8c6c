"""Train the learned second stage as part of an index build (before the build is swapped in)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from musaic.extensions import db
from musaic.indexing.data import load_catalog
from musaic.indexing.ranker import RankerOptions, train_ranker
from musaic.models import IndexBuild


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


def train_active_build(seed: int, folds: int = 1) -> dict[str, Any]:
    """Train the model for the active build with that build's co-occurrence settings.

    Raises:
        LookupError: there is no active build, or it has no "als" rows (built without --ranker).
    """
    session = db.session()
    build = session.scalar(select(IndexBuild).where(IndexBuild.active))
    if build is None:
        raise LookupError("no active index build: run `musaic index build` first")
    stats = build.stats or {}
    if "track.als" not in (stats.get("counts") or {}):
        raise LookupError("the active build has no ALS rows: run `musaic index build --ranker`")
    params = tuple(sorted((stats.get("parameters") or {}).items()))
    options = RankerOptions(
        seed=seed,
        k=stats.get("k", 100),
        method=stats.get("method", "rp3beta"),
        params=params,
        folds=folds,
    )
    reports: list[dict[str, Any]] = []
    ranker_step(options, reports)(build.id)
    return reports[0]
