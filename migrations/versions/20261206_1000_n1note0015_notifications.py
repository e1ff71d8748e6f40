"""notifications: in-app notices, each person's preferences and settings, reminders sent

`notifications` keeps one notice per person with its e-mail state (pending e-mails are
found by `email_status, email_next_at`); `notification_preferences` holds a person's choice
per kind (kinds without a row follow the defaults); `notification_settings` the language and
daily digest; `sent_reminders` makes each reminder unique (kind, subject, time announced).
Kinds are stored by value in a VARCHAR without a CHECK, so a new kind needs no migration.

Revision ID: n1note0015
Revises: h8auto0014
Create Date: 2026-12-06 10:27:27

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'n1note0015'
down_revision = 'w1hook0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sent_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('registration_received', 'registration_waitlisted', 'registration_confirmed', 'registration_cancelled', 'registration_rejected', 'waitlist_promoted', 'payment_verified', 'payment_rejected', 'payment_refunded', 'checkin_opening', 'match_ready', 'match_starting', 'result_submitted', 'dispute_opened', 'dispute_resolved', 'team_invite', 'team_member_joined', 'team_member_left', 'tournament_cancelled', 'tournament_completed', 'payout_paid', name='notificationtype', native_enum=False, length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_reminders')),
    sa.UniqueConstraint('kind', 'subject_id', 'due_at', name=op.f('uq_sent_reminders_kind_subject_id_due_at'))
    )
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_reminders_due_at'), ['due_at'], unique=False)

    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('registration_received', 'registration_waitlisted', 'registration_confirmed', 'registration_cancelled', 'registration_rejected', 'waitlist_promoted', 'payment_verified', 'payment_rejected', 'payment_refunded', 'checkin_opening', 'match_ready', 'match_starting', 'result_submitted', 'dispute_opened', 'dispute_resolved', 'team_invite', 'team_member_joined', 'team_member_left', 'tournament_cancelled', 'tournament_completed', 'payout_paid', name='notificationtype', native_enum=False, length=40), nullable=False),
    sa.Column('in_app', sa.Boolean(), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('user_id', 'type', name=op.f('uq_notification_preferences_user_id_type'))
    )
    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('email_digest', sa.Boolean(), nullable=False),
    sa.Column('last_digest_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('registration_received', 'registration_waitlisted', 'registration_confirmed', 'registration_cancelled', 'registration_rejected', 'waitlist_promoted', 'payment_verified', 'payment_rejected', 'payment_refunded', 'checkin_opening', 'match_ready', 'match_starting', 'result_submitted', 'dispute_opened', 'dispute_resolved', 'team_invite', 'team_member_joined', 'team_member_left', 'tournament_cancelled', 'tournament_completed', 'payout_paid', name='notificationtype', native_enum=False, length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('dedup_key', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('in_app', sa.Boolean(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('email_status', sa.Enum('none', 'pending', 'sent', 'failed', name='emailstatus', native_enum=False, length=32), nullable=False),
    sa.Column('email_attempts', sa.Integer(), nullable=False),
    sa.Column('email_next_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_notifications_recipient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_email_status_email_next_at', ['email_status', 'email_next_at'], unique=False)
        batch_op.create_index('ix_notifications_read_at', ['read_at'], unique=False)
        batch_op.create_index('ix_notifications_recipient_id_dedup_key', ['recipient_id', 'dedup_key'], unique=False)
        batch_op.create_index('ix_notifications_recipient_id_id', ['recipient_id', 'id'], unique=False)
        batch_op.create_index('ix_notifications_recipient_id_read_at', ['recipient_id', 'read_at'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient_id_read_at')
        batch_op.drop_index('ix_notifications_recipient_id_id')
        batch_op.drop_index('ix_notifications_recipient_id_dedup_key')
        batch_op.drop_index('ix_notifications_read_at')
        batch_op.drop_index('ix_notifications_email_status_email_next_at')

    op.drop_table('notifications')
    op.drop_table('notification_settings')
    op.drop_table('notification_preferences')
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_reminders_due_at'))

    op.drop_table('sent_reminders')
