"""After an import or an index build, PostgreSQL knows how big the written tables are.

After an import it also knows which pages every transaction sees (the visibility map), so the
search's index-only scans do not visit the table.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from musaic.extensions import db
from musaic.models import Track, TrackNeighbourList
from musaic.models.statistics import refresh_statistics
from musaic.services.catalog import import_file, load_demo_catalog
from musaic.services.index import build_index
from tests.catalog_world.tiny import add_tiny_catalog

FIXTURES = Path(__file__).parent.parent / "fixtures" / "catalog"
pytestmark = pytest.mark.usefixtures("app_context")


def _planner_rows(table: str) -> float:
    """Return pg_class.reltuples: -1 until ANALYZE (or VACUUM) has looked at the table."""
    found = db.session.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}
    ).scalar()
    return float(found if found is not None else -1)


def _postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans these reads without statistics; nothing is refreshed there")


def test_an_import_refreshes_the_planner_statistics_of_what_it_wrote() -> None:
    _postgresql_only()
    db.session.execute(text("TRUNCATE tracks CASCADE"))  # reltuples back to -1 (unknown)
    db.session.commit()
    assert _planner_rows("tracks") == -1
    import_file(FIXTURES / "tidytuesday_small.csv")
    written = db.session.scalar(select(func.count()).select_from(Track))
    assert written and _planner_rows("tracks") == written


def test_an_import_leaves_the_search_documents_visible_to_index_only_scans() -> None:
    _postgresql_only()
    db.session.execute(text("TRUNCATE tracks CASCADE"))
    db.session.commit()
    import_file(FIXTURES / "tidytuesday_small.csv")
    pages, visible = db.session.execute(
        text("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'track_search'")
    ).one()
    assert pages > 0 and visible == pages  # every page marked all-visible by the VACUUM


@contextmanager
def _analyze_statements() -> Iterator[list[str]]:
    """Collect every ANALYZE or VACUUM statement the engine runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith(("ANALYZE", "VACUUM")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_the_demo_refreshes_the_statistics_once_after_all_its_files(tmp_path: Path) -> None:
    _postgresql_only()
    for source, target in (
        ("tidytuesday_small.csv", "tidytuesday_spotify_songs/spotify_songs.csv.gz"),
        ("playlist_slice_small.json", "mpd_subset_followers10/mpd_dev.json.gz"),
    ):
        (tmp_path / target).parent.mkdir(parents=True)
        with (FIXTURES / source).open("rb") as raw, gzip.open(tmp_path / target, "wb") as out:
            shutil.copyfileobj(raw, out)
    with _analyze_statements() as seen:
        result = load_demo_catalog(tmp_path)
    assert result.imported and [s.format for s in result.summaries] == ["tidytuesday", "mpd"]
    assert seen == ["VACUUM (ANALYZE)"]  # one whole-database pass, after the last file
    assert _planner_rows("tracks") == db.session.scalar(select(func.count()).select_from(Track))


def test_a_build_refreshes_the_neighbour_tables_statistics() -> None:
    _postgresql_only()
    add_tiny_catalog()
    db.session.commit()
    db.session.execute(text("TRUNCATE track_neighbour_lists"))
    db.session.commit()
    build_index()
    lists = db.session.scalar(select(func.count()).select_from(TrackNeighbourList))
    assert lists and _planner_rows("track_neighbour_lists") == lists


def test_nothing_is_run_on_sqlite_and_a_failure_is_reported_not_raised() -> None:
    if db.engine.dialect.name == "sqlite":
        assert refresh_statistics(db.session) is False
        return
    assert refresh_statistics(db.session, ["tracks"]) is True
    assert refresh_statistics(db.session, ["no_such_table"]) is False  # logged, not raised
    assert db.session.execute(text("SELECT 1")).scalar() == 1  # the session is usable again
