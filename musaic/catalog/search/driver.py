"""Run a search statement on the session's DB-API cursor, without SQLAlchemy's result setup.

A search runs one to four short statements. Measured on the demo catalog (2026-12-02),
SQLAlchemy's execution path (compiling the text, describing the result, making rows) added
0.04 ms per statement on SQLite and 0.12 ms on psycopg, as long as the statement itself took
for a rare word. The statements are still `text()` SQL with `:name` parameters, compiled once
per dialect, and run in the session's own transaction. A driver error is raised as
SQLAlchemy's (an unreachable database stays a 503 `database_unavailable`), and a connection
the driver lost is invalidated, as SQLAlchemy's own execution does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class _Compiled:
    sql: str  # in the driver's own parameter style
    names: tuple[str, ...]  # the parameters, in order for a positional style
    positional: bool

    def arguments(self, params: Mapping[str, Any]) -> Any:
        if self.positional:
            return tuple(params[name] for name in self.names)
        return {name: params[name] for name in self.names}


_COMPILED: dict[tuple[str, str], _Compiled] = {}
MAX_COMPILED = 512  # distinct statement texts kept (typo readings vary their shape)


def _compiled(dialect: Dialect, sql: str) -> _Compiled:
    key = (dialect.name, sql)
    found = _COMPILED.get(key)
    if found is None:
        compiled = text(sql).compile(dialect=dialect)
        positional = compiled.positiontup is not None
        names = tuple(compiled.positiontup or compiled.binds)
        found = _Compiled(str(compiled), names, positional)
        if len(_COMPILED) >= MAX_COMPILED:
            _COMPILED.clear()
        _COMPILED[key] = found
    return found


def rows(session: Session, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Return every row of `sql` (`:name` parameters) run in the session's transaction."""
    connection = session.connection()
    dialect = connection.dialect
    compiled = _compiled(dialect, sql)
    raw: Any = connection.connection.driver_connection
    cursor = raw.cursor()
    try:
        cursor.execute(compiled.sql, compiled.arguments(params))
        return list(cursor.fetchall())
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, raw, cursor)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            compiled.sql, None, error, dialect.loaded_dbapi.Error, connection_invalidated=lost
        ) from error
    finally:
        cursor.close()
