"""Search statements run on the DB-API cursor answer as SQLAlchemy does, in its transaction."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from musaic.catalog.search import driver
from musaic.extensions import db
from musaic.models import Artist

STATEMENT = (
    "SELECT id, name FROM artists WHERE name >= :low AND name < :high"
    " AND id <> :skip ORDER BY name LIMIT 10"
)


def _add(names: list[str]) -> list[int]:
    artists = [Artist(name=n, normalised_name=n.lower()) for n in names]
    db.session.add_all(artists)
    db.session.flush()  # written in the session's transaction, not committed
    return [a.id for a in artists]


def test_rows_match_sqlalchemys_and_see_the_sessions_uncommitted_writes(app: Any) -> None:
    with app.app_context():
        ids = _add(["Beta", "Alpha", "Gamma", "Bravo"])
        params = {"low": "B", "high": "H", "skip": ids[3], "unused": 1}
        expected = [tuple(r) for r in db.session.execute(text(STATEMENT), params)]
        assert driver.rows(db.session, STATEMENT, params) == expected
        assert [name for _, name in expected] == ["Beta", "Gamma"]
        db.session.rollback()
        assert driver.rows(db.session, STATEMENT, params) == []


def test_a_parameter_used_twice_is_bound_twice(app: Any) -> None:
    with app.app_context():
        _add(["Delta", "Echo"])
        sql = "SELECT name FROM artists WHERE name = :name OR normalised_name = lower(:name)"
        assert driver.rows(db.session, sql, {"name": "DELTA"}) == [("Delta",)]
        assert driver.rows(db.session, sql, {"name": "Echo"}) == [("Echo",)]


def test_a_driver_error_is_raised_as_sqlalchemys(app: Any) -> None:
    with app.app_context():
        with pytest.raises(DBAPIError) as caught:
            driver.rows(db.session, "SELECT id FROM no_such_table WHERE id = :id", {"id": 1})
        assert "no_such_table" in str(caught.value.orig)
        db.session.rollback()
        assert driver.rows(db.session, "SELECT 1 AS one", {}) == [(1,)]
