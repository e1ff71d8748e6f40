"""Stage, Round and Match: a generated bracket as rows (the shared model set matches extend).

A stage is one engine stage (`deltacrown.brackets.engine.Stage`) of a tournament: the stage
row keeps what belongs to the whole stage (format, engine options, seeding, the seed list,
groups, the number of open matches, the final placements), and every engine match is one
`Match` row keyed by its engine id (`W1.3`, `L2.1`, `GF1.1` ...). Rows are the source of
truth: the services rebuild the engine's view from them, let the engine apply a result, and
write back only the rows that changed (see `store.py`). Whoever changes a stage's matches
does it under a row lock on the tournament and then the stage (`queries.lock_stage`), so
results feeding the same next match are serialised.

`Match.status` is richer than the engine's: `ready` covers the engine's "ready" before play;
`live`, `awaiting_confirmation` and `disputed` (the match-lifecycle issue) are still "ready"
for the engine but count as started; `completed` and `forfeit` are the engine's "completed";
an engine-skipped grand-final reset is `cancelled`.

A battle-royale stage keeps its lobbies (members, games) in `Stage.lobbies`, the engine's
truth; each lobby also has a `Match` row (`lobby` = the lobby's number, in a round of side
`lobby`) that carries the lobby's lifecycle (check-ins, submissions, disputes, its status).
The engine never loads lobby rows (`queries.stage_matches`, `queries.rounds_of` leave them
out), their slots are placeholders (`seed`/`0`), and `best_of` is the lobby's game count.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.brackets.engine import MatchStatus as EngineStatus
from deltacrown.brackets.engine import Side
from deltacrown.core.db import (
    TimestampMixin,
    UTCDateTime,
    VersionMixin,
    enum_type,
    json_dict_column,
    json_list_column,
)
from deltacrown.extensions import Model


class SeedingMethod(enum.StrEnum):
    REGISTRATION_ORDER = "registration_order"
    RANDOM = "random"  # a shuffle by a recorded RNG seed
    MANUAL = "manual"  # the organizer's full seed list
    STANDINGS = "standings"  # playoffs: from the group stage's standings


class StageStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"  # placements are known


class MatchStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # a participant is not known yet
    READY = "ready"
    LIVE = "live"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    COMPLETED = "completed"
    DISPUTED = "disputed"
    FORFEIT = "forfeit"  # completed without play: the winner and no scores
    CANCELLED = "cancelled"  # a grand-final reset that was not needed


M = MatchStatus
# The engine's view of each status, and the status a row takes when the engine moves it.
ENGINE_STATUS: dict[MatchStatus, EngineStatus] = {
    M.SCHEDULED: EngineStatus.PENDING,
    M.READY: EngineStatus.READY,
    M.LIVE: EngineStatus.READY,
    M.AWAITING_CONFIRMATION: EngineStatus.READY,
    M.DISPUTED: EngineStatus.READY,
    M.COMPLETED: EngineStatus.COMPLETED,
    M.FORFEIT: EngineStatus.COMPLETED,
    M.CANCELLED: EngineStatus.SKIPPED,
}
ROW_STATUS: dict[EngineStatus, MatchStatus] = {
    EngineStatus.PENDING: M.SCHEDULED,
    EngineStatus.READY: M.READY,
    EngineStatus.COMPLETED: M.COMPLETED,
    EngineStatus.SKIPPED: M.CANCELLED,
}
# Started: play has begun (or ended); a bracket with such a match can no longer be regenerated.
STARTED_STATUSES = frozenset({M.LIVE, M.AWAITING_CONFIRMATION, M.DISPUTED, M.COMPLETED, M.FORFEIT})
# Started but without a result: what the engine must treat as blocking a correction.
IN_PLAY_STATUSES = frozenset({M.LIVE, M.AWAITING_CONFIRMATION, M.DISPUTED})
RESULT_STATUSES = frozenset({M.COMPLETED, M.FORFEIT})


class Stage(TimestampMixin, VersionMixin, Model):
    """One engine stage of a tournament's bracket (a group stage and its playoffs are two)."""

    __tablename__ = "stages"
    __table_args__ = (sa.UniqueConstraint("tournament_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tournaments.id"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # 1, 2, ... in play order
    # The engine format (a group stage is `round_robin` or `swiss` with `options["playoffs"]`).
    format: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    status: Mapped[StageStatus] = mapped_column(
        enum_type(StageStatus), nullable=False, default=StageStatus.ACTIVE
    )
    options: Mapped[dict[str, Any]] = json_dict_column(nullable=False)  # the engine stage's
    # The options generation was asked for (engine names, for the tournament's format), so the
    # bracket can be regenerated alike; a group stage's `options` differ from them.
    requested_options: Mapped[dict[str, Any]] = json_dict_column(nullable=False)
    best_of: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    seeding: Mapped[SeedingMethod] = mapped_column(enum_type(SeedingMethod), nullable=False)
    rng_seed: Mapped[int | None] = mapped_column(sa.BigInteger)  # random seeding only
    seeds: Mapped[list[Any]] = json_list_column(nullable=False)  # registration ids, best first
    byes: Mapped[list[int]] = json_list_column(nullable=False)  # seed numbers with a bye
    groups: Mapped[list[Any]] = json_list_column(nullable=False)  # engine Group dicts
    lobbies: Mapped[list[Any]] = json_list_column(nullable=False)  # engine Lobby dicts
    more_rounds: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Matches (and lobbies) neither completed nor skipped: lets a result load only the
    # matches it touches, and says when the last result is coming (see services).
    open_count: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    placements: Mapped[list[Any] | None] = json_list_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    rounds: Mapped[list[Round]] = relationship(
        back_populates="stage",
        order_by="Round.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Stage {self.id} t={self.tournament_id} #{self.number} {self.format}>"


class Round(Model):
    """A round of one side of a stage, named as the engine names it ("Semi-finals")."""

    __tablename__ = "rounds"
    __table_args__ = (sa.UniqueConstraint("stage_id", "side", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stages.id", ondelete="CASCADE"), nullable=False, index=True
    )
    side: Mapped[Side] = mapped_column(enum_type(Side, 16), nullable=False)
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # per side, from 1
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # engine order
    byes: Mapped[list[Any]] = json_list_column(nullable=False)  # Swiss: who had the bye

    stage: Mapped[Stage] = relationship(back_populates="rounds")

    def __repr__(self) -> str:
        return f"<Round {self.id} stage={self.stage_id} {self.side} {self.number}>"


class Match(TimestampMixin, VersionMixin, Model):
    """A head-to-head match: two slots filled by registrations, per-game scores, routing."""

    __tablename__ = "matches"
    __table_args__ = (
        sa.UniqueConstraint("stage_id", "engine_id"),
        sa.Index("ix_matches_tournament_id_status", "tournament_id", "status"),
        sa.Index("ix_matches_stage_id_position", "stage_id", "position"),
        sa.CheckConstraint("slot1_kind IN ('seed', 'winner', 'loser')", name="slot1_kind"),
        sa.CheckConstraint("slot2_kind IN ('seed', 'winner', 'loser')", name="slot2_kind"),
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

    round: Mapped[Round] = relationship(lazy="joined", innerjoin=True)

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
