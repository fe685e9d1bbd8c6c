"""Run a read (or a generated playlist's two writes) on the session's DB-API cursor.

Generation runs about seven short reads per seed and search one to four. Measured on the demo
catalog, SQLAlchemy's execution path (the compiled-cache lookup, binding, describing the result,
making rows) cost as long as the reads themselves: 0.04 ms a statement on SQLite and 0.12 ms on
psycopg for search (2026-12-02); generation's seven reads took 1.38 ms through
`exec_driver_sql` and 0.91 ms on the cursor (2026-12-03); its two writes took 0.71 ms through
Core for 0.25 ms of driver time. So these statements are compiled once per dialect and
statement and run here, in the session's own transaction:

- a statement is `text()` SQL with `:name` parameters or a Core `select()` built once (module
  level: the cache is keyed by the statement object, so a statement built per call would never
  hit it and would fill the cache);
- each parameter goes through its type's bind processing (a `list_param` becomes the JSON array
  on SQLite), and literal values compiled into the statement are bound as they are;
- rows come back as the driver makes them: on SQLite a Boolean column is 0 or 1, so callers
  turn what they show into bool themselves;
- the engine's `before_cursor_execute` / `after_cursor_execute` listeners still see every
  statement (the statement-count tests and `benchmarks generation` rely on that), with no
  execution context (None);
- a driver error is raised as SQLAlchemy's (an unreachable database stays a 503
  `database_unavailable`), and a connection the driver lost is invalidated, as SQLAlchemy's
  own execution does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

Row = tuple[Any, ...]
MAX_COMPILED = 512  # distinct statements kept (search's typo readings vary their text)


@dataclass(frozen=True)
class _Compiled:
    """One statement compiled for one dialect, and how to turn parameters into its arguments."""

    sql: str  # in the driver's own parameter style
    names: tuple[str, ...]  # the parameters, in order for a positional style
    positional: bool
    processors: Mapping[str, Callable[[Any], Any]]  # bind processing, by parameter
    fixed: Mapping[str, Any]  # literal values compiled into the statement

    def arguments(self, params: Mapping[str, Any]) -> Any:
        """Return the DB-API arguments for `params` (missing names take the literal values)."""
        values = []
        for name in self.names:
            value = params[name] if name in params else self.fixed[name]
            process = self.processors.get(name)
            values.append(value if process is None else process(value))
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))


_COMPILED: dict[tuple[str, object], _Compiled] = {}


def _compile(dialect: Dialect, statement: Executable | str) -> _Compiled:
    clause = text(statement) if isinstance(statement, str) else statement
    if not isinstance(clause, ClauseElement):
        raise TypeError(f"not a SQL statement: {clause!r}")
    compiled = clause.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler):
        raise TypeError(f"not a SQL statement: {clause!r}")
    positional = compiled.positiontup is not None
    names = tuple(compiled.positiontup or compiled.binds)
    processors, fixed = {}, {}
    for name in names:
        bind = compiled.binds[name]
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
        if not bind.required:
            fixed[name] = bind.effective_value
    return _Compiled(str(compiled), names, positional, processors, fixed)


def _compiled(dialect: Dialect, statement: Executable | str) -> _Compiled:
    key = (dialect.name, statement)
    found = _COMPILED.get(key)
    if found is None:
        found = _compile(dialect, statement)
        if len(_COMPILED) >= MAX_COMPILED:
            _COMPILED.clear()
        _COMPILED[key] = found
    return found


def rows(
    session: Session | scoped_session[Any],
    statement: Executable | str,
    params: Mapping[str, Any] | None = None,
) -> list[Row]:
    """Return every row of `statement` run with `params` in the session's transaction."""
    return _run(session, statement, [params or {}], many=False)


def execute_many(
    session: Session | scoped_session[Any],
    statement: Executable | str,
    params: Sequence[Mapping[str, Any]],
) -> None:
    """Run `statement` once per mapping of `params` (one executemany) in the session's transaction.

    A statement built with explicit `.values(...)` binds writes exactly those columns; column
    defaults computed in Python are not applied here (server defaults are).
    """
    if params:
        _run(session, statement, params, many=True)


def _run(
    session: Session | scoped_session[Any],
    statement: Executable | str,
    params: Sequence[Mapping[str, Any]],
    *,
    many: bool,
) -> list[Row]:
    connection = session.connection()
    dialect = connection.dialect
    compiled = _compiled(dialect, statement)
    sql = compiled.sql
    arguments: Any = (
        [compiled.arguments(p) for p in params] if many else compiled.arguments(params[0])
    )
    raw: Any = connection.connection.driver_connection
    cursor = raw.cursor()
    try:
        if connection.dispatch.before_cursor_execute:
            for listener in connection.dispatch.before_cursor_execute:
                sql, arguments = listener(connection, cursor, sql, arguments, None, many)
        if many:
            cursor.executemany(sql, arguments)
            found: Any = []
        else:
            cursor.execute(sql, arguments)
            found = cursor.fetchall() if cursor.description is not None else []
        if connection.dispatch.after_cursor_execute:
            for listener in connection.dispatch.after_cursor_execute:
                listener(connection, cursor, sql, arguments, None, many)
        return found if isinstance(found, list) else list(found)
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, raw, cursor)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql, None, error, dialect.loaded_dbapi.Error, connection_invalidated=lost
        ) from error
    finally:
        cursor.close()
