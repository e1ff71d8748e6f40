"""The match and its lifecycle rows: `Match` (a head-to-head match, or a battle-royale lobby's
row) with `MatchStatus` and the transition table every status change goes through; the
check-ins, result submissions, the match's event history and disputes.

States: `scheduled` (a side unknown) → `ready` → `live` → `awaiting_confirmation` →
`completed`; also `disputed`, `forfeit` (completed without play), `cancelled` (stopped,
waiting for the organizer: it blocks its round and the bracket until the organizer settles
it) and `skipped` (a grand-final reset that was not needed). `Match.transition()` refuses
any move not in `TRANSITIONS` with 409 `invalid_transition`.

The bracket (`brackets`) owns where a match sits and routes to (stage, round, slots, next
matches); it writes a row's participants, winner and scores when the engine moves them, and
its status through `transition()` like every other caller. The lifecycle rows say who
checked in, who claimed which result and when (the auto-confirm clock runs from a pending
submission's `created_at`), what happened to the match and who did it, and how a dispute was
settled. A rematch marks the match's submissions `superseded`, so "one submission per side"
counts only the current ones.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.core.db import (
    TimestampMixin,
    UTCDateTime,
    VersionMixin,
    enum_type,
    json_dict_column,
    json_list_column,
)
from deltacrown.core.errors import InvalidTransitionError
from deltacrown.core.i18n import _
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model

if TYPE_CHECKING:  # the bracket's round; resolved by name through the model registry
    from deltacrown.brackets.models import Round


class MatchStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # a participant is not known yet
    READY = "ready"
    LIVE = "live"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    COMPLETED = "completed"
    DISPUTED = "disputed"
    FORFEIT = "forfeit"  # completed without play: the winner and no scores
    CANCELLED = "cancelled"  # stopped, waiting for the organizer (blocks progression)
    SKIPPED = "skipped"  # a grand-final reset that was not needed


def became_playable(before: object, after: object) -> bool:
    """Whether a change of a match's status from `before` to `after` makes it playable for its
    sides: it became ready, or it went live straight from scheduled (a match that starts by
    itself, `auto_start_matches`, never rests in ready within the transaction)."""
    return after == MatchStatus.READY or (
        after == MatchStatus.LIVE and before == MatchStatus.SCHEDULED
    )


# The codes' names shown to people (`status_label`), in the request's language.
MATCH_STATUS_LABELS = {
    MatchStatus.SCHEDULED: _("Scheduled"),
    MatchStatus.READY: _("Ready"),
    MatchStatus.LIVE: _("Live"),
    MatchStatus.AWAITING_CONFIRMATION: _("Awaiting confirmation"),
    MatchStatus.COMPLETED: _("Completed"),
    MatchStatus.DISPUTED: _("Disputed"),
    MatchStatus.FORFEIT: _("Forfeit"),
    MatchStatus.CANCELLED: _("Cancelled"),
    MatchStatus.SKIPPED: _("Skipped"),
}


M = MatchStatus
# Every legal move. Same-status moves change nothing and are not listed.
TRANSITIONS: frozenset[tuple[MatchStatus, MatchStatus]] = frozenset(
    {
        (M.SCHEDULED, M.READY),  # both participants known
        (M.SCHEDULED, M.SKIPPED),  # the grand final made its reset needless
        (M.READY, M.LIVE),  # started (both checked in, the organizer, a lobby's absentees)
        (M.LIVE, M.AWAITING_CONFIRMATION),  # a side submitted
        (M.AWAITING_CONFIRMATION, M.DISPUTED),  # disputed, or a different submission
        (M.AWAITING_CONFIRMATION, M.LIVE),  # a lobby's game confirmed, more games to play
        (M.DISPUTED, M.READY),  # rematch
        (M.DISPUTED, M.LIVE),  # a lobby's game replayed or recorded by the organizer
        (M.CANCELLED, M.READY),  # rescheduled
        (M.CANCELLED, M.LIVE),  # the organizer recorded a cancelled lobby's game
        (M.READY, M.SKIPPED),  # a corrected grand final made its reset needless
        (M.COMPLETED, M.FORFEIT),  # corrected
        # staff reset a match: back to ready, result and submissions cleared ...
        *((before, M.READY) for before in (M.COMPLETED, M.FORFEIT, M.LIVE,
                                           M.AWAITING_CONFIRMATION)),
        # ... and the next matches lose the participant it had routed there
        (M.READY, M.SCHEDULED),
        (M.FORFEIT, M.COMPLETED),  # corrected
        # a result: the engine's (confirmed, entered by the organizer) or a forfeit
        *(
            (before, after)
            for before in (M.READY, M.LIVE, M.AWAITING_CONFIRMATION, M.DISPUTED, M.CANCELLED)
            for after in (M.COMPLETED, M.FORFEIT)
        ),
        # the organizer stops it
        *((before, M.CANCELLED) for before in (M.READY, M.LIVE, M.AWAITING_CONFIRMATION,
                                                M.DISPUTED)),
    }
)  # fmt: skip
# Started: play has begun (or ended); a bracket with such a match can no longer be regenerated.
STARTED_STATUSES = frozenset({M.LIVE, M.AWAITING_CONFIRMATION, M.DISPUTED, M.COMPLETED, M.FORFEIT})
# Started but without a result: what the engine must treat as blocking a correction.
IN_PLAY_STATUSES = frozenset({M.LIVE, M.AWAITING_CONFIRMATION, M.DISPUTED})
RESULT_STATUSES = frozenset({M.COMPLETED, M.FORFEIT})
ROOM_UNREVEALED_SQL = "room_id IS NOT NULL AND room_revealed_at IS NULL"


class Match(TimestampMixin, VersionMixin, Model):
    """A head-to-head match: two slots filled by registrations, per-game scores, routing."""

    __tablename__ = "matches"
    __table_args__ = (
        sa.UniqueConstraint("stage_id", "engine_id"),
        sa.Index("ix_matches_tournament_id_status", "tournament_id", "status"),
        sa.Index("ix_matches_stage_id_position", "stage_id", "position"),
        sa.CheckConstraint("slot1_kind IN ('seed', 'winner', 'loser')", name="slot1_kind"),
        sa.CheckConstraint("slot2_kind IN ('seed', 'winner', 'loser')", name="slot2_kind"),
        # The lobby codes the reveal sweep still has to send (`matches.rooms.reveal_due`).
        sa.Index(
            "ix_matches_room_unrevealed",
            "scheduled_at",
            postgresql_where=sa.text(ROOM_UNREVEALED_SQL),
            sqlite_where=sa.text(ROOM_UNREVEALED_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(sa.ForeignKey("tournaments.id"), nullable=False)
    stage_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stages.id", ondelete="CASCADE"), nullable=False
    )
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True
    )
    engine_id: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # "W1.3"
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # order of play in stage
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # within its round, from 1
    best_of: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    status: Mapped[MatchStatus] = mapped_column(enum_type(MatchStatus), nullable=False)
    is_reset: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Where each slot's participant comes from: a seed number, or the winner/loser of a match
    # (its engine id). Fixed at generation.
    slot1_kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    slot1_ref: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    slot2_kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    slot2_ref: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    participant1_registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id"), index=True
    )
    participant2_registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id"), index=True
    )
    winner_registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registrations.id"))
    scores: Mapped[list[Any]] = json_list_column(nullable=False)  # [[slot 1, slot 2], ...]
    next_match_winner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="SET NULL")
    )
    next_match_winner_slot: Mapped[int | None] = mapped_column(sa.SmallInteger)  # 1 or 2
    next_match_loser_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="SET NULL")
    )
    next_match_loser_slot: Mapped[int | None] = mapped_column(sa.SmallInteger)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A battle-royale lobby's number (its members and games are in `Stage.lobbies`); None for
    # a head-to-head match.
    lobby: Mapped[int | None] = mapped_column(sa.Integer)
    # Match day (`matches.schedule`, `matches.rooms`, `matches.streams`): the organizer set
    # the time (sides' proposals are refused), the calendar revision (iCalendar SEQUENCE),
    # where it is watched, and its lobby code (never in public representations).
    schedule_locked: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    schedule_sequence: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0"
    )
    stream_url: Mapped[str | None] = mapped_column(sa.String(500))
    vod_url: Mapped[str | None] = mapped_column(sa.String(500))
    room_id: Mapped[str | None] = mapped_column(sa.String(64))
    room_password: Mapped[str | None] = mapped_column(sa.String(64))
    # When the sides were sent the lobby code (`matches.rooms.reveal_due`); None: not yet.
    room_revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[Round] = relationship("Round", lazy="joined", innerjoin=True)

    def __str__(self) -> str:
        return f"Match #{self.id} ({self.engine_id})"

    def __repr__(self) -> str:
        return f"<Match {self.id} {self.engine_id} stage={self.stage_id} {self.status}>"

    @property
    def participant_ids(self) -> tuple[int | None, int | None]:
        return self.participant1_registration_id, self.participant2_registration_id

    @property
    def is_lobby(self) -> bool:
        return self.lobby is not None

    @property
    def is_started(self) -> bool:
        return self.status in STARTED_STATUSES

    @property
    def has_result(self) -> bool:
        return self.status in RESULT_STATUSES

    def can_transition(self, to: MatchStatus) -> bool:
        return to is self.status or (self.status, to) in TRANSITIONS

    def transition(self, to: MatchStatus, *, at: datetime | None = None) -> None:
        """Move to `to` (a result stamps `completed_at` with `at`), or raise
        InvalidTransitionError (409 `invalid_transition`) when `TRANSITIONS` has no such move.
        Moving to the current status changes nothing."""
        if not self.can_transition(to):
            raise InvalidTransitionError(
                f"Match {self.id} is {self.status.value}; it cannot become {to.value}.",
                current_status=self.status.value,
                from_status=self.status.value,
                to_status=to.value,
            )
        if to is self.status:
            return
        if to in RESULT_STATUSES and self.status not in RESULT_STATUSES:
            self.completed_at = at or utcnow()
        self.status = to


def involving(registration_ids: Any) -> Any:
    """The condition "one of `registration_ids` (a SELECT of ids) plays the match": a union of
    two index lookups, one per side. `participant1 IN (...) OR participant2 IN (...)` cannot
    use either index and reads the whole matches table."""
    return Match.id.in_(
        sa.union(
            sa.select(Match.id).where(Match.participant1_registration_id.in_(registration_ids)),
            sa.select(Match.id).where(Match.participant2_registration_id.in_(registration_ids)),
        )
    )


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
    # A tournament's events of one type (no-show forfeits in the organizer's health figures).
    __table_args__ = (sa.Index("ix_match_events_tournament_id_type", "tournament_id", "type"),)

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


class ChatMessage(Model):
    """A message in a match's room, seen by its sides, organizers and staff. Staff may hide
    one (`hidden_at`): it stays for the record but is no longer shown."""

    __tablename__ = "match_chat_messages"
    __table_args__ = (sa.Index("ix_match_chat_messages_match_id_id", "match_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), nullable=False
    )
    author_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    text: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    def __str__(self) -> str:
        return f"Message #{self.id} in match #{self.match_id}"

    def __repr__(self) -> str:
        return f"<ChatMessage {self.id} match {self.match_id}>"
