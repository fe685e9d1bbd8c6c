"""Search round 2: prominence-ordered documents, a typo vocabulary with deletion keys, rebuilt.

SQLite: `track_search` is recreated with rowids that sort by prominence (and a `track_id`
column plus a `track_search_rows` map back to them); PostgreSQL: a btree index on
(prominence DESC, track_id) and no parallel scans of `track_search`. Both:
`track_search_terms.doc_count` and `track_search_term_keys` (every term under itself and
each one-letter deletion). Documents are rebuilt because words
are now folded differently (apostrophes join, "ft." is "feat").

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from sqlalchemy.orm import Session

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# A prefix index of one letter too: "night on bald m" is typed one letter at a time.
_FTS = """CREATE VIRTUAL TABLE track_search USING fts5(
    title, artists, album, track_id UNINDEXED, prominence UNINDEXED,
    tokenize = "unicode61 remove_diacritics 2", prefix = '1 2 3')"""
_OLD_FTS = """CREATE VIRTUAL TABLE track_search USING fts5(
    title, artists, album, prominence UNINDEXED,
    tokenize = "unicode61 remove_diacritics 2", prefix = '2 3')"""
_VOCAB = "CREATE VIRTUAL TABLE track_search_vocab USING fts5vocab(track_search, 'row')"
_KEYS = """CREATE TABLE track_search_term_keys (
    key TEXT NOT NULL, term TEXT NOT NULL, PRIMARY KEY (key, term))"""

_SQLITE_UP = (
    "DROP TRIGGER IF EXISTS track_search_track_deleted",
    "DROP TABLE IF EXISTS track_search_vocab",
    "DROP TABLE IF EXISTS track_search",
    _FTS,
    _VOCAB,
    "CREATE TABLE track_search_rows (track_id INTEGER PRIMARY KEY, doc_rowid INTEGER NOT NULL)",
    """CREATE TRIGGER track_search_track_deleted AFTER DELETE ON tracks BEGIN
        DELETE FROM track_search WHERE rowid IN
            (SELECT doc_rowid FROM track_search_rows WHERE track_id = old.id);
        DELETE FROM track_search_rows WHERE track_id = old.id; END""",
    "ALTER TABLE track_search_terms ADD COLUMN doc_count INTEGER NOT NULL DEFAULT 0",
    _KEYS + " WITHOUT ROWID",
)

_SQLITE_DOWN = (
    "DROP TABLE IF EXISTS track_search_term_keys",
    "ALTER TABLE track_search_terms DROP COLUMN doc_count",
    "DROP TRIGGER IF EXISTS track_search_track_deleted",
    "DROP TABLE IF EXISTS track_search_rows",
    "DROP TABLE IF EXISTS track_search_vocab",
    "DROP TABLE IF EXISTS track_search",
    _OLD_FTS,
    _VOCAB,
    """CREATE TRIGGER track_search_track_deleted AFTER DELETE ON tracks BEGIN
        DELETE FROM track_search WHERE rowid = old.id; END""",
)

_POSTGRES_UP = (
    "ALTER TABLE track_search_terms ADD COLUMN doc_count INTEGER NOT NULL DEFAULT 0",
    _KEYS,
    "CREATE INDEX ix_track_search_prominence ON track_search (prominence DESC, track_id)",
    # The planner prices a parallel scan testing every tsvector below a GIN bitmap scan.
    "ALTER TABLE track_search SET (parallel_workers = 0)",
)

_POSTGRES_DOWN = (
    "ALTER TABLE track_search RESET (parallel_workers)",
    "DROP INDEX IF EXISTS ix_track_search_prominence",
    "DROP TABLE IF EXISTS track_search_term_keys",
    "ALTER TABLE track_search_terms DROP COLUMN doc_count",
)


def _rebuild() -> None:
    """Rebuild every document and the vocabulary with this revision's folding.

    The code that writes documents is today's: on PostgreSQL it writes columns revision 0007
    adds, so here the documents are only cleared and 0007 rebuilds them.
    """
    from musaic.catalog.search import BACKENDS, documents

    bind = op.get_bind()
    session = Session(bind=bind)
    backend = BACKENDS[bind.dialect.name]
    if bind.dialect.name == "postgresql":
        backend.clear(session)
    else:
        documents.rebuild(session, backend)
    session.flush()


def upgrade():
    statements = _POSTGRES_UP if op.get_bind().dialect.name == "postgresql" else _SQLITE_UP
    for statement in statements:
        op.execute(statement)
    _rebuild()


def downgrade():
    statements = _POSTGRES_DOWN if op.get_bind().dialect.name == "postgresql" else _SQLITE_DOWN
    for statement in statements:
        op.execute(statement)
    # Revision 0002's documents are rebuilt by its rebuild_index(); the old table starts empty.
