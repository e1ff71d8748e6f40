"""indexes for periodic sweeps: held shop purchases past expiry (every minute), the people
due a digest (every hour)

Revision ID: d3swep0001
Revises: d2read0001
Create Date: 2026-12-08 02:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d3swep0001"
down_revision = "d2read0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        op.f("ix_shop_purchases_status_expires_at"), "shop_purchases", ["status", "expires_at"]
    )
    op.create_index(
        op.f("ix_notification_settings_email_digest_last_digest_on"),
        "notification_settings",
        ["email_digest", "last_digest_on"],
    )


def downgrade():
    op.drop_index(
        op.f("ix_notification_settings_email_digest_last_digest_on"),
        table_name="notification_settings",
    )
    op.drop_index(op.f("ix_shop_purchases_status_expires_at"), table_name="shop_purchases")
