"""Bulk-write packed neighbour lists and swap index builds, per docs/index-contract.md."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Table as SqlTable
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from tqdm import tqdm

from musaic.indexing.tables import Block, Table
from musaic.models import ArtistNeighbourList, IndexBuild, TrackNeighbourList
from musaic.models.index import pack_list
from musaic.models.space import reclaim_free_pages

COLUMNS = ("build_id", "kind", "{owner}_id", "size", "neighbour_ids", "scores", "support")
Row = tuple[int, str, int, int, bytes, bytes, bytes | None]
MODELS: dict[str, type[TrackNeighbourList] | type[ArtistNeighbourList]] = {
    "track": TrackNeighbourList,
    "artist": ArtistNeighbourList,
}
# Without this, SQLAlchemy's ORM delete adds RETURNING and loads every deleted key into the
# session (millions of keys of an old build).
BULK = {"synchronize_session": False}


def block_rows(build_id: int, kind: str, block: Block) -> Iterator[Row]:
    """Yield one packed row per owner of the block that has any neighbour."""
    valid = (block.neighbour_ids >= 0) & (block.scores > 0)
    sizes = valid.sum(axis=1)
    for r in np.flatnonzero(sizes):
        keep = valid[r]
        support = None if block.support is None else block.support[r, keep]
        packed = pack_list(block.neighbour_ids[r, keep], block.scores[r, keep], support)
        yield (build_id, kind, int(block.sources[r]), *packed)


def write_table(
    session: Session, build_id: int, table: Table, owner: str, progress: bool = False
) -> int:
    """Write one table's lists for `owner` ("track" or "artist"), commit; return the entries."""
    sql_table: SqlTable = MODELS[owner].__table__  # type: ignore[assignment]
    columns = ", ".join(name.format(owner=owner) for name in COLUMNS)
    connection = session.connection()
    bar = tqdm(
        total=table.rows,
        desc=f"{owner}.{table.kind}",
        unit=" lists",
        disable=not progress,
        file=sys.stderr,
    )
    written = 0
    with bar:
        if connection.dialect.name == "postgresql":
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY {sql_table.name} ({columns}) FROM STDIN") as copy:
                for block in table.blocks:
                    for row in block_rows(build_id, table.kind, block):
                        copy.write_row(row)
                        written += row[3]
                    bar.update(block.sources.size)
            cursor.close()
        else:
            sql = f"INSERT INTO {sql_table.name} ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)"
            for block in table.blocks:
                rows = list(block_rows(build_id, table.kind, block))
                if rows:
                    connection.exec_driver_sql(sql, rows)
                written += sum(row[3] for row in rows)
                bar.update(block.sources.size)
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
    for model in MODELS.values():
        session.execute(delete(model).where(model.build_id == build_id), execution_options=BULK)
    session.commit()
    reclaim_free_pages(session)


def drop_rows_except(session: Session, build_id: int) -> None:
    """Delete the rows of every finished build but `build_id` (a build in progress keeps its)."""
    stale = select(IndexBuild.id).where(IndexBuild.id != build_id, IndexBuild.status != "building")
    for model in MODELS.values():
        session.execute(delete(model).where(model.build_id.in_(stale)), execution_options=BULK)
    session.commit()
    reclaim_free_pages(session)  # SQLite: the old lists' pages back to the file system
