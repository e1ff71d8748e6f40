"""Read side of payouts: lists for the tournament, the player and the staff desk, and the facts
the plan is computed from (placements, rosters, seeds)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.brackets.models import Stage, TournamentResult
from deltacrown.extensions import db
from deltacrown.payouts.errors import PayoutMethodNotFoundError, PayoutNotFoundError
from deltacrown.payouts.models import (
    LIVE_STATUSES,
    Payout,
    PayoutKind,
    PayoutMethod,
    PayoutStatus,
)
from deltacrown.registrations.models import Registration, RegistrationMember
from deltacrown.teams.models import Team


def get_payout(payout_id: int, *, for_update: bool = False) -> Payout:
    query = sa.select(Payout).where(Payout.id == payout_id)
    if for_update:
        query = query.with_for_update(of=Payout).execution_options(populate_existing=True)
    payout = db.session.scalars(query).first()
    if payout is None:
        raise PayoutNotFoundError(f"No payout {payout_id}.")
    return payout


def payouts_of(tournament_id: int) -> list[Payout]:
    return list(
        db.session.scalars(
            sa.select(Payout)
            .where(Payout.tournament_id == tournament_id)
            .order_by(Payout.placement, Payout.registration_id, Payout.user_id)
        )
    )


def list_for_tournament(tournament_id: int) -> sa.Select[tuple[Payout]]:
    return (
        sa.select(Payout)
        .where(Payout.tournament_id == tournament_id, Payout.status.in_(LIVE_STATUSES))
        .order_by(Payout.placement, Payout.id)
    )


def list_for_user(user_id: int) -> sa.Select[tuple[Payout]]:
    return sa.select(Payout).where(Payout.user_id == user_id).order_by(Payout.id.desc())


def list_for_desk(
    *,
    status: PayoutStatus | None = None,
    kind: PayoutKind | None = None,
    tournament: int | None = None,
    currency: str | None = None,
) -> sa.Select[tuple[Payout]]:
    query = sa.select(Payout).order_by(Payout.id)
    if status is not None:
        query = query.where(Payout.status == status)
    if kind is not None:
        query = query.where(Payout.kind == kind)
    if tournament is not None:
        query = query.where(Payout.tournament_id == tournament)
    if currency is not None:
        query = query.where(Payout.currency == currency.upper())
    return query


def pending_coin_payouts(tournament_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Payout.id).where(
                Payout.tournament_id == tournament_id,
                Payout.kind == PayoutKind.COINS,
                Payout.status == PayoutStatus.PENDING,
            )
        )
    )


def methods_of(user_id: int) -> list[PayoutMethod]:
    return list(
        db.session.scalars(
            sa.select(PayoutMethod).where(PayoutMethod.user_id == user_id).order_by(PayoutMethod.id)
        )
    )


def methods_by_user(user_ids: list[int]) -> dict[int, list[PayoutMethod]]:
    found: dict[int, list[PayoutMethod]] = {}
    if user_ids:
        for method in db.session.scalars(
            sa.select(PayoutMethod)
            .where(PayoutMethod.user_id.in_(user_ids))
            .order_by(PayoutMethod.id)
        ):
            found.setdefault(method.user_id, []).append(method)
    return found


def get_method(user_id: int, method_id: int) -> PayoutMethod:
    method = db.session.get(PayoutMethod, method_id)
    if method is None or method.user_id != user_id:
        raise PayoutMethodNotFoundError(f"No payout method {method_id}.")
    return method


# ----- plan facts ----------------------------------------------------------------------------
def placements(tournament_id: int) -> list[TournamentResult]:
    return list(
        db.session.scalars(
            sa.select(TournamentResult)
            .where(TournamentResult.tournament_id == tournament_id)
            .order_by(TournamentResult.placement, TournamentResult.id)
        )
    )


def seed_ranks(tournament_id: int) -> dict[int, int]:
    """Registration id -> seed number in the first stage (1 = best)."""
    seeds = db.session.scalar(
        sa.select(Stage.seeds).where(Stage.tournament_id == tournament_id).order_by(Stage.number)
    )
    return {int(rid): index for index, rid in enumerate(seeds or [], start=1) if rid is not None}


def recipients(registration_ids: list[int]) -> dict[int, tuple[tuple[int, ...], int]]:
    """Registration id -> (the users paid for it, who gets the remainder): a solo player, or
    a team's active roster (players then substitutes, by id) and the team's captain. A
    participant without an account (not claimed) has nobody and is left out."""
    found: dict[int, tuple[tuple[int, ...], int]] = {}
    if not registration_ids:
        return found
    rows: list[Any] = list(
        db.session.execute(
            sa.select(Registration.id, Registration.user_id, Team.captain_id)
            .outerjoin(Team, Team.id == Registration.team_id)
            .where(Registration.id.in_(registration_ids))
        )
    )
    rosters: dict[int, list[int]] = {}
    for registration_id, user_id in db.session.execute(
        sa.select(RegistrationMember.registration_id, RegistrationMember.user_id)
        .where(
            RegistrationMember.registration_id.in_(registration_ids),
            RegistrationMember.is_active.is_(True),
        )
        .order_by(RegistrationMember.id)
    ):
        rosters.setdefault(registration_id, []).append(user_id)
    for registration_id, user_id, captain_id in rows:
        if user_id is None and captain_id is None:
            continue  # a participant without an account: nobody to pay until it is claimed
        if user_id is not None:
            found[registration_id] = ((user_id,), user_id)
        else:
            members = tuple(rosters.get(registration_id, ())) or (captain_id,)
            found[registration_id] = (members, captain_id)
    return found


# ----- the cash desk -------------------------------------------------------------------------
def pending_cash() -> list[Payout]:
    return list(
        db.session.scalars(
            sa.select(Payout)
            .where(Payout.kind == PayoutKind.CASH, Payout.status == PayoutStatus.PENDING)
            .order_by(Payout.currency, Payout.id)
            .limit(500)
        )
    )


def pending_cash_totals() -> list[tuple[str, int, Any]]:
    """(currency, how many, total) of pending cash payouts."""
    rows = db.session.execute(
        sa.select(Payout.currency, sa.func.count(), sa.func.sum(Payout.amount))
        .where(Payout.kind == PayoutKind.CASH, Payout.status == PayoutStatus.PENDING)
        .group_by(Payout.currency)
        .order_by(Payout.currency)
    )
    return [(currency, int(count), total) for currency, count, total in rows]
