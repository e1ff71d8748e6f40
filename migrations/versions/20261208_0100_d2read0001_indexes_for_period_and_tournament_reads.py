"""indexes for reads that read whole tables: users, tournaments and registrations created in a
period (staff figures), a tournament's match events of one type (the organizer's health)

Revision ID: d2read0001
Revises: d1regs0001
Create Date: 2026-12-08 01:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d2read0001"
down_revision = "d1regs0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f("ix_users_created_at"), "users", ["created_at"])
    op.create_index(op.f("ix_tournaments_created_at"), "tournaments", ["created_at"])
    op.create_index(op.f("ix_registrations_created_at"), "registrations", ["created_at"])
    op.create_index(
        op.f("ix_match_events_tournament_id_type"), "match_events", ["tournament_id", "type"]
    )


def downgrade():
    op.drop_index(op.f("ix_match_events_tournament_id_type"), table_name="match_events")
    op.drop_index(op.f("ix_registrations_created_at"), table_name="registrations")
    op.drop_index(op.f("ix_tournaments_created_at"), table_name="tournaments")
    op.drop_index(op.f("ix_users_created_at"), table_name="users")
