"""user time zone: the staff console shows times in each staff member's own zone

`users.time_zone` holds an IANA name (`Asia/Dhaka`); every existing user gets `UTC`.

Revision ID: a4cons0017
Revises: a7veto0001
Create Date: 2026-12-06 13:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a4cons0017"
down_revision = "a7veto0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
