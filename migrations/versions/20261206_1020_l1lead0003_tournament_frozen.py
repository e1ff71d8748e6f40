"""tournament frozen_at: staff froze the tournament (participant writes are refused)

Revision ID: l1lead0003
Revises: l1lead0002
Create Date: 2026-12-06 10:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "l1lead0003"
down_revision = "l1lead0002"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: a batch copy of `tournaments` on SQLite would
    # break the search triggers that name the table.
    op.add_column("tournaments", sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("tournaments", "frozen_at")
