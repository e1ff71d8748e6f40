"""lobby matches: a battle-royale lobby's match row, and the game a lobby submission reports

Revision ID: d4lobby0012
Revises: c3match0011
Create Date: 2026-11-29 23:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4lobby0012'
down_revision = 'c3match0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lobby', sa.Integer(), nullable=True))

    with op.batch_alter_table('result_submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('game', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('result_submissions', schema=None) as batch_op:
        batch_op.drop_column('game')

    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_column('lobby')
