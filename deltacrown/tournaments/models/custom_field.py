"""CustomField: a question a tournament asks at registration (soft-deleted, ordered)."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.core.db import SoftDeleteMixin, TimestampMixin, enum_type, json_list_column
from deltacrown.extensions import Model
from deltacrown.tournaments.customfields import bound_from_text
from deltacrown.tournaments.models.tournament import Tournament


class FieldType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DROPDOWN = "dropdown"
    CHECKBOX = "checkbox"
    URL = "url"
    DATE = "date"


class CustomField(TimestampMixin, SoftDeleteMixin, Model):
    __tablename__ = "tournament_custom_fields"
    __table_args__ = (
        # A key is unique per tournament among the fields that are not deleted.
        sa.Index(
            "uq_tournament_custom_fields_live_key",
            "tournament_id",
            "key",
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tournaments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    key: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    label: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    type: Mapped[FieldType] = mapped_column(enum_type(FieldType), nullable=False)
    required: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Bounds as canonical text, read per type: a length (text), a number, or an ISO date.
    min_value: Mapped[str | None] = mapped_column(sa.String(40))
    max_value: Mapped[str | None] = mapped_column(sa.String(40))
    regex: Mapped[str | None] = mapped_column(sa.String(200))
    choices: Mapped[list[str] | None] = json_list_column(default=None)
    order: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    tournament: Mapped[Tournament] = relationship()

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"<CustomField {self.id} {self.key!r} {self.type}>"

    @property
    def min(self) -> int | Decimal | date | None:
        return bound_from_text(self.type.value, self.min_value)

    @property
    def max(self) -> int | Decimal | date | None:
        return bound_from_text(self.type.value, self.max_value)
