"""The dashboard's figures, each an aggregate query (GROUP BY in SQL, never a loop over rows),
and the participants list as a Select.

Definitions (the API documents them too):

* An organizer's tournaments: owned or co-organized, not deleted (drafts included).
* Participants: `entries` = confirmed registrations (a team is one); `total` = the players on
  them (roster places, a person once per tournament); `unique` = distinct people overall.
* Revenue: cash = fee snapshots of registrations whose manual payment is `verified` (refunded
  ones are `refunded`, so not counted), summed per currency; coins = the coin entry fees that
  reached the tournaments' escrows (the economy ledger) minus their refunds (net): a fee
  debited from a player but never held counts for nothing.
* Escrow (coins, over the tournaments' escrows): the balance held now, the entry fees and the
  organizer-funded prize pools that went in, the prizes paid out of them, the platform fee and
  the settlement to the organizers (`payouts.escrow.figures_of`).
* Fill rate: places held (pending + confirmed, capped at capacity) / capacity, over the
  tournaments that are neither drafts nor cancelled.
* Health: pending payments are manual submissions awaiting verification (count, oldest age);
  check-in rate = checked in / (confirmed + no-shows), as no-shows were confirmed players who
  did not check in. Rates have 4 places and are None when there is nothing to divide by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from deltacrown.accounts.queries import get_user
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.extensions import db
from deltacrown.organizer import match_figures, policies
from deltacrown.organizer.issues import Issue, find_issues
from deltacrown.payouts.escrow import figures_of as escrow_figures
from deltacrown.registrations.models import (
    HOLDING_STATUSES,
    Payment,
    PaymentStatus,
    Registration,
    RegistrationMember,
    RegistrationStatus,
    SubmissionStatus,
)
from deltacrown.tournaments import policies as tournament_policies
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.discovery import organized_by
from deltacrown.tournaments.models import FINISHED, Tournament, TournamentStatus

R = RegistrationStatus
UPCOMING_LIMIT = 5


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return round(self.part / self.whole, 4) if self.whole else None


@dataclass(frozen=True)
class CashTotal:
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class Revenue:
    cash: list[CashTotal]
    coins: int


@dataclass(frozen=True)
class EscrowFigures:
    balance: int
    entry_fees: int
    prize_pools: int
    prizes_paid: int
    platform_fee: int
    settled: int


@dataclass(frozen=True)
class Participants:
    entries: int
    total: int
    unique: int


@dataclass(frozen=True)
class UpcomingStarts:
    next_7_days: int
    next_30_days: int
    next: list[Tournament]


@dataclass(frozen=True)
class DashboardStats:
    organizer_id: int
    tournaments: int
    by_status: dict[str, int]
    participants: Participants
    revenue: Revenue
    fill: Rate
    upcoming: UpcomingStarts
    escrow: EscrowFigures


@dataclass(frozen=True)
class PendingPayments:
    count: int
    oldest_submitted_at: datetime | None
    oldest_age_seconds: int | None


@dataclass(frozen=True)
class TournamentHealth:
    tournament: Tournament
    registrations: dict[str, int]  # per registration status, every status present
    held: int
    pending_payments: PendingPayments
    awaiting_payment: int
    check_in: Rate
    no_shows: int
    open_disputes: int
    matches_overdue: int
    completion_rate: float | None
    escrow: EscrowFigures = field(default_factory=lambda: EscrowFigures(0, 0, 0, 0, 0, 0))
    issues: list[Issue] = field(default_factory=list)

    @property
    def fill(self) -> Rate:
        return Rate(
            min(self.held, self.tournament.max_participants), self.tournament.max_participants
        )


# ----- an organizer's tournaments ------------------------------------------------------------
def organizer_tournament_ids(organizer_id: int) -> sa.Select[tuple[int]]:
    return sa.select(Tournament.id).where(
        Tournament.deleted_at.is_(None), organized_by(organizer_id)
    )


def _count_by_status(ids: Any) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Tournament.status, sa.func.count())
        .where(Tournament.id.in_(ids))
        .group_by(Tournament.status)
    ).all()
    counts = {status.value: 0 for status in TournamentStatus}
    counts.update({TournamentStatus(status).value: int(n) for status, n in rows})
    return counts


def _participants(ids: Any) -> Participants:
    row = db.session.execute(
        sa.select(
            sa.func.count(sa.distinct(Registration.id)),
            sa.func.count(RegistrationMember.id),
            sa.func.count(sa.distinct(RegistrationMember.user_id)),
        )
        .select_from(Registration)
        .outerjoin(RegistrationMember, RegistrationMember.registration_id == Registration.id)
        .where(Registration.tournament_id.in_(ids), Registration.status == R.CONFIRMED)
    ).one()
    return Participants(int(row[0]), int(row[1]), int(row[2]))


def _revenue(ids: Any, escrow: EscrowFigures) -> Revenue:
    cash_rows = db.session.execute(
        sa.select(Registration.fee_currency, sa.func.sum(Registration.fee_amount))
        .where(
            Registration.tournament_id.in_(ids),
            Registration.payment_status == PaymentStatus.VERIFIED,
            Registration.fee_amount.is_not(None),
        )
        .group_by(Registration.fee_currency)
        .order_by(Registration.fee_currency)
    ).all()
    cash = [
        CashTotal(currency, Decimal(total).quantize(Decimal("0.01")))
        for currency, total in cash_rows
    ]
    return Revenue(cash, escrow.entry_fees)


def _held_per_tournament(ids: Any) -> Any:
    # Counted over the organizer's tournaments only (not grouped over every registration).
    return (
        sa.select(Registration.tournament_id, sa.func.count().label("held"))
        .where(Registration.tournament_id.in_(ids), Registration.status.in_(HOLDING_STATUSES))
        .group_by(Registration.tournament_id)
        .subquery("held_places")
    )


def _fill(ids: Any) -> Rate:
    held = _held_per_tournament(ids)
    taken = sa.func.coalesce(held.c.held, 0)
    capped = sa.case(
        (taken > Tournament.max_participants, Tournament.max_participants), else_=taken
    )
    row = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(capped), 0),
            sa.func.coalesce(sa.func.sum(Tournament.max_participants), 0),
        )
        .select_from(Tournament)
        .outerjoin(held, held.c.tournament_id == Tournament.id)
        .where(
            Tournament.id.in_(ids),
            Tournament.status.not_in((TournamentStatus.DRAFT, TournamentStatus.CANCELLED)),
        )
    ).one()
    return Rate(int(row[0]), int(row[1]))


def _upcoming(ids: Any, now: datetime) -> UpcomingStarts:
    ahead = sa.and_(
        Tournament.id.in_(ids), Tournament.status.not_in(FINISHED), Tournament.start_at >= now
    )
    week, month = now + timedelta(days=7), now + timedelta(days=30)
    counts = db.session.execute(
        sa.select(
            sa.func.count(sa.case((Tournament.start_at <= week, Tournament.id))),
            sa.func.count(sa.case((Tournament.start_at <= month, Tournament.id))),
        ).where(ahead)
    ).one()
    soonest = db.session.scalars(
        sa.select(Tournament)
        .where(ahead)
        .options(lazyload(Tournament.organizer_links))
        .order_by(Tournament.start_at, Tournament.id)
        .limit(UPCOMING_LIMIT)
    ).all()
    return UpcomingStarts(int(counts[0]), int(counts[1]), list(soonest))


def dashboard_stats(organizer_id: int, *, now: datetime) -> DashboardStats:
    """Every figure over the organizer's tournaments (constant number of aggregate queries)."""
    # Their ids read once: each figure then looks its rows up by tournament id through an
    # index, instead of joining the union of owned and co-organized tournaments again.
    ids = list(db.session.scalars(organizer_tournament_ids(organizer_id)))
    by_status = _count_by_status(ids)
    escrow = EscrowFigures(**escrow_figures(ids))
    return DashboardStats(
        organizer_id=organizer_id,
        tournaments=sum(by_status.values()),
        by_status=by_status,
        participants=_participants(ids),
        revenue=_revenue(ids, escrow),
        fill=_fill(ids),
        upcoming=_upcoming(ids, now),
        escrow=escrow,
    )


# ----- one tournament ------------------------------------------------------------------------
def _registration_figures(tournament_id: int) -> tuple[dict[str, int], int, int]:
    """Registrations per status, how many await a player's payment, how many checked in."""
    rows = db.session.execute(
        sa.select(
            Registration.status,
            sa.func.count(),
            sa.func.count(
                sa.case(
                    (
                        sa.and_(
                            Registration.status == R.PENDING,
                            Registration.payment_status == PaymentStatus.AWAITING,
                        ),
                        Registration.id,
                    )
                )
            ),
            sa.func.count(Registration.checked_in_at),
        )
        .where(Registration.tournament_id == tournament_id)
        .group_by(Registration.status)
    ).all()
    by_status = {status.value: 0 for status in RegistrationStatus}
    awaiting = checked_in = 0
    for status, n, awaiting_n, checked_n in rows:
        status = RegistrationStatus(status)
        by_status[status.value] = int(n)
        awaiting += int(awaiting_n)
        if status == R.CONFIRMED:
            checked_in = int(checked_n)
    return by_status, awaiting, checked_in


def _pending_payments(tournament_id: int, now: datetime) -> PendingPayments:
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(Payment.submitted_at)).where(
            Payment.tournament_id == tournament_id, Payment.status == SubmissionStatus.SUBMITTED
        )
    ).one()
    # min() keeps the column's type, so `oldest` is an aware UTC datetime on both databases.
    age = int((now - oldest).total_seconds()) if oldest is not None else None
    return PendingPayments(int(count), oldest, age)


def tournament_health(tournament: Tournament, *, now: datetime) -> TournamentHealth:
    """The tournament's figures and the issues that need its organizers' attention."""
    by_status, awaiting, checked_in = _registration_figures(tournament.id)
    no_shows = by_status[R.NO_SHOW.value]
    ids = [tournament.id]
    health = TournamentHealth(
        tournament=tournament,
        registrations=by_status,
        held=sum(by_status[s.value] for s in HOLDING_STATUSES),
        pending_payments=_pending_payments(tournament.id, now),
        awaiting_payment=awaiting,
        check_in=Rate(checked_in, by_status[R.CONFIRMED.value] + no_shows),
        no_shows=no_shows + match_figures.match_no_shows(ids),
        open_disputes=match_figures.open_disputes(ids),
        matches_overdue=match_figures.overdue_matches(ids, now=now),
        completion_rate=match_figures.completion_rate(ids),
        escrow=EscrowFigures(**escrow_figures(ids)),
    )
    health.issues.extend(find_issues(health, now=now))
    return health


# ----- entry points (with their permission checks) -------------------------------------------
def stats_for(actor: Any, *, organizer_id: int | None, now: datetime) -> DashboardStats:
    """The actor's own figures, or (staff) those of `organizer_id`.

    Raises PermissionDeniedError (another organizer's, not staff), UserNotFoundError (no such
    user).
    """
    target = organizer_id if organizer_id is not None else actor.id
    if not policies.can_view_dashboard_of(actor, target):
        raise PermissionDeniedError("Only staff may see another organizer's dashboard.")
    if target != actor.id:
        get_user(target, active_only=False)
    return dashboard_stats(target, now=now)


def managed_tournament(actor: Any, tournament_id: int) -> Tournament:
    """A tournament the actor organizes (or staff): TournamentNotFoundError when they may not
    see it, PermissionDeniedError when they may see but not manage it."""
    tournament = tournament_queries.get_visible_tournament(tournament_id, actor)
    if not tournament_policies.can_manage(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff see this.")
    return tournament


# ----- participants --------------------------------------------------------------------------
def list_participants(tournament_id: int, filters: dict[str, Any]) -> sa.Select[Any]:
    """A tournament's registrations with their player or team, filtered, in registration
    order (`ordering=-created_at`: newest first)."""
    query = (
        sa.select(Registration)
        .where(Registration.tournament_id == tournament_id)
        .options(
            joinedload(Registration.user),
            joinedload(Registration.team),
            lazyload(Registration.members),
        )
    )
    if filters.get("status"):
        query = query.where(Registration.status.in_(filters["status"]))
    if filters.get("payment_status"):
        query = query.where(Registration.payment_status.in_(filters["payment_status"]))
    if filters.get("checked_in") is not None:
        checked = Registration.checked_in_at.is_not(None)
        query = query.where(checked if filters["checked_in"] else sa.not_(checked))
    if filters.get("participant_type") == "team":
        query = query.where(Registration.team_id.is_not(None))
    elif filters.get("participant_type") == "solo":
        query = query.where(Registration.team_id.is_(None))
    if filters.get("ordering") == "-created_at":
        return query.order_by(Registration.created_at.desc(), Registration.id.desc())
    return query.order_by(Registration.created_at, Registration.id)
