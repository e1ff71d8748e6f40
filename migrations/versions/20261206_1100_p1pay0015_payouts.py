"""payouts: one payout per placement per recipient, players' payout methods, the
tournament settings `prize_to_captain` and `prize_funding`, and system wallets (a
tournament's escrow, the house) beside the users' in the ledger

Revision ID: p1pay0015
Revises: h8auto0014
Create Date: 2026-12-06 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "p1pay0015"
down_revision = "m1mod0015"
branch_labels = None
depends_on = None


LIVE = sa.text("status IN ('pending', 'paid', 'failed')")


def _enum(*values, name):
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade():
    # System wallets (a tournament's escrow, the house) in the same ledger as the users'.
    with op.batch_alter_table("wallets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account", sa.String(length=64), nullable=True))
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_wallets_account"), ["account"])
        batch_op.create_check_constraint(
            batch_op.f("ck_wallets_user_xor_account"), "(user_id IS NULL) <> (account IS NULL)"
        )
    # A plain ADD COLUMN on both databases: a batch copy of `tournaments` on SQLite would
    # break the search triggers that name the table.
    op.add_column(
        "tournaments",
        sa.Column("prize_to_captain", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "tournaments",
        sa.Column(
            "prize_funding",
            sa.Enum("organizer", "entry_fees", name="prizefunding", native_enum=False, length=32),
            nullable=False,
            server_default="organizer",
        ),
    )
    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tournament_id", sa.Integer(), nullable=False),
        sa.Column("placement", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("coins", "cash", name="payoutkind"), nullable=False),
        sa.Column("coins", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column(
            "status",
            _enum(
                "pending",
                "paid",
                "failed",
                "cancelled",
                "reversed",
                "clawback_due",
                name="payoutstatus",
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_by_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'coins' AND coins > 0 AND amount IS NULL AND currency IS NULL)"
            " OR (kind = 'cash' AND coins IS NULL AND amount > 0 AND currency IS NOT NULL)",
            name=op.f("ck_payouts_amount_matches_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_id"], ["users.id"], name=op.f("fk_payouts_paid_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_payouts_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"], ["tournaments.id"], name=op.f("fk_payouts_tournament_id_tournaments")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_payouts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index("ix_payouts_status_kind", ["status", "kind"], unique=False)
        batch_op.create_index(
            "uq_payouts_live_tournament_id_placement_registration_id_user_id",
            ["tournament_id", "placement", "registration_id", "user_id"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )
        batch_op.create_index(batch_op.f("ix_payouts_tournament_id"), ["tournament_id"])
        batch_op.create_index(batch_op.f("ix_payouts_user_id"), ["user_id"])
    op.create_table(
        "payout_methods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            _enum("bkash", "nagad", "rocket", "bank", "paypal", name="payoutmethodkind"),
            nullable=False,
        ),
        sa.Column("account", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_payout_methods_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_methods")),
        sa.UniqueConstraint("user_id", "method", name=op.f("uq_payout_methods_user_id_method")),
    )
    with op.batch_alter_table("payout_methods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payout_methods_user_id"), ["user_id"])


def downgrade():
    with op.batch_alter_table("payout_methods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payout_methods_user_id"))
    op.drop_table("payout_methods")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payouts_user_id"))
        batch_op.drop_index(batch_op.f("ix_payouts_tournament_id"))
        batch_op.drop_index("ix_payouts_status_kind")
        batch_op.drop_index("uq_payouts_live_tournament_id_placement_registration_id_user_id")
    op.drop_table("payouts")
    op.drop_column("tournaments", "prize_funding")
    op.drop_column("tournaments", "prize_to_captain")
    op.execute("DELETE FROM wallet_transactions WHERE wallet_id IN "
               "(SELECT id FROM wallets WHERE account IS NOT NULL)")  # fmt: skip
    op.execute("DELETE FROM wallets WHERE account IS NOT NULL")
    with op.batch_alter_table("wallets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_wallets_user_xor_account"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_wallets_account"), type_="unique")
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("account")
