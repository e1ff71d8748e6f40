"""match day: tournament referees and casters, match-day settings, schedule proposals,
calendar tokens, and a match's streams, lobby code (and when its sides were sent it) and
calendar revision

Revision ID: a6mday0016
Revises: a1acct0016
Create Date: 2026-12-06 13:20:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "a6mday0016"
down_revision = "a1acct0016"
branch_labels = None
depends_on = None

ROOM_UNREVEALED = "room_id IS NOT NULL AND room_revealed_at IS NULL"


def upgrade():
    op.create_table(
        "tournament_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tournament_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_tournament_staff_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_tournament_staff_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_tournament_staff_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tournament_staff")),
        sa.UniqueConstraint(
            "tournament_id", "user_id", name=op.f("uq_tournament_staff_tournament_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_tournament_staff_tournament_id"), "tournament_staff", ["tournament_id"]
    )
    op.create_index(op.f("ix_tournament_staff_user_id"), "tournament_staff", ["user_id"])
    op.create_table(
        "tournament_matchday",
        sa.Column("tournament_id", sa.Integer(), nullable=False),
        sa.Column("schedule_proposals", sa.Boolean(), nullable=False),
        sa.Column(
            "round_deadlines",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("reveal_room_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_tournament_matchday_tournament_id_tournaments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tournament_id", name=op.f("pk_tournament_matchday")),
    )
    op.create_table(
        "match_schedule_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_match_schedule_proposals_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_match_schedule_proposals_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["users.id"],
            name=op.f("fk_match_schedule_proposals_proposed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_match_schedule_proposals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_schedule_proposals")),
    )
    op.create_index(
        "ix_match_schedule_proposals_match_id_status",
        "match_schedule_proposals",
        ["match_id", "status"],
    )
    op.create_table(
        "calendar_tokens",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_tokens")),
    )
    with op.batch_alter_table("matches") as batch:
        batch.add_column(
            sa.Column("schedule_locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("schedule_sequence", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("stream_url", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("vod_url", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("room_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("room_password", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("room_revealed_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_index(
        "ix_matches_room_unrevealed",
        "matches",
        ["scheduled_at"],
        postgresql_where=sa.text(ROOM_UNREVEALED),
        sqlite_where=sa.text(ROOM_UNREVEALED),
    )


def downgrade():
    op.drop_index("ix_matches_room_unrevealed", table_name="matches")
    with op.batch_alter_table("matches") as batch:
        for column in (
            "room_revealed_at",
            "room_password",
            "room_id",
            "vod_url",
            "stream_url",
            "schedule_sequence",
            "schedule_locked",
        ):
            batch.drop_column(column)
    op.drop_table("calendar_tokens")
    op.drop_index(
        "ix_match_schedule_proposals_match_id_status", table_name="match_schedule_proposals"
    )
    op.drop_table("match_schedule_proposals")
    op.drop_table("tournament_matchday")
    op.drop_index(op.f("ix_tournament_staff_user_id"), table_name="tournament_staff")
    op.drop_index(op.f("ix_tournament_staff_tournament_id"), table_name="tournament_staff")
    op.drop_table("tournament_staff")
