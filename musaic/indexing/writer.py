"""Bulk-write neighbour tables and swap index builds, per docs/index-contract.md."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Table as SqlTable
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from musaic.indexing.tables import Table
from musaic.models import ArtistNeighbour, IndexBuild, TrackNeighbour

BATCH_ROWS = 100_000
COLUMNS = ("build_id", "kind", "{owner}_id", "rank", "neighbour_id", "score", "support")
Row = tuple[int, str, int, int, int, float, int | None]
# Without this, SQLAlchemy's ORM delete adds RETURNING and loads every deleted key into the
# session: 20 M rows of an old build took 7.8 GB of RAM on SQLite.
BULK = {"synchronize_session": False}


def table_rows(build_id: int, table: Table) -> Iterator[list[Row]]:
    """Yield the table's rows as (build_id, kind, id, rank, neighbour, score, support) batches."""
    indices, scores = table.neighbours.indices, table.neighbours.scores
    rows, ranks = np.nonzero((indices >= 0) & (scores > 0))
    for start in range(0, rows.size, BATCH_ROWS):
        r, c = rows[start : start + BATCH_ROWS], ranks[start : start + BATCH_ROWS]
        sources = table.sources[r].tolist()
        neighbours = table.targets[indices[r, c]].tolist()
        values = scores[r, c].astype(np.float64).tolist()
        support = table.support[r, c].tolist() if table.support is not None else [None] * r.size
        ranks_list = c.tolist()
        yield [
            (build_id, table.kind, s, rank, n, v, sup)
            for s, rank, n, v, sup in zip(
                sources, ranks_list, neighbours, values, support, strict=True
            )
        ]


def write_table(session: Session, build_id: int, table: Table, owner: str) -> int:
    """Write one table's rows for `owner` ("track" or "artist") and commit; return the count."""
    sql_table: SqlTable = (TrackNeighbour if owner == "track" else ArtistNeighbour).__table__  # type: ignore[assignment]
    columns = [name.format(owner=owner) for name in COLUMNS]
    connection = session.connection()
    written = 0
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {sql_table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for batch in table_rows(build_id, table):
                for row in batch:
                    copy.write_row(row)
                written += len(batch)
        cursor.close()
    else:
        placeholders = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {sql_table.name} ({', '.join(columns)}) VALUES ({placeholders})"
        for batch in table_rows(build_id, table):
            connection.exec_driver_sql(sql, batch)
            written += len(batch)
    session.commit()
    return written


def activate(session: Session, build: IndexBuild, stats: dict[str, Any]) -> None:
    """Flip the active build to `build` in one transaction, then delete the older builds' rows."""
    session.execute(update(IndexBuild).where(IndexBuild.active).values(active=False))
    build.status, build.active, build.stats = "ready", True, stats
    build.finished_at = datetime.now(UTC)
    session.commit()
    drop_rows_except(session, build.id)


def fail(session: Session, build_id: int, error: str, stats: dict[str, Any]) -> None:
    """Mark a build failed and delete its rows, leaving the active build in place."""
    session.rollback()
    session.execute(
        update(IndexBuild)
        .where(IndexBuild.id == build_id)
        .values(status="failed", finished_at=datetime.now(UTC), stats={**stats, "error": error})
    )
    session.commit()
    for model in (TrackNeighbour, ArtistNeighbour):
        session.execute(delete(model).where(model.build_id == build_id), execution_options=BULK)
    session.commit()


def drop_rows_except(session: Session, build_id: int) -> None:
    """Delete the rows of every finished build but `build_id` (a build in progress keeps its)."""
    stale = select(IndexBuild.id).where(IndexBuild.id != build_id, IndexBuild.status != "building")
    for model in (TrackNeighbour, ArtistNeighbour):
        session.execute(delete(model).where(model.build_id.in_(stale)), execution_options=BULK)
    session.commit()
