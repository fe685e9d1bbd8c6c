"""The one migration builds the same schema on SQLite and PostgreSQL as the models say."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, inspect

from musaic.extensions import db


def _schema(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    inspector = inspect(engine)
    schema: dict[str, Any] = {}
    for table in inspector.get_table_names():
        if table == "alembic_version" or table.startswith("track_search"):
            continue
        schema[table] = {
            "columns": sorted(c["name"] for c in inspector.get_columns(table)),
            "nullable": sorted(c["name"] for c in inspector.get_columns(table) if c["nullable"]),
            "primary_key": sorted(inspector.get_pk_constraint(table)["constrained_columns"]),
            "foreign_keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                tuple(i["column_names"])
                for i in inspector.get_indexes(table)
                if i["name"] and "duplicates_constraint" not in i
            ),
            "unique": sorted(
                tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
            ),
        }
    engine.dispose()
    return schema


def test_migrated_schema_is_the_same_on_sqlite_and_postgres(
    sqlite_url: str, postgres_url: str
) -> None:
    sqlite, postgres = _schema(sqlite_url), _schema(postgres_url)
    assert sorted(sqlite) == sorted(postgres)
    for table in sqlite:
        assert sqlite[table] == postgres[table], table


def test_migrated_schema_covers_every_model_table(sqlite_url: str) -> None:
    migrated = _schema(sqlite_url)
    for table in db.metadata.sorted_tables:
        assert table.name in migrated
        assert migrated[table.name]["columns"] == sorted(c.name for c in table.columns)
