"""tournament_slugs: a tournament's slugs before renames (old links redirect)

Revision ID: s1slug0016
Revises: l1lead0003
Create Date: 2026-12-06 11:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "s1slug0016"
down_revision = "l1lead0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tournament_slugs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=220), nullable=False),
        sa.Column("tournament_id", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_tournament_slugs_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tournament_slugs")),
        sa.UniqueConstraint("slug", name=op.f("uq_tournament_slugs_slug")),
    )
    op.create_index(
        op.f("ix_tournament_slugs_tournament_id"), "tournament_slugs", ["tournament_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_tournament_slugs_tournament_id"), table_name="tournament_slugs")
    op.drop_table("tournament_slugs")
