"""audit actor kind: each audit entry says whether a user, the system or an anonymous caller acted

Existing entries are backfilled from `actor_id`: an entry with an actor id was a user's; one
without was written by the system (sweeps, tasks and commands passed no actor until now).

Revision ID: h2kernel0013
Revises: h1match0013
Create Date: 2026-12-06 08:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'h2kernel0013'
down_revision = 'h1match0013'
branch_labels = None
depends_on = None

ACTOR_KIND = sa.Enum('user', 'system', 'anonymous', name='actorkind', native_enum=False, length=16)


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('actor_kind', ACTOR_KIND, nullable=False, server_default='system')
        )
    op.execute("UPDATE audit_entries SET actor_kind = 'user' WHERE actor_id IS NOT NULL")
    # The default only served the backfill: the application always says who acted.
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('actor_kind', existing_type=ACTOR_KIND, server_default=None)
        batch_op.create_index('ix_audit_entries_actor_kind', ['actor_kind'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_actor_kind')
        batch_op.drop_column('actor_kind')
