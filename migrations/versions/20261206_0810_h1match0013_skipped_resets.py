"""skipped resets: an engine-skipped grand-final reset is `skipped`, no longer `cancelled`

A match's `cancelled` now means "stopped, waiting for the organizer" only (it blocks its
round and stage). Grand-final resets the engine skipped were stored as `cancelled`; they
become `skipped`. A reset the organizer cancelled has a `cancelled` event in its history and
stays as it is. Data only: the status column is a plain string.

Revision ID: h1match0013
Revises: d4lobby0012
Create Date: 2026-12-06 08:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'h1match0013'
down_revision = "h7trgm0013"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        sa.text(
            "UPDATE matches SET status = 'skipped' "
            "WHERE status = 'cancelled' AND is_reset "
            "AND NOT EXISTS (SELECT 1 FROM match_events e "
            "WHERE e.match_id = matches.id AND e.type = 'cancelled')"
        )
    )


def downgrade():
    op.execute(sa.text("UPDATE matches SET status = 'cancelled' WHERE status = 'skipped'"))
