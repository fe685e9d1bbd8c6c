"""Export state: which Spotify playlist a Musaic playlist became and how far saving it got.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "playlist_exports",
        sa.Column("playlist_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("marker", sa.String(length=32), nullable=False),
        sa.Column("spotify_playlist_id", sa.String(length=64), nullable=True),
        sa.Column("spotify_uri", sa.String(length=100), nullable=True),
        sa.Column("snapshot_id", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("description", sa.String(length=400), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'creating', 'created', 'complete')", name=op.f("ck_playlist_exports_state")
        ),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_playlist_exports_playlist_id_playlists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_playlist_exports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("playlist_id", name=op.f("pk_playlist_exports")),
    )
    op.create_index(
        op.f("ix_playlist_exports_user_id"), "playlist_exports", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_playlist_exports_user_id"), table_name="playlist_exports")
    op.drop_table("playlist_exports")
