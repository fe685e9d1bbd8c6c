"""Popularity terciles: computed once per active index build, recomputed after a rebuild."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from musaic.extensions import db
from musaic.matching.index_reader import IndexReader
from musaic.matching.popularity import PopularityThresholds, compute_thresholds
from musaic.models import Track
from tests.catalog_world.builder import CatalogBuilder

pytestmark = pytest.mark.usefixtures("app_context")


def _catalog(b: CatalogBuilder) -> None:
    for count in range(1, 10):
        b.track(f"Song {count}", "Counted", playlist_count=count, popularity=10 * count)


def _read() -> PopularityThresholds:
    return IndexReader(db.session).popularity_thresholds()


def _multiply_counts(factor: int) -> None:
    db.session.execute(update(Track).values(playlist_count=Track.playlist_count * factor))
    db.session.commit()


def test_thresholds_are_cached_per_build_and_recomputed_when_the_active_build_changes() -> None:
    b = CatalogBuilder()
    _catalog(b)
    b.index()
    b.commit()
    first = _read()
    assert first == PopularityThresholds((4, 7), (40, 70), max_playlist_count=9)
    _multiply_counts(10)  # a re-import without a rebuild: the cached terciles stay
    assert _read() == first
    b.rebuild_index()
    b.commit()
    assert _read() == PopularityThresholds((40, 70), (40, 70), max_playlist_count=90)
    assert _read() == compute_thresholds(db.session)


def test_without_an_index_thresholds_follow_the_catalog_on_every_read() -> None:
    b = CatalogBuilder()
    _catalog(b)
    b.commit()
    assert _read().playlist_count == (4, 7)
    _multiply_counts(10)
    assert _read().playlist_count == (40, 70)
