"""One query set on SQLite and on PostgreSQL: the same top 3 for every query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from benchmarks.search_load import TIDYTUESDAY, load_tidytuesday
from benchmarks.search_queries import build_queries
from musaic.catalog.search import parse_query, rebuild_index, search_catalog
from musaic.extensions import db
from musaic.models import Track
from tests.conftest import SHARED_DATA_DIR, make_app


def _subset(row: dict[str, str]) -> bool:
    """About one TidyTuesday row in 25, chosen by track id."""
    return int(row["track_id"].encode().hex(), 16) % 25 == 0


def _load(app: Any) -> None:
    with app.app_context():
        load_tidytuesday(SHARED_DATA_DIR, keep=_subset)
        rebuild_index()
        db.session.commit()


def _top3(app: Any, queries: list[str]) -> list[list[str]]:
    with app.app_context():
        keys = dict(db.session.execute(select(Track.id, Track.match_key)).all())
        tops = [
            [keys[i] for i in search_catalog(parse_query(q), limit=3).track_ids] for q in queries
        ]
        db.session.remove()
        db.engine.dispose()
        return tops


def test_sqlite_and_postgres_give_the_same_top_three(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if not (SHARED_DATA_DIR / TIDYTUESDAY).is_file():
        pytest.skip(f"TidyTuesday data is not at {SHARED_DATA_DIR / TIDYTUESDAY}")
    sqlite, postgres = (make_app(b, request, tmp_path) for b in ("sqlite", "postgres"))
    _load(sqlite)
    _load(postgres)
    with sqlite.app_context():
        queries = [q.q for q in build_queries(seed=7, per_kind=12)]
    on_sqlite, on_postgres = _top3(sqlite, queries), _top3(postgres, queries)
    assert sum(map(bool, on_sqlite)) > len(queries) * 0.8  # the set is not trivially empty
    differing = [
        (q, a, b) for q, a, b in zip(queries, on_sqlite, on_postgres, strict=True) if a != b
    ]
    assert differing == []
