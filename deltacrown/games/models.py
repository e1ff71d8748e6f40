"""Game and its enums."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import TimestampMixin, VersionMixin, enum_type
from deltacrown.extensions import Model


class ResultShape(enum.StrEnum):
    SCORE = "score"  # head-to-head: per-game scores, a winner (or a draw)
    PLACEMENT_POINTS = "placement_points"  # battle royale: placements and kills per game


class Game(TimestampMixin, VersionMixin, Model):
    __tablename__ = "games"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)
    team_size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    has_draws: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    result_shape: Mapped[ResultShape] = mapped_column(
        enum_type(ResultShape), nullable=False, default=ResultShape.SCORE
    )
    # Key into deltacrown.games.idrules.ID_RULES: how this game's player ids look.
    id_rule: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True, index=True)
    description: Mapped[str | None] = mapped_column(sa.Text)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Game {self.slug}>"
