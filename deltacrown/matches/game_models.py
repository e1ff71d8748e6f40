"""Per-game rows of a match: its map veto (`MatchVeto`) and each game's map, starting side and
draft (`MatchGame`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import TimestampMixin, UTCDateTime, json_dict_column, json_list_column
from deltacrown.extensions import Model


class MatchVeto(TimestampMixin, Model):
    """A head-to-head match's map veto: the pool it started from and every action taken
    (`history`, replayed by `matches.veto_rules`). `turn_due_at` is when the side to act runs
    out of time (None: no timer, or the veto is complete)."""

    __tablename__ = "match_vetoes"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    tournament_id: Mapped[int] = mapped_column(sa.ForeignKey("tournaments.id"), nullable=False)
    best_of: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    pool: Mapped[list[Any]] = json_list_column(nullable=False)
    sides: Mapped[list[Any] | None] = json_list_column(default=None)  # starting sides, if any
    history: Mapped[list[Any]] = json_list_column(nullable=False)
    turn_seconds: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    turn_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MatchGame(Model):
    """One game of a match: its map (from the veto), the starting side chosen on it, and the
    MOBA draft a side reported with the result (`draft`: {mode, p1: {picks, bans}, p2: ...})."""

    __tablename__ = "match_games"
    __table_args__ = (sa.UniqueConstraint("match_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # 1-based
    map: Mapped[str | None] = mapped_column(sa.String(60))
    picked_by_slot: Mapped[int | None] = mapped_column(sa.SmallInteger)  # None: the decider
    side_chosen_by_slot: Mapped[int | None] = mapped_column(sa.SmallInteger)
    starting_side: Mapped[str | None] = mapped_column(sa.String(20))
    draft: Mapped[dict[str, Any] | None] = json_dict_column(default=None)
