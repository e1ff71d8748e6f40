"""Registration (solo or team), its roster members and its manual payment submissions.

Rules that must hold under concurrency are also enforced by the database (partial unique
indexes, which SQLite and PostgreSQL both support):

* one *active* (pending, confirmed or waitlisted) registration per user per tournament and per
  team per tournament (`uq_registrations_active_*`);
* a player in at most one active roster per tournament: every registration lists its players
  in `registration_members` (a solo registration lists its one player), whose `is_active` flag
  follows the registration, under a unique index on (tournament_id, user_id) WHERE is_active;
* a transaction id is used once per payment method, rejected submissions aside
  (`uq_registration_payments_method_transaction_id`).

Capacity and waitlist positions are decided under a row lock on the tournament (services).
Positions are renumbered 1..n in place, so they carry no unique index (an in-place shift
would trip a non-deferred one).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.accounts.models import User
from deltacrown.core.db import (
    TimestampMixin,
    UTCDateTime,
    VersionMixin,
    enum_type,
    json_dict_column,
)
from deltacrown.core.i18n import _
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model
from deltacrown.teams.models import Team
from deltacrown.tournaments.models import Tournament


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"  # holds a place; awaiting payment or approval
    CONFIRMED = "confirmed"
    REJECTED = "rejected"  # by an organizer (approval)
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    NO_SHOW = "no_show"  # confirmed but not checked in when check-in closed


# The codes' names shown to people (`status_label`), in the request's language.
REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.PENDING: _("Pending"),
    RegistrationStatus.CONFIRMED: _("Confirmed"),
    RegistrationStatus.REJECTED: _("Rejected"),
    RegistrationStatus.CANCELLED: _("Cancelled"),
    RegistrationStatus.WAITLISTED: _("Waitlisted"),
    RegistrationStatus.NO_SHOW: _("No-show"),
}


class PaymentStatus(enum.StrEnum):
    NOT_REQUIRED = "not_required"
    AWAITING = "awaiting"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"  # the last submission was rejected; the player may resubmit
    REFUNDED = "refunded"


class CancelReason(enum.StrEnum):
    WITHDRAWN = "withdrawn"  # by the player or the captain
    LEFT_WAITLIST = "left_waitlist"
    REMOVED = "removed"  # by an organizer or staff
    PAYMENT_EXPIRED = "payment_expired"
    TOURNAMENT_CANCELLED = "tournament_cancelled"


class MemberRole(enum.StrEnum):
    PLAYER = "player"
    SUBSTITUTE = "substitute"


class SubmissionStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"


S = RegistrationStatus
# A registration that still counts: it blocks a second one and keeps its roster busy.
ACTIVE_STATUSES = (S.PENDING, S.CONFIRMED, S.WAITLISTED)
# A registration that holds one of the tournament's places.
HOLDING_STATUSES = (S.PENDING, S.CONFIRMED)

_ACTIVE_SQL = "status IN ('pending', 'confirmed', 'waitlisted')"
_ACTIVE_USER = sa.text(f"{_ACTIVE_SQL} AND user_id IS NOT NULL")
_ACTIVE_TEAM = sa.text(f"{_ACTIVE_SQL} AND team_id IS NOT NULL")
_ACTIVE_MEMBER = sa.text("is_active")
_LIVE_SUBMISSION = sa.text("status <> 'rejected'")
_GUEST_KEY = sa.text("guest_key IS NOT NULL")


class Registration(TimestampMixin, VersionMixin, Model):
    """A solo player's (`user_id`) or a team's (`team_id`) entry in a tournament."""

    __tablename__ = "registrations"
    __table_args__ = (
        # A player, a team, or (neither) a participant without an account (`guest_name`).
        sa.CheckConstraint(
            "((user_id IS NULL) <> (team_id IS NULL))"
            " OR (user_id IS NULL AND team_id IS NULL AND guest_name IS NOT NULL)",
            name="one_participant",
        ),
        sa.Index(
            "uq_registrations_tournament_id_guest_key",
            "tournament_id",
            "guest_key",
            unique=True,
            sqlite_where=_GUEST_KEY,
            postgresql_where=_GUEST_KEY,
        ),
        sa.CheckConstraint("fee_amount IS NULL OR fee_coins IS NULL", name="fee_one_kind"),
        sa.CheckConstraint(
            "(status = 'waitlisted') = (waitlist_position IS NOT NULL)",
            name="position_iff_waitlisted",
        ),
        sa.Index(
            "uq_registrations_active_tournament_id_user_id",
            "tournament_id",
            "user_id",
            unique=True,
            sqlite_where=_ACTIVE_USER,
            postgresql_where=_ACTIVE_USER,
        ),
        sa.Index(
            "uq_registrations_active_tournament_id_team_id",
            "tournament_id",
            "team_id",
            unique=True,
            sqlite_where=_ACTIVE_TEAM,
            postgresql_where=_ACTIVE_TEAM,
        ),
        sa.Index("ix_registrations_tournament_id_status", "tournament_id", "status"),
        sa.Index("ix_registrations_status_payment_due_at", "status", "payment_due_at"),
        sa.Index("ix_registrations_refund_due_at", "refund_due_at"),
        # Staff figures count the registrations made in a period.
        sa.Index("ix_registrations_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(sa.ForeignKey("tournaments.id"), nullable=False)
    # Solo: the player. Team registrations name the team instead (the captain acts for it).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    # Who registered (the player or the captain): pays a coin fee at sign-up or promotion (an
    # offer taken up later is paid by the registrant who takes it). Refunds follow the ledger.
    registered_by_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id"), nullable=False, index=True
    )
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_type(RegistrationStatus), nullable=False
    )
    payment_status: Mapped[PaymentStatus] = mapped_column(enum_type(PaymentStatus), nullable=False)
    # The entry fee when the registration was made (the tournament's fee is frozen anyway).
    fee_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    fee_currency: Mapped[str | None] = mapped_column(sa.String(3))
    fee_coins: Mapped[int | None] = mapped_column(sa.Integer)
    payment_method: Mapped[str | None] = mapped_column(sa.String(32))
    payment_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The economy ledger row of the coin fee (a plain id: the ledger belongs to economy).
    coin_transaction_id: Mapped[int | None] = mapped_column(sa.Integer)
    waitlist_position: Mapped[int | None] = mapped_column(sa.Integer)
    answers: Mapped[dict[str, Any]] = json_dict_column(nullable=False)

    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # NULL with checked_in_at set: checked in by the system (promoted after check-in closed).
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancel_reason: Mapped[CancelReason | None] = mapped_column(enum_type(CancelReason))
    # A manual payment to give back by hand (staff list); set with refunded_at once done.
    refund_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    refund_reference: Mapped[str | None] = mapped_column(sa.String(200))
    # A participant without an account, added by an organizer (`registrations.offline`):
    # its name, contact, team name and seed; `guest_key` makes a CSV import idempotent. The
    # name stays after someone claims the place with an account (user_id or team_id set).
    guest_name: Mapped[str | None] = mapped_column(sa.String(100))
    guest_team: Mapped[str | None] = mapped_column(sa.String(100))
    guest_email: Mapped[str | None] = mapped_column(sa.String(254))
    guest_seed: Mapped[int | None] = mapped_column(sa.Integer)
    guest_key: Mapped[str | None] = mapped_column(sa.String(64))

    tournament: Mapped[Tournament] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    team: Mapped[Team | None] = relationship()
    members: Mapped[list[RegistrationMember]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="RegistrationMember.id",
        lazy="selectin",
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="Payment.id",
    )

    def __str__(self) -> str:
        who = self.user if self.user_id else self.team
        return f"#{self.id} {who} — {self.tournament} ({self.status.value.replace('_', ' ')})"

    def __repr__(self) -> str:
        who = (
            f"user={self.user_id}"
            if self.user_id
            else f"team={self.team_id}"
            if self.team_id
            else f"guest={self.guest_name!r}"
        )
        return f"<Registration {self.id} t={self.tournament_id} {who} {self.status}>"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDING_STATUSES

    @property
    def is_team(self) -> bool:
        return self.team_id is not None

    @property
    def has_fee(self) -> bool:
        return self.fee_amount is not None or self.fee_coins is not None

    @property
    def registrant_id(self) -> int | None:
        """Who acts for the registration: the solo player, or the team's current captain."""
        if self.team_id is not None:
            return self.team.captain_id if self.team is not None else None
        return self.user_id

    @property
    def member_ids(self) -> list[int]:
        return [m.user_id for m in self.members]

    @property
    def latest_payment(self) -> Payment | None:
        return self.payments[-1] if self.payments else None


class RegistrationMember(Model):
    """A player (or substitute) listed on a registration; solo registrations list one."""

    __tablename__ = "registration_members"
    __table_args__ = (
        sa.UniqueConstraint("registration_id", "user_id"),
        sa.Index(
            "uq_registration_members_active_tournament_id_user_id",
            "tournament_id",
            "user_id",
            unique=True,
            sqlite_where=_ACTIVE_MEMBER,
            postgresql_where=_ACTIVE_MEMBER,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # Copied from the registration: "one active roster per player" is a unique index on it.
    tournament_id: Mapped[int] = mapped_column(sa.ForeignKey("tournaments.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    role: Mapped[MemberRole] = mapped_column(enum_type(MemberRole), nullable=False)
    # Follows the registration's status (active = pending, confirmed or waitlisted).
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    registration: Mapped[Registration] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")

    def __str__(self) -> str:
        return str(self.user)

    def __repr__(self) -> str:
        return f"<RegistrationMember reg={self.registration_id} user={self.user_id} {self.role}>"


class Payment(Model):
    """One manual payment submission (bKash, Nagad, Rocket, bank transfer) for a registration.

    `sender_number` is personal data: only the registrant, the tournament's organizers and
    staff ever see it.
    """

    __tablename__ = "registration_payments"
    __table_args__ = (
        sa.Index(
            "uq_registration_payments_method_transaction_id",
            "method",
            "transaction_id",
            unique=True,
            sqlite_where=_LIVE_SUBMISSION,
            postgresql_where=_LIVE_SUBMISSION,
        ),
        sa.Index("ix_registration_payments_tournament_id_status", "tournament_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    tournament_id: Mapped[int] = mapped_column(sa.ForeignKey("tournaments.id"), nullable=False)
    method: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    sender_number: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    # Stored upper-cased and trimmed, so uniqueness ignores case.
    transaction_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    proof_key: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_type(SubmissionStatus), nullable=False, default=SubmissionStatus.SUBMITTED
    )
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str | None] = mapped_column(sa.Text)

    registration: Mapped[Registration] = relationship(back_populates="payments")

    def __str__(self) -> str:
        return f"Payment #{self.id} for registration #{self.registration_id}"

    def __repr__(self) -> str:
        return f"<Payment {self.id} reg={self.registration_id} {self.method} {self.status}>"
