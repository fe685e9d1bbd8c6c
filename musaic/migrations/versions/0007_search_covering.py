"""Search documents carry what ranking reads of their track; PostgreSQL reads them off an index.

PostgreSQL: `track_search` gains `song_key`, `normalised_title` and `release_year` (copied from
`tracks`, so a candidate fetch no longer joins `tracks`) and a generated `compact` flag; the
prominence index becomes a covering one (INCLUDE every column a fetch reads, the tsvector
too), so walking it for a common word tests and returns each document without visiting the
table. It covers compact documents only: a btree row holds at most 2,704 bytes, and the text
of a compact document (title, artists, album, song key, normalised title: 512 bytes at most)
keeps its row, tsvector included, below that. The rest (12 of the demo's 203,302) have an
index of their own. Run `VACUUM ANALYZE track_search` afterwards: an index-only scan skips the
table only for pages the visibility map marks all-visible.

SQLite: nothing changes; FTS5 reads those three values from `tracks` by rowid, which costs it
little.

When an earlier revision left `track_search` empty while tracks exist (0004 clears it on
PostgreSQL), the documents and the vocabulary are rebuilt here.

Revision ID: 0007
Revises: 0006
"""

from alembic import op
from sqlalchemy import text
from sqlalchemy.orm import Session

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COMPACT_BYTES = 512

_POSTGRES_UP = (
    "ALTER TABLE track_search ADD COLUMN song_key TEXT NOT NULL DEFAULT '',"
    " ADD COLUMN normalised_title TEXT NOT NULL DEFAULT '', ADD COLUMN release_year SMALLINT",
    "UPDATE track_search AS s SET song_key = t.song_key, normalised_title = t.normalised_title,"
    " release_year = t.release_year FROM tracks AS t WHERE t.id = s.track_id",
    "ALTER TABLE track_search ADD COLUMN compact BOOLEAN NOT NULL GENERATED ALWAYS AS"
    " (octet_length(title) + octet_length(artists) + octet_length(album) + octet_length(song_key)"
    f" + octet_length(normalised_title) <= {COMPACT_BYTES}) STORED",
    "DROP INDEX ix_track_search_prominence",
    "CREATE INDEX ix_track_search_prominence ON track_search (prominence DESC, track_id)"
    " INCLUDE (document, title, artists, album, song_key, normalised_title, release_year)"
    " WHERE compact",
    "CREATE INDEX ix_track_search_long ON track_search (prominence DESC, track_id)"
    " WHERE NOT compact",
)

_POSTGRES_DOWN = (
    "DROP INDEX ix_track_search_long",
    "DROP INDEX ix_track_search_prominence",
    "ALTER TABLE track_search DROP COLUMN compact, DROP COLUMN song_key,"
    " DROP COLUMN normalised_title, DROP COLUMN release_year",
    "CREATE INDEX ix_track_search_prominence ON track_search (prominence DESC, track_id)",
)


def _rebuild_if_empty() -> None:
    """Rebuild the documents and vocabulary when tracks exist but no document does."""
    from musaic.catalog.search import BACKENDS, documents

    bind = op.get_bind()
    session = Session(bind=bind)
    has = "SELECT EXISTS (SELECT 1 FROM {})"
    if session.scalar(text(has.format("tracks"))) and not session.scalar(
        text(has.format("track_search"))
    ):
        documents.rebuild(session, BACKENDS[bind.dialect.name])
        session.flush()


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in _POSTGRES_UP:
            op.execute(statement)
    _rebuild_if_empty()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in _POSTGRES_DOWN:
            op.execute(statement)
