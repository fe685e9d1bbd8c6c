"""The learned second stage: one LightGBM model per index build (ranker_models).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ranker_models",
        sa.Column(
            "build_id",
            sa.Integer(),
            sa.ForeignKey("index_builds.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
    )


def downgrade():
    op.drop_table("ranker_models")
