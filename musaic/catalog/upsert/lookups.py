"""In-memory lookups and tallies the upsert path keeps for one import."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session


@dataclass
class Tally:
    """How many rows of one kind an import created, updated and left unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class RowTally:
    """Distinct rows an import created, updated (rows that existed before) and saw."""

    created: set[int] = field(default_factory=set)
    updated: set[int] = field(default_factory=set)
    seen: set[int] = field(default_factory=set)

    def tally(self) -> Tally:
        """Return the counts; a row counts once, as created before updated before unchanged."""
        updated = self.updated - self.created
        return Tally(len(self.created), len(updated), len(self.seen - self.created - updated))


# Fewer rows than this (a request adding a few Spotify tracks) go through SQLAlchemy: its events,
# and its IntegrityError, which a request that lost a race to a concurrent writer retries on.
COPY_FROM_ROWS = 1000


def bulk_insert(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert rows of plain values in the session's transaction (PostgreSQL, many rows: COPY)."""
    if not rows:
        return
    connection = session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.close()
    else:
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([mark] * len(columns))})"
        connection.exec_driver_sql(sql, list(rows))


def insert_returning_ids(
    session: Session, table: Table, rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert rows (dicts with the same keys) in bulk; return their new ids in row order.

    PostgreSQL reserves the ids from the table's sequence, then COPYs the rows with them.
    SQLite gives a row inserted without an id max(id) + 1, and the INSERT holds the write lock
    until the transaction ends, so the rows of one executemany are the top len(rows) ids.
    (SQLAlchemy's INSERT ... RETURNING in parameter order runs row by row on SQLite.)
    """
    if not rows:
        return []
    columns = list(rows[0])
    values = [tuple(map(row.__getitem__, columns)) for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        reserve = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        ids = sorted(session.scalars(reserve, {"table": table.name, "n": len(rows)}))
        with_ids = [(i, *v) for i, v in zip(ids, values, strict=True)]
        bulk_insert(session, table, ["id", *columns], with_ids)
        return ids
    bulk_insert(session, table, columns, values)
    last = int(session.scalar(select(func.max(table.c.id))) or 0)
    return list(range(last - len(rows) + 1, last + 1))


class KeyIndex:
    """Find a row by Spotify id, else by other keys whose row has no conflicting Spotify id."""

    def __init__(self) -> None:
        self.by_spotify: dict[str, int] = {}
        self.by_key: dict[str, tuple[int, str | None]] = {}
        self._last_temporary = 0

    def find(self, spotify_id: str | None, keys: Iterable[str]) -> tuple[int, str | None] | None:
        """Return (row id, its Spotify id) of the first match, or None."""
        if spotify_id and spotify_id in self.by_spotify:
            return self.by_spotify[spotify_id], spotify_id
        for key in keys:
            hit = self.by_key.get(key)
            if hit and (spotify_id is None or hit[1] is None):
                return hit
        return None

    def add(self, row_id: int, spotify_id: str | None, keys: Iterable[str]) -> None:
        """Remember a row; a key already taken by another row keeps its first row."""
        if spotify_id:
            self.by_spotify[spotify_id] = row_id
        for key in keys:
            hit = self.by_key.get(key)
            if hit is None or hit[0] == row_id:
                self.by_key[key] = (row_id, spotify_id)

    def replace(self, old_id: int, new_id: int, spotify_id: str | None, keys: list[str]) -> None:
        """Move a row's entries from its temporary id to its real one."""
        if spotify_id:
            self.by_spotify[spotify_id] = new_id
        for key in keys:
            if self.by_key.get(key, (None,))[0] == old_id:
                self.by_key[key] = (new_id, spotify_id)

    def temporary_id(self) -> int:
        """Return a negative id for a row that is not inserted yet."""
        self._last_temporary -= 1
        return self._last_temporary


@dataclass
class Pending:
    """Rows of one table waiting for one bulk INSERT, by temporary id."""

    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    keys: dict[int, list[str]] = field(default_factory=dict)

    def insert(self, session: Session, table: Table, index: KeyIndex) -> dict[int, int]:
        """INSERT every row in bulk; re-key `index`; return temporary -> real id."""
        if not self.rows:
            return {}
        temporary = list(self.rows)
        new_ids = insert_returning_ids(session, table, [self.rows[t] for t in temporary])
        real = dict(zip(temporary, new_ids, strict=True))
        for old, new in real.items():
            index.replace(old, new, self.rows[old].get("spotify_id"), self.keys[old])
        return real


def table_of(model: Any) -> Table:
    """Return the Core table of a mapped class (typed as a Table, which it always is here)."""
    return cast(Table, model.__table__)
