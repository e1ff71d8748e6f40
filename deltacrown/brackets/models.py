"""Stage and Round: a generated bracket as rows, with the tournament's final placements
(`TournamentResult`).

A stage is one engine stage (`deltacrown.brackets.engine.Stage`) of a tournament: the stage
row keeps what belongs to the whole stage (format, engine options, seeding, the seed list,
groups, the number of open matches, the final placements), and every engine match is one
`matches.models.Match` row keyed by its engine id (`W1.3`, `L2.1`, `GF1.1` ...). Rows are the
source of truth: the services rebuild the engine's view from them, let the engine apply a
result, and write back only the rows that changed (see `store.py`, which also maps the
match's richer status to the engine's). Whoever changes a stage's matches does it under a row
lock on the tournament and then the stage (`queries.lock_stage`), so results feeding the same
next match are serialised.

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

from deltacrown.brackets.engine import Side
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


class SeedingMethod(enum.StrEnum):
    REGISTRATION_ORDER = "registration_order"
    RANDOM = "random"  # a shuffle by a recorded RNG seed
    MANUAL = "manual"  # the organizer's full seed list
    STANDINGS = "standings"  # playoffs: from the group stage's standings
    RATING = "rating"  # by the players' skill ratings in the game (leaderboards)


class StageStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"  # placements are known


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

    def __str__(self) -> str:
        return f"Stage {self.number}"

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

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Round {self.id} stage={self.stage_id} {self.side} {self.number}>"


class TournamentResult(Model):
    """A finished tournament's placement of one participant (1st, 2nd, 3rd, ...): written by
    the brackets services from the last stage's placements when the tournament completes, and
    rewritten when a correction changes them."""

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
