"""tournament tier: how much a tournament's placements count on the leaderboards

`premier` (x1.0), `standard` (x0.5) or `community` (x0.25, the default). Existing
tournaments take the default.

Revision ID: l1lead0001
Revises: h8auto0014
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "l1lead0001"
down_revision = "c1cert0015"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: a batch copy of `tournaments` on SQLite would
    # break the search triggers that name the table.
    op.add_column(
        "tournaments",
        sa.Column("tier", sa.String(length=32), nullable=False, server_default="community"),
    )


def downgrade():
    op.drop_column("tournaments", "tier")
