"""Leaderboard rows: seasons, the points behind every rank, and skill ratings with their history.

* `Season`: a named window of a game's calendar (`starts_at` <= t < `ends_at`); at most one
  season of a game covers any instant, so "the current season" is well defined.
* `LeaderboardPoints`: one row per subject (a player, or a team in team tournaments) and
  completed tournament: placement, the points it earned and the wins and matches behind
  them. Boards are sums of these rows, so every rank can be explained and recomputed; a
  correction rewrites one tournament's rows.
* `PlayerRating` (the current OpenSkill rating of a player in a game) and `RatingChange` (one
  row per player and rated match or lobby game: before and after), so a correction can
  replay a player's ratings from the corrected match on.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import TimestampMixin, UTCDateTime, VersionMixin, enum_type
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model


class SubjectKind(enum.StrEnum):
    PLAYER = "player"
    TEAM = "team"


class Season(TimestampMixin, VersionMixin, Model):
    __tablename__ = "seasons"
    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="window"),
        sa.Index("ix_seasons_game_id_starts_at", "game_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(sa.ForeignKey("games.id"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class LeaderboardPoints(Model):
    __tablename__ = "leaderboard_points"
    __table_args__ = (
        sa.UniqueConstraint("tournament_id", "kind", "subject_id"),
        sa.Index("ix_leaderboard_points_game_id_kind_subject_id", "game_id", "kind", "subject_id"),
        sa.Index("ix_leaderboard_points_season_id_kind", "season_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(sa.ForeignKey("games.id"), nullable=False)
    tournament_id: Mapped[int] = mapped_column(sa.ForeignKey("tournaments.id"), nullable=False)
    season_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seasons.id", ondelete="SET NULL"))
    kind: Mapped[SubjectKind] = mapped_column(enum_type(SubjectKind, 16), nullable=False)
    subject_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # a user's or team's id
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id"), nullable=False)
    placement: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    tier: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    placement_points: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    kill_points: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    points: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    wins: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    matches_played: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class PlayerRating(Model):
    __tablename__ = "player_ratings"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "game_id"),
        sa.Index("ix_player_ratings_game_id_ordinal", "game_id", "ordinal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    game_id: Mapped[int] = mapped_column(sa.ForeignKey("games.id"), nullable=False)
    mu: Mapped[float] = mapped_column(sa.Float, nullable=False)
    sigma: Mapped[float] = mapped_column(sa.Float, nullable=False)
    ordinal: Mapped[float] = mapped_column(sa.Float, nullable=False)
    matches: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class RatingChange(Model):
    __tablename__ = "rating_changes"
    __table_args__ = (
        sa.UniqueConstraint("match_id", "game_number", "user_id"),
        sa.Index("ix_rating_changes_user_id_game_id_id", "user_id", "game_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    game_id: Mapped[int] = mapped_column(sa.ForeignKey("games.id"), nullable=False)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    game_number: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # 0: the whole match
    mu_before: Mapped[float] = mapped_column(sa.Float, nullable=False)
    sigma_before: Mapped[float] = mapped_column(sa.Float, nullable=False)
    mu_after: Mapped[float] = mapped_column(sa.Float, nullable=False)
    sigma_after: Mapped[float] = mapped_column(sa.Float, nullable=False)
    ordinal_after: Mapped[float] = mapped_column(sa.Float, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
