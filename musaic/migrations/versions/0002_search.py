"""Catalog search: FTS5 documents and a trigram term list (SQLite), tsvector + pg_trgm (PostgreSQL).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE_UP = (
    # Documents hold folded text, so FTS tokens equal the tokens Python computes from a query.
    """CREATE VIRTUAL TABLE track_search USING fts5(
        title, artists, album, prominence UNINDEXED,
        tokenize = "unicode61 remove_diacritics 2", prefix = '2 3')""",
    "CREATE VIRTUAL TABLE track_search_vocab USING fts5vocab(track_search, 'row')",
    # `letters` (the term's letters, sorted) finds transpositions that share no trigram.
    """CREATE TABLE track_search_terms (
        id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, letters TEXT NOT NULL)""",
    "CREATE INDEX ix_track_search_terms_letters ON track_search_terms (letters)",
    """CREATE VIRTUAL TABLE track_search_term_trigrams USING fts5(
        term, content = 'track_search_terms', content_rowid = 'id', tokenize = 'trigram')""",
    """CREATE TRIGGER track_search_terms_added AFTER INSERT ON track_search_terms BEGIN
        INSERT INTO track_search_term_trigrams(rowid, term) VALUES (new.id, new.term); END""",
    """CREATE TRIGGER track_search_terms_removed AFTER DELETE ON track_search_terms BEGIN
        INSERT INTO track_search_term_trigrams(track_search_term_trigrams, rowid, term)
        VALUES ('delete', old.id, old.term); END""",
    # A virtual table cannot have a foreign key: drop a track's document with the track.
    """CREATE TRIGGER track_search_track_deleted AFTER DELETE ON tracks BEGIN
        DELETE FROM track_search WHERE rowid = old.id; END""",
)

_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS track_search_track_deleted",
    "DROP TABLE IF EXISTS track_search_term_trigrams",
    "DROP TABLE IF EXISTS track_search_terms",
    "DROP TABLE IF EXISTS track_search_vocab",
    "DROP TABLE IF EXISTS track_search",
)

_POSTGRES_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE track_search (
        track_id INTEGER PRIMARY KEY REFERENCES tracks (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        artists TEXT NOT NULL,
        album TEXT NOT NULL,
        prominence DOUBLE PRECISION NOT NULL DEFAULT 0,
        document TSVECTOR NOT NULL)""",
    "CREATE INDEX ix_track_search_document ON track_search USING gin (document)",
    "CREATE TABLE track_search_terms (term TEXT PRIMARY KEY, letters TEXT NOT NULL)",
    "CREATE INDEX ix_track_search_terms_letters ON track_search_terms (letters)",
    "CREATE INDEX ix_track_search_terms_trgm ON track_search_terms USING gin (term gin_trgm_ops)",
)

_POSTGRES_DOWN = (
    "DROP TABLE IF EXISTS track_search_terms",
    "DROP TABLE IF EXISTS track_search",
)


def upgrade():
    statements = _POSTGRES_UP if op.get_bind().dialect.name == "postgresql" else _SQLITE_UP
    for statement in statements:
        op.execute(statement)


def downgrade():
    statements = _POSTGRES_DOWN if op.get_bind().dialect.name == "postgresql" else _SQLITE_DOWN
    for statement in statements:
        op.execute(statement)
