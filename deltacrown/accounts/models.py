"""User, GameProfile and revoked refresh tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.core.db import TimestampMixin, UTCDateTime, VersionMixin
from deltacrown.extensions import Model
from deltacrown.games.models import Game


class User(TimestampMixin, VersionMixin, Model):
    __tablename__ = "users"
    # Staff figures count the users who joined in a period.
    __table_args__ = (sa.Index("ix_users_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    # Lower-cased username: uniqueness is case-insensitive.
    username_key: Mapped[str] = mapped_column(sa.String(30), nullable=False, unique=True)
    # Stored lower-cased; unique.
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    display_name: Mapped[str | None] = mapped_column(sa.String(60))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    avatar_key: Mapped[str | None] = mapped_column(sa.String(255))
    # What the avatar shows, for screen readers (required with every upload).
    avatar_alt_text: Mapped[str | None] = mapped_column(sa.String(300))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    is_staff: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    is_superuser: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Bumped on password change: tokens minted before it stop working.
    credentials_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The IANA zone the staff console shows times in (a staff member's own setting).
    time_zone: Mapped[str] = mapped_column(
        sa.String(64), nullable=False, default="UTC", server_default="UTC"
    )
    # The address was proven by a link sent to it (or marked so by staff); reset on change.
    email_verified: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    game_profiles: Mapped[list[GameProfile]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="GameProfile.id"
    )

    def __str__(self) -> str:
        return self.username

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r}>"


class GameProfile(TimestampMixin, Model):
    """A user's in-game id for one game; one per (user, game), and an id has one owner per game."""

    __tablename__ = "game_profiles"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "game_id"),
        sa.UniqueConstraint("game_id", "in_game_id_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    game_id: Mapped[int] = mapped_column(sa.ForeignKey("games.id"), nullable=False, index=True)
    in_game_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # Normalised form used for the one-owner-per-game rule (case-insensitive).
    in_game_id_key: Mapped[str] = mapped_column(sa.String(64), nullable=False)

    user: Mapped[User] = relationship(back_populates="game_profiles")
    game: Mapped[Game] = relationship()

    def __str__(self) -> str:
        return f"{self.in_game_id} ({self.game})"

    def __repr__(self) -> str:
        return f"<GameProfile {self.id} user={self.user_id} game={self.game_id}>"


class RevokedToken(Model):
    """A refresh token revoked by logout; kept until it would have expired anyway."""

    __tablename__ = "revoked_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    jti: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    def __repr__(self) -> str:
        return f"<RevokedToken {self.jti}>"
