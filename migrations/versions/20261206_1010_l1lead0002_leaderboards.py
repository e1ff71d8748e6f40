"""leaderboards: seasons, points rows, player ratings and their history

Revision ID: l1lead0002
Revises: l1lead0001
Create Date: 2026-12-06 10:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "l1lead0002"
down_revision = "l1lead0001"
branch_labels = None
depends_on = None



def upgrade():
    op.create_table(
        "seasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_seasons_window")),
        sa.ForeignKeyConstraint(["game_id"], ["games.id"], name=op.f("fk_seasons_game_id_games")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seasons")),
    )
    op.create_index("ix_seasons_game_id_starts_at", "seasons", ["game_id", "starts_at"])
    op.create_table(
        "leaderboard_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("tournament_id", sa.Integer(), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("placement", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("placement_points", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("kill_points", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("points", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("wins", sa.Integer(), nullable=False),
        sa.Column("matches_played", sa.Integer(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["game_id"], ["games.id"], name=op.f("fk_leaderboard_points_game_id_games")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_leaderboard_points_registration_id_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["seasons.id"],
            name=op.f("fk_leaderboard_points_season_id_seasons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_leaderboard_points_tournament_id_tournaments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaderboard_points")),
        sa.UniqueConstraint(
            "tournament_id",
            "kind",
            "subject_id",
            name=op.f("uq_leaderboard_points_tournament_id_kind_subject_id"),
        ),
    )
    op.create_index(
        "ix_leaderboard_points_game_id_kind_subject_id",
        "leaderboard_points",
        ["game_id", "kind", "subject_id"],
    )
    op.create_index(
        "ix_leaderboard_points_season_id_kind", "leaderboard_points", ["season_id", "kind"]
    )
    op.create_table(
        "player_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("mu", sa.Float(), nullable=False),
        sa.Column("sigma", sa.Float(), nullable=False),
        sa.Column("ordinal", sa.Float(), nullable=False),
        sa.Column("matches", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["game_id"], ["games.id"], name=op.f("fk_player_ratings_game_id_games")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_player_ratings_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_player_ratings")),
        sa.UniqueConstraint("user_id", "game_id", name=op.f("uq_player_ratings_user_id_game_id")),
    )
    op.create_index("ix_player_ratings_game_id_ordinal", "player_ratings", ["game_id", "ordinal"])
    op.create_table(
        "rating_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("game_number", sa.Integer(), nullable=False),
        sa.Column("mu_before", sa.Float(), nullable=False),
        sa.Column("sigma_before", sa.Float(), nullable=False),
        sa.Column("mu_after", sa.Float(), nullable=False),
        sa.Column("sigma_after", sa.Float(), nullable=False),
        sa.Column("ordinal_after", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["game_id"], ["games.id"], name=op.f("fk_rating_changes_game_id_games")
        ),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_rating_changes_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_rating_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_changes")),
        sa.UniqueConstraint(
            "match_id",
            "game_number",
            "user_id",
            name=op.f("uq_rating_changes_match_id_game_number_user_id"),
        ),
    )
    op.create_index(op.f("ix_rating_changes_match_id"), "rating_changes", ["match_id"])
    op.create_index(
        "ix_rating_changes_user_id_game_id_id", "rating_changes", ["user_id", "game_id", "id"]
    )


def downgrade():
    op.drop_table("rating_changes")
    op.drop_table("player_ratings")
    op.drop_table("leaderboard_points")
    op.drop_table("seasons")
