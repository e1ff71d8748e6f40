"""teams: teams, memberships and invites

Partial unique indexes (`sqlite_where` / `postgresql_where`) carry the rules that must hold
under concurrency: name and tag unique per game among active teams, one active membership per
user and game, one active captain per team, one pending invite per user and team.

Revision ID: b2teams00007
Revises: b2econ000006
Create Date: 2026-11-29 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2teams00007'
down_revision = "b2econ000006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('game_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('tag', sa.String(length=5), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('captain_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('logo_url', sa.String(length=500), nullable=True),
    sa.Column('region', sa.String(length=40), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('disbanded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['captain_id'], ['users.id'], name=op.f('fk_teams_captain_id_users')),
    sa.ForeignKeyConstraint(['game_id'], ['games.id'], name=op.f('fk_teams_game_id_games')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('slug', name=op.f('uq_teams_slug'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_captain_id'), ['captain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_game_id'), ['game_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_is_active'), ['is_active'], unique=False)
        batch_op.create_index('uq_teams_active_game_id_name_key', ['game_id', 'name_key'], unique=True, sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))
        batch_op.create_index('uq_teams_active_game_id_tag', ['game_id', 'tag'], unique=True, sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))

    op.create_table('team_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('captain', 'player', 'substitute', name='teamrole', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'expired', 'cancelled', name='invitestatus', native_enum=False, length=32), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_team_invites_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_invites_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_invites_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_invites'))
    )
    with op.batch_alter_table('team_invites', schema=None) as batch_op:
        batch_op.create_index('ix_team_invites_status_expires_at', ['status', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_invites_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_invites_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_team_invites_pending_team_id_user_id', ['team_id', 'user_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('team_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('game_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('captain', 'player', 'substitute', name='teamrole', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('active', 'left', 'removed', name='membershipstatus', native_enum=False, length=32), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['game_id'], ['games.id'], name=op.f('fk_team_memberships_game_id_games')),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_team_memberships_removed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_memberships_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_memberships'))
    )
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_memberships_game_id'), ['game_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_memberships_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_memberships_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_team_memberships_active_captain_team_id', ['team_id'], unique=True, sqlite_where=sa.text("status = 'active' AND role = 'captain'"), postgresql_where=sa.text("status = 'active' AND role = 'captain'"))
        batch_op.create_index('uq_team_memberships_active_user_id_game_id', ['user_id', 'game_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))



def downgrade():
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.drop_index('uq_team_memberships_active_user_id_game_id', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('uq_team_memberships_active_captain_team_id', sqlite_where=sa.text("status = 'active' AND role = 'captain'"), postgresql_where=sa.text("status = 'active' AND role = 'captain'"))
        batch_op.drop_index(batch_op.f('ix_team_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_team_memberships_team_id'))
        batch_op.drop_index(batch_op.f('ix_team_memberships_game_id'))

    op.drop_table('team_memberships')
    with op.batch_alter_table('team_invites', schema=None) as batch_op:
        batch_op.drop_index('uq_team_invites_pending_team_id_user_id', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_team_invites_user_id'))
        batch_op.drop_index(batch_op.f('ix_team_invites_team_id'))
        batch_op.drop_index('ix_team_invites_status_expires_at')

    op.drop_table('team_invites')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index('uq_teams_active_game_id_tag', sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))
        batch_op.drop_index('uq_teams_active_game_id_name_key', sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))
        batch_op.drop_index(batch_op.f('ix_teams_is_active'))
        batch_op.drop_index(batch_op.f('ix_teams_game_id'))
        batch_op.drop_index(batch_op.f('ix_teams_captain_id'))

    op.drop_table('teams')
