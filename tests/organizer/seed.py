"""Rows for the dashboard and discovery tests, written directly (inside an app context).

The dashboard reads aggregates over registrations, payments and the ledger; these helpers
build exactly the rows a scenario needs so the expected figures can be computed by hand.
Coin fees go through the economy services, so the ledger stays consistent.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from deltacrown.core.time import utcnow
from deltacrown.economy import services as economy
from deltacrown.economy.models import TransactionKind
from deltacrown.extensions import db
from deltacrown.registrations.models import (
    MemberRole,
    Payment,
    PaymentStatus,
    Registration,
    RegistrationMember,
    RegistrationStatus,
    SubmissionStatus,
)
from deltacrown.teams.models import Team

_ACTIVE = ("pending", "confirmed", "waitlisted")


def add_team(captain_id: int, name: str, tag: str, *, game_id: int = 1) -> Team:
    team = Team(
        game_id=game_id,
        name=name,
        name_key=name.lower(),
        tag=tag,
        slug=name.lower().replace(" ", "-"),
        captain_id=captain_id,
        is_active=True,
    )
    db.session.add(team)
    db.session.flush()
    return team


def add_registration(
    tournament_id: int,
    *,
    user_id: int | None = None,
    team_id: int | None = None,
    members: list[int] | None = None,
    status: str = "confirmed",
    payment_status: str = "not_required",
    fee_amount: str | None = None,
    fee_currency: str | None = None,
    fee_coins: int | None = None,
    payment_method: str | None = None,
    checked_in_at: datetime | None = None,
    created_at: datetime | None = None,
    waitlist_position: int | None = None,
) -> Registration:
    """A solo (`user_id`) or team (`team_id` + `members`) registration with its roster rows."""
    roster = members if members is not None else [user_id]
    registration = Registration(
        tournament_id=tournament_id,
        user_id=user_id,
        team_id=team_id,
        registered_by_id=roster[0],
        status=RegistrationStatus(status),
        payment_status=PaymentStatus(payment_status),
        fee_amount=Decimal(fee_amount) if fee_amount is not None else None,
        fee_currency=fee_currency,
        fee_coins=fee_coins,
        payment_method=payment_method,
        checked_in_at=checked_in_at,
        waitlist_position=waitlist_position if status != "waitlisted" else waitlist_position or 1,
        answers={},
        created_at=created_at or utcnow(),
    )
    db.session.add(registration)
    db.session.flush()
    for member_id in roster:
        db.session.add(
            RegistrationMember(
                registration_id=registration.id,
                tournament_id=tournament_id,
                user_id=member_id,
                role=MemberRole.PLAYER,
                is_active=status in _ACTIVE,
            )
        )
    db.session.flush()
    return registration


def pay_coins(registration: Registration, coins: int) -> Any:
    """Give the registrant the coins, then debit them as the entry fee into the tournament's
    escrow (as registration does)."""
    payer = registration.registered_by_id
    economy.credit(payer, coins, kind=TransactionKind.DEPOSIT, key=f"seed:{registration.id}")
    entry = economy.debit(
        payer,
        coins,
        kind=TransactionKind.ENTRY_FEE,
        key=f"entry_fee:reg:{registration.id}",
        reference=("registrations", registration.id),
    )
    economy.credit_account(
        economy.escrow_account(registration.tournament_id),
        coins,
        kind=TransactionKind.ESCROW_IN,
        key=f"escrow_in:reg:{registration.id}",
        reference=("registrations", registration.id),
    )
    registration.coin_transaction_id = entry.id
    registration.fee_coins = coins
    registration.payment_status = PaymentStatus.VERIFIED
    registration.payment_method = "deltacoin"
    db.session.flush()
    return entry


def submit_payment(
    registration: Registration,
    *,
    submitted_at: datetime,
    status: str = "submitted",
    transaction_id: str | None = None,
) -> Payment:
    payment = Payment(
        registration_id=registration.id,
        tournament_id=registration.tournament_id,
        method="bkash",
        sender_number="01700000000",
        transaction_id=transaction_id or f"TX{registration.id}",
        amount=registration.fee_amount or Decimal("100.00"),
        currency=registration.fee_currency or "BDT",
        status=SubmissionStatus(status),
        submitted_by_id=registration.registered_by_id,
        submitted_at=submitted_at,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def refund_coins(registration: Registration, entry: Any) -> None:
    """Give a coin fee back out of the escrow (as registration does when a player leaves)."""
    refund = economy.refund(entry.id)
    economy.debit_account(
        economy.escrow_account(registration.tournament_id),
        refund.amount,
        kind=TransactionKind.ESCROW_OUT,
        key=f"escrow_out:reg:{registration.id}",
        reference=("registrations", registration.id),
    )
