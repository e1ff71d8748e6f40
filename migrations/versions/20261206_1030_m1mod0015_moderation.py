"""moderation: reports, sanctions, appeals; the match room's messages

Four new tables, nothing existing changes. A report's subject and a sanction's team and
tournament are plain ids (those rows live in domains above moderation); one open report per
reporter and subject is a partial unique index; one appeal per sanction a unique constraint.

Revision ID: m1mod0015
Revises: h8auto0014
Create Date: 2026-12-06 10:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'm1mod0015'
down_revision = 'n1note0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('moderation_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.Enum('user', 'team', 'match', 'tournament', 'message', name='subjecttype', native_enum=False, length=16), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('cheating', 'toxicity', 'result_fraud', 'impersonation', 'spam', 'other', name='reportcategory', native_enum=False, length=16), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('evidence_keys', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'triaged', 'resolved', 'dismissed', name='reportstatus', native_enum=False, length=16), nullable=False),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('priority BETWEEN 0 AND 5', name=op.f('ck_moderation_reports_priority_range')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_moderation_reports_handled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_moderation_reports_reporter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_reports'))
    )
    with op.batch_alter_table('moderation_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_reports_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index('ix_moderation_reports_status_priority', ['status', 'priority'], unique=False)
        batch_op.create_index('uq_moderation_reports_open_subject', ['reporter_id', 'subject_type', 'subject_id'], unique=True, sqlite_where=sa.text("status IN ('open', 'triaged')"), postgresql_where=sa.text("status IN ('open', 'triaged')"))

    op.create_table('moderation_sanctions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.Enum('warning', 'mute', 'suspension', 'ban', 'shop_ban', name='sanctiontype', native_enum=False, length=16), nullable=False),
    sa.Column('scope', sa.Enum('global', 'tournament', 'chat', 'shop', name='sanctionscope', native_enum=False, length=16), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=True),
    sa.Column('reason_code', sa.String(length=40), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_notes', sa.Text(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(user_id IS NULL) <> (team_id IS NULL)', name=op.f('ck_moderation_sanctions_one_subject')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_moderation_sanctions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['moderation_reports.id'], name=op.f('fk_moderation_sanctions_report_id_moderation_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_moderation_sanctions_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_moderation_sanctions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_sanctions'))
    )
    with op.batch_alter_table('moderation_sanctions', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_sanctions_team_id', ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_sanctions_user_id'), ['user_id'], unique=False)

    op.create_table('moderation_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sanction_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'rejected', name='appealstatus', native_enum=False, length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_moderation_appeals_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sanction_id'], ['moderation_sanctions.id'], name=op.f('fk_moderation_appeals_sanction_id_moderation_sanctions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_moderation_appeals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_appeals')),
    sa.UniqueConstraint('sanction_id', name=op.f('uq_moderation_appeals_sanction_id'))
    )
    with op.batch_alter_table('moderation_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_appeals_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_appeals_user_id'), ['user_id'], unique=False)

    op.create_table('match_chat_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_match_chat_messages_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_match_chat_messages_hidden_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_match_chat_messages_match_id_matches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_chat_messages'))
    )
    with op.batch_alter_table('match_chat_messages', schema=None) as batch_op:
        batch_op.create_index('ix_match_chat_messages_match_id_id', ['match_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('match_chat_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_match_chat_messages_match_id_id')

    op.drop_table('match_chat_messages')
    with op.batch_alter_table('moderation_appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_appeals_user_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_appeals_status'))

    op.drop_table('moderation_appeals')
    with op.batch_alter_table('moderation_sanctions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_sanctions_user_id'))
        batch_op.drop_index('ix_moderation_sanctions_team_id')

    op.drop_table('moderation_sanctions')
    with op.batch_alter_table('moderation_reports', schema=None) as batch_op:
        batch_op.drop_index('uq_moderation_reports_open_subject', sqlite_where=sa.text("status IN ('open', 'triaged')"), postgresql_where=sa.text("status IN ('open', 'triaged')"))
        batch_op.drop_index('ix_moderation_reports_status_priority')
        batch_op.drop_index(batch_op.f('ix_moderation_reports_reporter_id'))

    op.drop_table('moderation_reports')
