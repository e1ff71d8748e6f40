"""certificates: a participant's certificate of a completed tournament

One row per certificate: what it says, its PDF and PNG storage keys, the PDF's SHA-256, its
public verification code, download counts and revocation. At most one certificate that is
not revoked per (tournament, user, language) (a partial unique index).

Revision ID: c1cert0015
Revises: h8auto0014
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c1cert0015"
down_revision = "h8auto0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("tournament_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("certificate_type", sa.String(length=32), nullable=False),
        sa.Column("placement", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("drawn_language", sa.String(length=2), nullable=False),
        sa.Column("participant_name", sa.String(length=100), nullable=False),
        sa.Column("team_name", sa.String(length=100), nullable=True),
        sa.Column("tournament_name", sa.String(length=200), nullable=False),
        sa.Column("game", sa.String(length=100), nullable=False),
        sa.Column("pdf_key", sa.String(length=200), nullable=False),
        sa.Column("png_key", sa.String(length=200), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("download_count", sa.Integer(), nullable=False),
        sa.Column("downloaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_certificates_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_certificates_revoked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_certificates_tournament_id_tournaments"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_certificates_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
    )
    op.create_index(
        op.f("ix_certificates_tournament_id"), "certificates", ["tournament_id"], unique=False
    )
    op.create_index(op.f("ix_certificates_user_id"), "certificates", ["user_id"], unique=False)
    op.create_index(
        "uq_certificates_current_tournament_id_user_id_language",
        "certificates",
        ["tournament_id", "user_id", "language"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def downgrade():
    op.drop_index(
        "uq_certificates_current_tournament_id_user_id_language", table_name="certificates"
    )
    op.drop_index(op.f("ix_certificates_user_id"), table_name="certificates")
    op.drop_index(op.f("ix_certificates_tournament_id"), table_name="certificates")
    op.drop_table("certificates")
