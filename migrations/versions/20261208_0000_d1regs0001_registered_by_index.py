"""registrations: an index on registered_by_id, for "my registrations" (those I made)

Revision ID: d1regs0001
Revises: c1outb0001
Create Date: 2026-12-08 00:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d1regs0001"
down_revision = "c1outb0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        op.f("ix_registrations_registered_by_id"), "registrations", ["registered_by_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_registrations_registered_by_id"), table_name="registrations")
