"""Payout (one per placement per recipient) and PayoutMethod (how a player is paid cash).

A payout's status moves only through `TRANSITIONS`, by `payouts.services`; the unique
`(tournament_id, placement, registration_id, user_id)` among live payouts (pending, paid,
failed) makes creation idempotent under races (two workers, a retried task and the
organizer's POST all meet at this index); a result correction retires payouts (cancelled,
reversed, clawback_due), after which the same placement may be due again.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.accounts.models import User
from deltacrown.core.db import TimestampMixin, UTCDateTime, enum_type
from deltacrown.core.errors import InvalidTransitionError
from deltacrown.extensions import Model


class PayoutStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"  # not paid, and no longer due (a result correction)
    REVERSED = "reversed"  # paid in coins, no longer due, and debited back
    CLAWBACK_DUE = "clawback_due"  # paid, no longer due, not recovered: for staff


# Payouts that are (or were rightly) due; the others are history kept for the record.
LIVE_STATUSES = ("pending", "paid", "failed")
_LIVE_SQL = sa.text("status IN ('pending', 'paid', 'failed')")


class PayoutKind(enum.StrEnum):
    COINS = "coins"  # credited to the DeltaCoin wallet by the payout task
    CASH = "cash"  # paid by staff outside the system, marked paid with a reference


class PayoutMethodKind(enum.StrEnum):
    BKASH = "bkash"
    NAGAD = "nagad"
    ROCKET = "rocket"
    BANK = "bank"
    PAYPAL = "paypal"


S = PayoutStatus
TRANSITIONS: frozenset[tuple[PayoutStatus, PayoutStatus]] = frozenset(
    {
        (S.PENDING, S.PAID),
        (S.PENDING, S.FAILED),
        (S.PENDING, S.CANCELLED),
        (S.FAILED, S.PENDING),  # retry
        (S.FAILED, S.PAID),  # staff paid it by hand after all
        (S.FAILED, S.CANCELLED),
        (S.PAID, S.REVERSED),  # a correction took it back from the wallet
        (S.PAID, S.CLAWBACK_DUE),  # a correction could not take it back
        (S.CLAWBACK_DUE, S.REVERSED),  # recovered after all
    }
)


class Payout(TimestampMixin, Model):
    __tablename__ = "payouts"
    __table_args__ = (
        sa.Index(
            "uq_payouts_live_tournament_id_placement_registration_id_user_id",
            "tournament_id",
            "placement",
            "registration_id",
            "user_id",
            unique=True,
            sqlite_where=_LIVE_SQL,
            postgresql_where=_LIVE_SQL,
        ),
        sa.CheckConstraint(
            "(kind = 'coins' AND coins > 0 AND amount IS NULL AND currency IS NULL)"
            " OR (kind = 'cash' AND coins IS NULL AND amount > 0 AND currency IS NOT NULL)",
            name="amount_matches_kind",
        ),
        sa.Index("ix_payouts_status_kind", "status", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tournaments.id"), nullable=False, index=True
    )
    placement: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    kind: Mapped[PayoutKind] = mapped_column(enum_type(PayoutKind), nullable=False)
    coins: Mapped[int | None] = mapped_column(sa.BigInteger)
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    status: Mapped[PayoutStatus] = mapped_column(
        enum_type(PayoutStatus), nullable=False, default=PayoutStatus.PENDING
    )
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    # The economy ledger row of a coin payout (a plain id: the ledger belongs to economy).
    transaction_id: Mapped[int | None] = mapped_column(sa.Integer)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    notes: Mapped[str | None] = mapped_column(sa.String(500))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    def __str__(self) -> str:
        return f"Payout #{self.id} (place {self.placement})"

    def __repr__(self) -> str:
        return f"<Payout {self.id} t={self.tournament_id} #{self.placement} {self.status}>"

    def move_to(self, target: PayoutStatus) -> None:
        if (self.status, target) not in TRANSITIONS:
            raise InvalidTransitionError(
                f"A payout cannot go from {self.status.value} to {target.value}."
            )
        self.status = target


class PayoutMethod(TimestampMixin, Model):
    """One way a player accepts cash prizes; at most one per method."""

    __tablename__ = "payout_methods"
    __table_args__ = (sa.UniqueConstraint("user_id", "method"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    method: Mapped[PayoutMethodKind] = mapped_column(enum_type(PayoutMethodKind), nullable=False)
    account: Mapped[str] = mapped_column(sa.String(100), nullable=False)

    def __str__(self) -> str:
        return f"Payout method #{self.id}"

    def __repr__(self) -> str:
        return f"<PayoutMethod {self.id} user={self.user_id} {self.method}>"
