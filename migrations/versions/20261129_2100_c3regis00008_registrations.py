"""registrations: registrations, their roster members and manual payment submissions

Partial unique indexes (`sqlite_where` / `postgresql_where`) carry the rules that must hold
under concurrency: one active registration per user and per team in a tournament, one active
roster per player in a tournament, and a transaction id used once per payment method (rejected
submissions aside).

Revision ID: c3regis00008
Revises: b2teams00007
Create Date: 2026-11-29 21:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c3regis00008'
down_revision = 'b2teams00007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tournament_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'rejected', 'cancelled', 'waitlisted', 'no_show', name='registrationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('payment_status', sa.Enum('not_required', 'awaiting', 'submitted', 'verified', 'rejected', 'refunded', name='paymentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('fee_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('fee_currency', sa.String(length=3), nullable=True),
    sa.Column('fee_coins', sa.Integer(), nullable=True),
    sa.Column('payment_method', sa.String(length=32), nullable=True),
    sa.Column('payment_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('coin_transaction_id', sa.Integer(), nullable=True),
    sa.Column('waitlist_position', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('promoted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.Enum('withdrawn', 'left_waitlist', 'removed', 'payment_expired', 'tournament_cancelled', name='cancelreason', native_enum=False, length=32), nullable=True),
    sa.Column('refund_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refunded_by_id', sa.Integer(), nullable=True),
    sa.Column('refund_reference', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(status = 'waitlisted') = (waitlist_position IS NOT NULL)", name=op.f('ck_registrations_position_iff_waitlisted')),
    sa.CheckConstraint('(user_id IS NULL) <> (team_id IS NULL)', name=op.f('ck_registrations_user_xor_team')),
    sa.CheckConstraint('fee_amount IS NULL OR fee_coins IS NULL', name=op.f('ck_registrations_fee_one_kind')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_registrations_approved_by_id_users')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_registrations_cancelled_by_id_users')),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_registrations_checked_in_by_id_users')),
    sa.ForeignKeyConstraint(['refunded_by_id'], ['users.id'], name=op.f('fk_registrations_refunded_by_id_users')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_registrations_registered_by_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_registrations_team_id_teams')),
    sa.ForeignKeyConstraint(['tournament_id'], ['tournaments.id'], name=op.f('fk_registrations_tournament_id_tournaments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_registrations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_refund_due_at', ['refund_due_at'], unique=False)
        batch_op.create_index('ix_registrations_status_payment_due_at', ['status', 'payment_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_team_id'), ['team_id'], unique=False)
        batch_op.create_index('ix_registrations_tournament_id_status', ['tournament_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_registrations_active_tournament_id_team_id', ['tournament_id', 'team_id'], unique=True, sqlite_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted') AND team_id IS NOT NULL"), postgresql_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted') AND team_id IS NOT NULL"))
        batch_op.create_index('uq_registrations_active_tournament_id_user_id', ['tournament_id', 'user_id'], unique=True, sqlite_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted') AND user_id IS NOT NULL"), postgresql_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted') AND user_id IS NOT NULL"))

    op.create_table('registration_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('tournament_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('player', 'substitute', name='memberrole', native_enum=False, length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_members_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tournament_id'], ['tournaments.id'], name=op.f('fk_registration_members_tournament_id_tournaments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_registration_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_members')),
    sa.UniqueConstraint('registration_id', 'user_id', name=op.f('uq_registration_members_registration_id_user_id'))
    )
    with op.batch_alter_table('registration_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_members_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_members_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_registration_members_active_tournament_id_user_id', ['tournament_id', 'user_id'], unique=True, sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))

    op.create_table('registration_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('tournament_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('sender_number', sa.String(length=32), nullable=False),
    sa.Column('transaction_id', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('proof_key', sa.String(length=255), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'verified', 'rejected', name='submissionstatus', native_enum=False, length=32), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_payments_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_registration_payments_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_registration_payments_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['tournament_id'], ['tournaments.id'], name=op.f('fk_registration_payments_tournament_id_tournaments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_payments'))
    )
    with op.batch_alter_table('registration_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_payments_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('ix_registration_payments_tournament_id_status', ['tournament_id', 'status'], unique=False)
        batch_op.create_index('uq_registration_payments_method_transaction_id', ['method', 'transaction_id'], unique=True, sqlite_where=sa.text("status <> 'rejected'"), postgresql_where=sa.text("status <> 'rejected'"))



def downgrade():
    with op.batch_alter_table('registration_payments', schema=None) as batch_op:
        batch_op.drop_index('uq_registration_payments_method_transaction_id', sqlite_where=sa.text("status <> 'rejected'"), postgresql_where=sa.text("status <> 'rejected'"))
        batch_op.drop_index('ix_registration_payments_tournament_id_status')
        batch_op.drop_index(batch_op.f('ix_registration_payments_registration_id'))

    op.drop_table('registration_payments')
    with op.batch_alter_table('registration_members', schema=None) as batch_op:
        batch_op.drop_index('uq_registration_members_active_tournament_id_user_id', sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))
        batch_op.drop_index(batch_op.f('ix_registration_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_registration_members_registration_id'))

    op.drop_table('registration_members')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_active_tournament_id_user_id', sqlite_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted') AND user_id IS NOT NULL"), postgresql_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted') AND user_id IS NOT NULL"))
        batch_op.drop_index('uq_registrations_active_tournament_id_team_id', sqlite_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted') AND team_id IS NOT NULL"), postgresql_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted') AND team_id IS NOT NULL"))
        batch_op.drop_index(batch_op.f('ix_registrations_user_id'))
        batch_op.drop_index('ix_registrations_tournament_id_status')
        batch_op.drop_index(batch_op.f('ix_registrations_team_id'))
        batch_op.drop_index('ix_registrations_status_payment_due_at')
        batch_op.drop_index('ix_registrations_refund_due_at')

    op.drop_table('registrations')
