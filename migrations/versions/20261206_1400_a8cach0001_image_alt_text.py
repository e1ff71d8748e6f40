"""image alt text: users.avatar_alt_text, teams.logo_alt_text, shop_items.image_url/alt text

Revision ID: a8cach0001
Revises: a6mday0016
Create Date: 2026-12-06 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a8cach0001"
down_revision = "a6mday0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("avatar_alt_text", sa.String(length=300), nullable=True))
    with op.batch_alter_table("teams") as batch_op:
        batch_op.add_column(sa.Column("logo_alt_text", sa.String(length=300), nullable=True))
    with op.batch_alter_table("shop_items") as batch_op:
        batch_op.add_column(sa.Column("image_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("image_alt_text", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("shop_items") as batch_op:
        batch_op.drop_column("image_alt_text")
        batch_op.drop_column("image_url")
    with op.batch_alter_table("teams") as batch_op:
        batch_op.drop_column("logo_alt_text")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("avatar_alt_text")
