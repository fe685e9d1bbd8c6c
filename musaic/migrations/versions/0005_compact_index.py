"""Compact index: one packed row per (build, kind, owner) neighbour list; old builds dropped.

Revision ID: 0005
Revises: 0004

The row-per-neighbour tables are dropped with the builds that filled them (a build is cheap to
redo and `musaic index build --if-missing` does so); the downgrade does the same the other way.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_OWNERS = ("track", "artist")


def _drop_builds() -> None:
    """Delete every build (their rows go with the dropped tables)."""
    op.execute("DELETE FROM index_builds")


def _create(table: str, owner: str, *columns: sa.Column[object], key: tuple[str, ...]) -> None:
    """Create one neighbour table of `owner` keyed by (build_id, kind, <owner>_id, *key)."""
    op.create_table(
        table,
        sa.Column("build_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(f"{owner}_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["build_id"],
            ["index_builds.id"],
            name=op.f(f"fk_{table}_build_id_index_builds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("build_id", "kind", f"{owner}_id", *key, name=op.f(f"pk_{table}")),
    )


def upgrade() -> None:
    for owner in _OWNERS:
        op.drop_table(f"{owner}_neighbours")
    _drop_builds()
    for owner in _OWNERS:
        _create(
            f"{owner}_neighbour_lists",
            owner,
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("neighbour_ids", sa.LargeBinary(), nullable=False),
            sa.Column("scores", sa.LargeBinary(), nullable=False),
            sa.Column("support", sa.LargeBinary(), nullable=True),
            key=(),
        )


def downgrade() -> None:
    for owner in _OWNERS:
        op.drop_table(f"{owner}_neighbour_lists")
    _drop_builds()
    for owner in _OWNERS:
        _create(
            f"{owner}_neighbours",
            owner,
            sa.Column("rank", sa.Integer(), nullable=False),
            sa.Column("neighbour_id", sa.Integer(), nullable=False),
            sa.Column("score", sa.Float(), nullable=False),
            sa.Column("support", sa.Integer(), nullable=True),
            key=("rank",),
        )
