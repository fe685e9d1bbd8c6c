"""Reads run on the DB-API cursor answer as SQLAlchemy does, in its transaction, seen by events."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, event, insert, select, text
from sqlalchemy.exc import DBAPIError

from musaic.extensions import db
from musaic.models import Artist, Playlist, PlaylistTrack, Track, driver
from musaic.models.lists import in_list, list_param

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


_BY_IDS = (  # a Core statement built once, as the hot reads are: a list parameter and a literal
    select(Artist.id, Artist.name)
    .where(in_list(Artist.id, list_param("ids")), Artist.name != "Nobody")
    .order_by(Artist.name)
)


def test_a_core_statement_binds_its_list_parameter_and_its_literals(app: Any) -> None:
    with app.app_context():
        ids = _add(["Nobody", "Zeta", "Eta", "Theta"])
        wanted = {"ids": [ids[0], ids[1], ids[3]]}
        expected = [tuple(r) for r in db.session.execute(_BY_IDS, wanted)]
        assert (
            driver.rows(db.session, _BY_IDS, wanted)
            == expected
            == [
                (ids[3], "Theta"),
                (ids[1], "Zeta"),
            ]
        )
        assert driver.rows(db.session, _BY_IDS, {"ids": []}) == []


def test_the_engines_cursor_listeners_see_every_statement(app: Any) -> None:
    seen: list[tuple[str, str]] = []

    def before(_c: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        seen.append(("before", sql))

    def after(_c: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        seen.append(("after", sql))

    with app.app_context():
        ids = _add(["Iota"])
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        try:
            assert driver.rows(db.session, _BY_IDS, {"ids": ids}) == [(ids[0], "Iota")]
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
            event.remove(db.engine, "after_cursor_execute", after)
        assert [when for when, _ in seen] == ["before", "after"]
        assert all("FROM artists" in sql for _, sql in seen)


def test_a_boolean_comes_back_as_the_driver_gives_it(app: Any, backend: str) -> None:
    with app.app_context():
        names = dict.fromkeys(("normalised_title", "match_key", "song_key"), "loud")
        db.session.add(Track(title="Loud", explicit=True, **names))
        db.session.flush()
        statement = "SELECT explicit FROM tracks WHERE title = :title"
        (value,) = driver.rows(db.session, statement, {"title": "Loud"})[0]
        assert value == 1 and bool(value) is True
        assert type(value) is (bool if backend == "postgres" else int)


_ADD_PLAYLIST = insert(Playlist.__table__).values(  # type: ignore[arg-type]
    {name: bindparam(name) for name in ("kind", "name", "options")}
)
_ADD_ITEMS = insert(PlaylistTrack.__table__).values(  # type: ignore[arg-type]
    {name: bindparam(name) for name in ("playlist_id", "position", "track_id", "reasons")}
)


def test_execute_many_writes_every_row_bind_processed_in_the_sessions_transaction(
    app: Any,
) -> None:
    many: list[bool] = []

    def before(
        _c: Any, _cursor: Any, _sql: str, _params: Any, _ctx: Any, executemany: bool
    ) -> None:
        many.append(executemany)

    with app.app_context():
        track = Track(title="Song", normalised_title="song", match_key="a|song", song_key="a|song")
        db.session.add(track)
        db.session.flush()
        (playlist,) = driver.rows(
            db.session,
            _ADD_PLAYLIST.returning(Playlist.__table__.c.id),  # type: ignore[attr-defined]
            {"kind": "generated", "name": "Mix", "options": {"length": 2}},
        )
        rows = [
            {
                "playlist_id": playlist[0],
                "position": i,
                "track_id": track.id,
                "reasons": [{"code": c}],
            }
            for i, c in enumerate(("first", "second"))
        ]
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            driver.execute_many(db.session, _ADD_ITEMS, rows)
            driver.execute_many(db.session, _ADD_ITEMS, [])  # nothing to write: no statement
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        assert many == [True]
        saved = db.session.get(Playlist, playlist[0])
        assert saved is not None and saved.options == {"length": 2}  # JSON, as the ORM writes it
        assert [i.reasons for i in saved.items] == [[{"code": "first"}], [{"code": "second"}]]
        assert saved.created_at is not None  # the server's default: the column was not written
        db.session.rollback()  # one transaction: nothing stays
        assert db.session.get(Playlist, playlist[0]) is None
