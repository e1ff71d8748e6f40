"""Match-day staff of a tournament (referees and casters) and its match-day settings."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.accounts.models import User
from deltacrown.core.db import UTCDateTime, enum_type, json_list_column
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model


class StaffRole(enum.StrEnum):
    """What a match-day staff member does (organizers and co-organizers are not staff rows)."""

    REFEREE = "referee"  # starts matches, confirms and enters results, reviews disputes
    CASTER = "caster"  # reads lobby codes and match rooms, attaches streams


class TournamentStaff(Model):
    """A user named to a tournament as referee or caster (one role per user)."""

    __tablename__ = "tournament_staff"
    __table_args__ = (sa.UniqueConstraint("tournament_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tournaments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole, 16), nullable=False)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<TournamentStaff t={self.tournament_id} user={self.user_id} {self.role}>"


class MatchdaySettings(Model):
    """How a tournament's match day runs: whether sides may propose their match times and
    inside which window per round, and how long before a match its lobby code is shown to
    the sides."""

    __tablename__ = "tournament_matchday"

    tournament_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tournaments.id", ondelete="CASCADE"), primary_key=True
    )
    schedule_proposals: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # [{"round": 1, "side": "winners" | None, "opens_at": iso, "closes_at": iso}, ...]
    round_deadlines: Mapped[list[dict[str, Any]]] = json_list_column(nullable=False, default=list)
    reveal_room_minutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=15)
