"""Match-day rows: a side's proposed match time (`ScheduleProposal`) and a user's calendar
feed token (`CalendarToken`)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import UTCDateTime, enum_type
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model


class ProposalStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the other side
    ACCEPTED = "accepted"  # the match's scheduled_at
    DECLINED = "declined"  # the other side said no
    CANCELLED = "cancelled"  # the organizer set the time, or another proposal was accepted


class ScheduleProposal(Model):
    """One side proposes when a match is played; the other side accepts or declines."""

    __tablename__ = "match_schedule_proposals"
    __table_args__ = (
        sa.Index("ix_match_schedule_proposals_match_id_status", "match_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), nullable=False
    )
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id"), nullable=False)
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    status: Mapped[ProposalStatus] = mapped_column(
        enum_type(ProposalStatus, 16), nullable=False, default=ProposalStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class CalendarToken(Model):
    """The secret part of a user's calendar feed address: rotating it replaces the row,
    revoking deletes it (old addresses stop working at once)."""

    __tablename__ = "calendar_tokens"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
