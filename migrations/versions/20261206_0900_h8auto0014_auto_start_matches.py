"""auto start matches: the tournament setting `auto_start_matches` (default true)

With it on, a ready match without a scheduled time goes live as soon as both sides are
known. Existing tournaments take the default.

Revision ID: h8auto0014
Revises: h2kernel0013
Create Date: 2026-12-06 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "h8auto0014"
down_revision = "h2kernel0013"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: a batch copy of `tournaments` on SQLite would
    # break the search triggers that name the table.
    op.add_column(
        "tournaments",
        sa.Column("auto_start_matches", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade():
    op.drop_column("tournaments", "auto_start_matches")
