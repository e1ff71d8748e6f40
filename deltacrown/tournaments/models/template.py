"""TournamentTemplate: a reusable tournament configuration, private to its owner or public."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.accounts.models import User
from deltacrown.core.db import SoftDeleteMixin, TimestampMixin, VersionMixin, json_dict_column
from deltacrown.extensions import Model


class TournamentTemplate(TimestampMixin, VersionMixin, SoftDeleteMixin, Model):
    __tablename__ = "tournament_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    owner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    is_public: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False, index=True)
    # The API shape of a tournament's configuration (game slug, format, rules, money, prize
    # distribution, settings, ...) plus `custom_fields`; no name and no dates.
    config: Mapped[dict[str, Any]] = json_dict_column(nullable=False, default=dict)

    owner: Mapped[User] = relationship(lazy="joined")

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<TournamentTemplate {self.id} {self.name!r}>"
