"""Report, Sanction and Appeal.

A report names its subject by type and id (`user`, `team`, `match`, `tournament`,
`message`): plain ids, not foreign keys, because those rows belong to domains above this one.
A sanction is on a user or on a team (exactly one); its `scope_id` is the tournament of a
`tournament`-scoped sanction. One open report per reporter and subject, one appeal per
sanction: both enforced by the database.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import TimestampMixin, UTCDateTime, enum_type, json_list_column
from deltacrown.core.errors import InvalidTransitionError
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model


class SubjectType(enum.StrEnum):
    USER = "user"
    TEAM = "team"
    MATCH = "match"
    TOURNAMENT = "tournament"
    MESSAGE = "message"


class ReportCategory(enum.StrEnum):
    CHEATING = "cheating"
    TOXICITY = "toxicity"
    RESULT_FRAUD = "result_fraud"
    IMPERSONATION = "impersonation"
    SPAM = "spam"
    OTHER = "other"


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    TRIAGED = "triaged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


R = ReportStatus
# No reverse moves, nothing out of a terminal state.
REPORT_TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    R.OPEN: frozenset({R.TRIAGED, R.DISMISSED}),
    R.TRIAGED: frozenset({R.RESOLVED, R.DISMISSED}),
    R.RESOLVED: frozenset(),
    R.DISMISSED: frozenset(),
}
OPEN_STATUSES = (R.OPEN, R.TRIAGED)
_OPEN_REPORT = sa.text("status IN ('open', 'triaged')")


class SanctionType(enum.StrEnum):
    WARNING = "warning"
    MUTE = "mute"
    SUSPENSION = "suspension"
    BAN = "ban"
    SHOP_BAN = "shop_ban"


class SanctionScope(enum.StrEnum):
    GLOBAL = "global"
    TOURNAMENT = "tournament"
    CHAT = "chat"
    SHOP = "shop"


T, S = SanctionType, SanctionScope
# The scopes each type may have: a ban is everywhere, a shop ban is the shop's, a mute
# silences every match room or one tournament's, a suspension is global or one tournament's.
ALLOWED_SCOPES: dict[SanctionType, frozenset[SanctionScope]] = {
    T.WARNING: frozenset(S),
    T.MUTE: frozenset({S.CHAT, S.TOURNAMENT}),
    T.SUSPENSION: frozenset({S.GLOBAL, S.TOURNAMENT}),
    T.BAN: frozenset({S.GLOBAL}),
    T.SHOP_BAN: frozenset({S.SHOP}),
}


class AppealStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Report(TimestampMixin, Model):
    __tablename__ = "moderation_reports"
    __table_args__ = (
        sa.Index(
            "uq_moderation_reports_open_subject",
            "reporter_id",
            "subject_type",
            "subject_id",
            unique=True,
            sqlite_where=_OPEN_REPORT,
            postgresql_where=_OPEN_REPORT,
        ),
        sa.Index("ix_moderation_reports_status_priority", "status", "priority"),
        sa.CheckConstraint("priority BETWEEN 0 AND 5", name="priority_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    subject_type: Mapped[SubjectType] = mapped_column(enum_type(SubjectType, 16), nullable=False)
    subject_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    category: Mapped[ReportCategory] = mapped_column(enum_type(ReportCategory, 16), nullable=False)
    details: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    evidence_keys: Mapped[list[str]] = json_list_column(nullable=False)
    priority: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    status: Mapped[ReportStatus] = mapped_column(
        enum_type(ReportStatus, 16), nullable=False, default=R.OPEN
    )
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_notes: Mapped[str | None] = mapped_column(sa.Text)

    def transition(self, target: ReportStatus) -> None:
        if target not in REPORT_TRANSITIONS[self.status]:
            raise InvalidTransitionError(
                f"Report {self.id} is {self.status.value}; it cannot become {target.value}.",
                current_status=self.status.value,
                allowed=sorted(s.value for s in REPORT_TRANSITIONS[self.status]),
            )
        self.status = target

    def __str__(self) -> str:
        return f"Report #{self.id} ({self.category.value})"

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.subject_type.value}:{self.subject_id} {self.status}>"


class Sanction(Model):
    __tablename__ = "moderation_sanctions"
    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (team_id IS NULL)", name="one_subject"),
        sa.Index("ix_moderation_sanctions_team_id", "team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # A team lives above moderation: a plain id.
    team_id: Mapped[int | None] = mapped_column(sa.Integer)
    type: Mapped[SanctionType] = mapped_column(enum_type(SanctionType, 16), nullable=False)
    scope: Mapped[SanctionScope] = mapped_column(enum_type(SanctionScope, 16), nullable=False)
    scope_id: Mapped[int | None] = mapped_column(sa.Integer)
    reason_code: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoke_notes: Mapped[str | None] = mapped_column(sa.Text)
    report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("moderation_reports.id", ondelete="SET NULL")
    )

    def is_active(self, at: datetime) -> bool:
        return (
            self.revoked_at is None
            and self.starts_at <= at
            and (self.ends_at is None or at < self.ends_at)
        )

    def __str__(self) -> str:
        return f"{self.type.value.capitalize()} #{self.id}"

    def __repr__(self) -> str:
        return f"<Sanction {self.id} {self.type.value}/{self.scope.value}>"


class Appeal(TimestampMixin, Model):
    __tablename__ = "moderation_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    sanction_id: Mapped[int] = mapped_column(
        sa.ForeignKey("moderation_sanctions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    statement: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[AppealStatus] = mapped_column(
        enum_type(AppealStatus, 16), nullable=False, default=AppealStatus.PENDING, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_notes: Mapped[str | None] = mapped_column(sa.Text)

    def __str__(self) -> str:
        return f"Appeal #{self.id}"

    def __repr__(self) -> str:
        return f"<Appeal {self.id} sanction {self.sanction_id} {self.status}>"
