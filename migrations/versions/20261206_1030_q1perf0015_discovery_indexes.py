"""discovery indexes: one partial index per ordering of the public tournament list

Each is partial on what anyone may find (not deleted, public, not a draft), so a page of the
public list, in any documented ordering, reads the first rows of an index instead of sorting
the whole table; a per-game one serves the by-game list, and one on the upcoming statuses
serves the upcoming list; the status and region filters have their own. See
docs/performance.md.

Revision ID: q1perf0015
Revises: h8auto0014
Create Date: 2026-12-06 10:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "q1perf0015"
down_revision = "p1pay0015"
branch_labels = None
depends_on = None

LISTED = "deleted_at IS NULL AND visibility = 'public' AND status <> 'draft'"
UPCOMING = LISTED + " AND status IN ('published', 'registration_open', 'registration_closed')"

INDEXES = (
    ("ix_tournaments_listed_created", ["created_at", "id"], LISTED),
    ("ix_tournaments_listed_start", ["start_at", "id"], LISTED),
    ("ix_tournaments_listed_name", [sa.text("lower(name)"), "id"], LISTED),
    (
        "ix_tournaments_listed_prize",
        [sa.text("coalesce(prize_amount, prize_coins, 0)"), "id"],
        LISTED,
    ),
    ("ix_tournaments_listed_game_created", ["game_id", "created_at", "id"], LISTED),
    ("ix_tournaments_listed_status_created", ["status", "created_at", "id"], LISTED),
    ("ix_tournaments_listed_status_start", ["status", "start_at", "id"], LISTED),
    (
        "ix_tournaments_listed_region_created",
        [sa.text("lower(region)"), "created_at", "id"],
        LISTED,
    ),
    ("ix_tournaments_upcoming_start", ["start_at", "id"], UPCOMING),
)


def upgrade():
    # Plain CREATE INDEX on both databases (no batch copy of `tournaments`, whose search
    # triggers name the table).
    for name, columns, where in INDEXES:
        op.create_index(
            name,
            "tournaments",
            columns,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade():
    for name, _columns, _where in reversed(INDEXES):
        op.drop_index(name, table_name="tournaments")
