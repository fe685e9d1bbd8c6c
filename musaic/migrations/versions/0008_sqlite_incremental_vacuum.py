"""SQLite files give the pages an index rebuild frees back to the file system.

A database created from now on uses incremental auto-vacuum (musaic.extensions sets it before
the first table), and each index build ends with `PRAGMA incremental_vacuum`
(musaic.models.space): without it the demo database grew from 663 MB to 1.15 GB at its first
rebuild and stayed there. A file created earlier is switched over here, which needs one
`VACUUM`: it rewrites the file (8 s for the demo catalog, and as much free disk as the file
takes while it runs).

PostgreSQL: nothing changes (autovacuum reuses the space of deleted rows).

Revision ID: 0008
Revises: 0007
"""

from alembic import op
from sqlalchemy import text

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INCREMENTAL = 2  # PRAGMA auto_vacuum


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.execute(text("PRAGMA auto_vacuum")).scalar() == INCREMENTAL:
        return  # a file made since the setting (every new database)
    with op.get_context().autocommit_block():
        op.execute("PRAGMA auto_vacuum=INCREMENTAL")
        op.execute("VACUUM")


def downgrade() -> None:
    """Keep the setting: it changes how free pages are kept, not what the schema holds."""
