"""Lifecycle rows kept beside `brackets.Match`: check-ins, result submissions, the match's
event history, disputes, and a finished tournament's placements.

The match's own state (status, participants, scores, winner) stays on `brackets.Match`; these
tables say who checked in, who claimed which result and when (the auto-confirm clock runs
from a pending submission's `created_at`), what happened to the match and who did it, and
how a dispute was settled. A rematch marks the match's submissions `superseded`, so "one
submission per side" counts only the current ones.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import (
    TimestampMixin,
    UTCDateTime,
    VersionMixin,
    enum_type,
    json_dict_column,
    json_list_column,
)
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model


class SubmissionStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the other side (or the auto-confirm window)
    CONFIRMED = "confirmed"  # the match completed with it
    DISPUTED = "disputed"  # the other side disputed it (or submitted another result)
    SUPERSEDED = "superseded"  # a rematch, an override or a forfeit replaced it


class DisputeStatus(enum.StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class DisputeOutcome(enum.StrEnum):
    UPHELD = "upheld"  # the disputed result stands
    OVERTURNED = "overturned"  # the organizer's corrected games replace it
    REMATCH = "rematch"  # the match is played again


OPEN_DISPUTE_STATUSES = frozenset({DisputeStatus.OPEN, DisputeStatus.UNDER_REVIEW})


class MatchCheckIn(Model):
    """One side checked in for a match (at most once)."""

    __tablename__ = "match_checkins"
    __table_args__ = (sa.UniqueConstraint("match_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id"), nullable=False)
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class ResultSubmission(Model):
    """One side's claim of a match's per-game scores (`games`: [[slot 1, slot 2], ...]).

    For a battle-royale lobby it is one member's claim of one game (`game`, 1-based):
    `games` holds `[{"registration_id", "placement", "kills"}, ...]`, every present member
    once; another member's agreement is a submission of the same results."""

    __tablename__ = "result_submissions"
    __table_args__ = (sa.Index("ix_result_submissions_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id"), nullable=False)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    games: Mapped[list[Any]] = json_list_column(nullable=False)
    game: Mapped[int | None] = mapped_column(sa.Integer)  # lobby matches: the game reported
    winner_registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registrations.id"))
    evidence: Mapped[list[Any]] = json_list_column(nullable=False)  # storage keys
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_type(SubmissionStatus), nullable=False, default=SubmissionStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MatchEvent(Model):
    """One step of a match's history (scheduled, checked_in, started, result_submitted, ...)."""

    __tablename__ = "match_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    tournament_id: Mapped[int] = mapped_column(sa.ForeignKey("tournaments.id"), nullable=False)
    type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registrations.id"))
    data: Mapped[dict[str, Any]] = json_dict_column(nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Dispute(TimestampMixin, VersionMixin, Model):
    """A participant's objection to a match's result, and how an organizer settled it."""

    __tablename__ = "disputes"
    __table_args__ = (sa.Index("ix_disputes_tournament_id_status", "tournament_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    tournament_id: Mapped[int] = mapped_column(sa.ForeignKey("tournaments.id"), nullable=False)
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registrations.id"))
    raised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("result_submissions.id"))
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    evidence: Mapped[list[Any]] = json_list_column(nullable=False)  # storage keys
    status: Mapped[DisputeStatus] = mapped_column(
        enum_type(DisputeStatus), nullable=False, default=DisputeStatus.OPEN
    )
    outcome: Mapped[DisputeOutcome | None] = mapped_column(enum_type(DisputeOutcome))
    resolution: Mapped[str | None] = mapped_column(sa.Text)
    corrected_games: Mapped[list[Any] | None] = json_list_column(default=None)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DISPUTE_STATUSES


class TournamentResult(Model):
    """A finished tournament's placement of one participant (1st, 2nd, 3rd, ...)."""

    __tablename__ = "tournament_results"
    __table_args__ = (
        sa.UniqueConstraint("tournament_id", "registration_id"),
        sa.Index("ix_tournament_results_tournament_id_placement", "tournament_id", "placement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(sa.ForeignKey("tournaments.id"), nullable=False)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id"), nullable=False)
    placement: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # shared places repeat
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
