"""What the platform owes each organizer in cash: the staff desk's organizer payable balances.

Cash entry fees are paid to the platform by hand (bKash, Nagad, bank) and verified by staff;
cash prize pools are only declared (nothing is held). Per organizer (a tournament's owner) and
currency:

* `fees_verified`: the amounts of the verified manual payments of their tournaments'
  registrations;
* `refunds_done`: of those, the ones staff paid back by hand (the registration's refund marked
  done);
* `platform_fee`: `PLATFORM_FEE_PERCENT` of what is left, rounded down to the cent (as the coin
  escrow rounds down to the coin);
* `payable` = fees_verified - refunds_done - platform_fee: what the platform owes the organizer;
* beside it, `prize_pools_declared` (the cash pools of their tournaments that are not
  cancelled) and `prizes_paid` (their tournaments' cash payouts marked paid on the desk).

Three grouped aggregate queries and one for the usernames, whatever the number of organizers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from deltacrown.accounts.models import User
from deltacrown.extensions import db
from deltacrown.payouts.models import Payout, PayoutKind, PayoutStatus
from deltacrown.registrations.models import Payment, Registration, SubmissionStatus
from deltacrown.tournaments.models import Tournament, TournamentStatus

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OrganizerBalance:
    organizer_id: int
    username: str
    currency: str
    fees_verified: Decimal
    refunds_done: Decimal
    platform_fee: Decimal
    payable: Decimal
    prize_pools_declared: Decimal
    prizes_paid: Decimal


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def platform_fee_percent() -> int:
    return max(0, min(int(current_app.config.get("PLATFORM_FEE_PERCENT", 0) or 0), 100))


def cash_platform_fee(net: Decimal) -> Decimal:
    """The platform's share of net cash fees, rounded down to the cent (never negative)."""
    if net <= 0:
        return ZERO
    return (net * platform_fee_percent() / 100).quantize(CENT, rounding=ROUND_DOWN)


def _filtered(query: sa.Select[Any], currency_column: Any, filters: dict[str, Any]) -> Any:
    if filters.get("organizer") is not None:
        query = query.where(Tournament.organizer_id == filters["organizer"])
    if filters.get("currency"):
        query = query.where(currency_column == filters["currency"].upper())
    return query


def _fees(filters: dict[str, Any]) -> list[Any]:
    refunded = sa.case((Registration.refunded_at.is_not(None), Payment.amount), else_=0)
    query = (
        sa.select(
            Tournament.organizer_id,
            Payment.currency,
            sa.func.sum(Payment.amount),
            sa.func.sum(refunded),
        )
        .join(Registration, Registration.id == Payment.registration_id)
        .join(Tournament, Tournament.id == Registration.tournament_id)
        .where(Payment.status == SubmissionStatus.VERIFIED)
        .group_by(Tournament.organizer_id, Payment.currency)
    )
    return list(db.session.execute(_filtered(query, Payment.currency, filters)))


def _pools(filters: dict[str, Any]) -> list[Any]:
    query = (
        sa.select(
            Tournament.organizer_id, Tournament.prize_currency, sa.func.sum(Tournament.prize_amount)
        )  # fmt: skip
        .where(
            Tournament.prize_amount.is_not(None),
            Tournament.deleted_at.is_(None),
            Tournament.status != TournamentStatus.CANCELLED,
        )
        .group_by(Tournament.organizer_id, Tournament.prize_currency)
    )
    return list(db.session.execute(_filtered(query, Tournament.prize_currency, filters)))


def _prizes_paid(filters: dict[str, Any]) -> list[Any]:
    query = (
        sa.select(Tournament.organizer_id, Payout.currency, sa.func.sum(Payout.amount))
        .join(Tournament, Tournament.id == Payout.tournament_id)
        .where(Payout.kind == PayoutKind.CASH, Payout.status == PayoutStatus.PAID)
        .group_by(Tournament.organizer_id, Payout.currency)
    )
    return list(db.session.execute(_filtered(query, Payout.currency, filters)))


def organizer_balances(
    *, currency: str | None = None, organizer: int | None = None
) -> list[OrganizerBalance]:
    """Every (organizer, currency) with cash fees, a declared cash pool or a cash prize paid,
    ordered by currency then organizer id; filters: currency, organizer (a user id)."""
    filters = {"currency": currency, "organizer": organizer}
    figures: dict[tuple[int, str], dict[str, Decimal]] = {}

    def add(rows: list[Any], *names: str) -> None:
        for organizer_id, row_currency, *amounts in rows:
            entry = figures.setdefault((organizer_id, row_currency), {})
            for name, amount in zip(names, amounts, strict=True):
                entry[name] = _money(amount)

    add(_fees(filters), "fees_verified", "refunds_done")
    add(_pools(filters), "prize_pools_declared")
    add(_prizes_paid(filters), "prizes_paid")
    user_ids = sorted({organizer_id for organizer_id, _ in figures})
    names: dict[int, str] = {}
    if user_ids:
        rows = db.session.execute(sa.select(User.id, User.username).where(User.id.in_(user_ids)))
        names = {user_id: username for user_id, username in rows}
    balances = []
    ordered = sorted(figures.items(), key=lambda item: (item[0][1], item[0][0]))
    for (organizer_id, row_currency), entry in ordered:
        fees, refunds = entry.get("fees_verified", ZERO), entry.get("refunds_done", ZERO)
        fee = cash_platform_fee(fees - refunds)
        balances.append(
            OrganizerBalance(
                organizer_id=organizer_id,
                username=names.get(organizer_id, ""),
                currency=row_currency,
                fees_verified=fees,
                refunds_done=refunds,
                platform_fee=fee,
                payable=fees - refunds - fee,
                prize_pools_declared=entry.get("prize_pools_declared", ZERO),
                prizes_paid=entry.get("prizes_paid", ZERO),
            )
        )
    return balances


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    organizers: int
    fees_verified: Decimal
    refunds_done: Decimal
    platform_fee: Decimal
    payable: Decimal
    prize_pools_declared: Decimal
    prizes_paid: Decimal


def totals_by_currency(balances: list[OrganizerBalance]) -> list[CurrencyTotal]:
    """The balances summed per currency (for the desk page's totals)."""
    grouped: dict[str, list[OrganizerBalance]] = {}
    for balance in balances:
        grouped.setdefault(balance.currency, []).append(balance)
    fields = ("fees_verified", "refunds_done", "platform_fee", "payable",
              "prize_pools_declared", "prizes_paid")  # fmt: skip
    return [
        CurrencyTotal(
            currency,
            len(rows),
            *(sum((getattr(row, name) for row in rows), ZERO) for name in fields),
        )
        for currency, rows in sorted(grouped.items())
    ]
