"""A tournament's analytics for its organizers and an organizer's over their tournaments.

Each answer is a constant number of aggregate queries: the figures row (summary or live,
`summary.py`), then the series and the per-currency sums, which are always read live (one
indexed GROUP BY each, on the tournament's own rows). Rates have 4 decimal places and are 0
when there is nothing to divide by; durations are in minutes (4 places).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app

from deltacrown.analytics import summary
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.economy.analytics import bucket_expression
from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.organizer import policies as organizer_policies
from deltacrown.organizer.queries import managed_tournament
from deltacrown.payouts.models import Payout, PayoutKind, PayoutStatus
from deltacrown.registrations.models import PaymentStatus, Registration
from deltacrown.tournaments.models import Tournament, TournamentOrganizer, TournamentStatus
from deltacrown.tournaments.rules import COIN_METHOD

log = logging.getLogger(__name__)
T = TypeVar("T")
CENTS = Decimal("0.01")
MAX_RANGE_DAYS = 3660
SUMMED = (
    "registrations", "total_participants", "checked_in_count", "no_show_count", "total_matches",
    "completed_matches", "disputed_matches", "timed_matches", "match_seconds_total",
    "coin_entry_fees", "coin_refunds", "payout_count", "prize_coins_paid",
)  # fmt: skip


def timed(name: str, func: Callable[[], T]) -> T:
    """Run `func`, logging a warning when it takes longer than ANALYTICS_SLOW_MS."""
    started = time.perf_counter()
    result = func()
    elapsed_ms = (time.perf_counter() - started) * 1000
    if elapsed_ms > int(current_app.config.get("ANALYTICS_SLOW_MS", 500)):
        log.warning("analytics: %s took %.0f ms", name, elapsed_ms)
    return result


def rate(part: Any, whole: Any) -> float:
    return round(float(part) / float(whole), 4) if whole else 0.0


def minutes(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 60, 4)


def money(value: Any) -> str:
    return str(Decimal(value or 0).quantize(CENTS))


# ----- figures from a row (one tournament, or sums over several) ------------------------------
def core_figures(row: Any) -> dict[str, Any]:
    """The 5.14 metrics and the rates derived from a figures row (or a row of sums)."""
    confirmed_or_absent = row.total_participants + row.no_show_count
    return {
        "registrations": int(row.registrations),
        "total_participants": int(row.total_participants),
        "checked_in_count": int(row.checked_in_count),
        "check_in_rate": rate(row.checked_in_count, confirmed_or_absent),
        "no_show_count": int(row.no_show_count),
        "no_show_rate": rate(row.no_show_count, confirmed_or_absent),
        "total_matches": int(row.total_matches),
        "completed_matches": int(row.completed_matches),
        "disputed_matches": int(row.disputed_matches),
        "dispute_rate": rate(row.disputed_matches, row.total_matches),
        "avg_match_duration_minutes": minutes(
            float(row.match_seconds_total) / int(row.timed_matches) if row.timed_matches else None
        ),
        "payout_count": int(row.payout_count),
    }


def _cash_revenue(ids: Any) -> list[dict[str, Any]]:
    r = Registration
    cash = sa.and_(
        sa.or_(r.payment_method.is_(None), r.payment_method != COIN_METHOD),
        r.fee_amount.is_not(None),
    )
    refunded = r.payment_status == PaymentStatus.REFUNDED
    rows = db.session.execute(
        sa.select(
            r.fee_currency,
            sa.func.sum(r.fee_amount),
            sa.func.coalesce(sa.func.sum(sa.case((refunded, r.fee_amount), else_=0)), 0),
        )
        .where(
            r.tournament_id.in_(ids),
            cash,
            r.payment_status.in_((PaymentStatus.VERIFIED, PaymentStatus.REFUNDED)),
        )
        .group_by(r.fee_currency)
        .order_by(r.fee_currency)
    ).all()
    return [
        {
            "currency": currency,
            "entry_fees": money(fees),
            "refunds": money(refunds),
            "net": money(Decimal(fees or 0) - Decimal(refunds or 0)),
        }
        for currency, fees, refunds in rows
    ]


def _cash_prizes(ids: Any) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(Payout.currency, sa.func.sum(Payout.amount))
        .where(
            Payout.tournament_id.in_(ids),
            Payout.status == PayoutStatus.PAID,
            Payout.kind == PayoutKind.CASH,
        )
        .group_by(Payout.currency)
        .order_by(Payout.currency)
    ).all()
    return [{"currency": currency, "amount": money(amount)} for currency, amount in rows]


def _money_figures(row: Any, ids: Any) -> dict[str, Any]:
    coins = int(row.coin_entry_fees)
    refunds = int(row.coin_refunds)
    return {
        "revenue": {
            "cash": _cash_revenue(ids),
            "coins": {"entry_fees": coins, "refunds": refunds, "net": coins - refunds},
        },
        "prizes_paid": {
            "count": int(row.payout_count),
            "coins": int(row.prize_coins_paid),
            "cash": _cash_prizes(ids),
        },
    }


def registrations_by_day(tournament_id: int) -> list[dict[str, Any]]:
    """Registrations created per UTC day (every status), days without any omitted."""
    day = bucket_expression(Registration.created_at, "day", summary.dialect()).label("day")
    rows = db.session.execute(
        sa.select(day, sa.func.count())
        .where(Registration.tournament_id == tournament_id)
        .group_by(day)
        .order_by(day)
    ).all()
    return [{"date": date.fromisoformat(str(d)), "count": int(n)} for d, n in rows]


# ----- one tournament ------------------------------------------------------------------------
def tournament_figures(tournament: Tournament, *, now: datetime) -> dict[str, Any]:
    """Every figure of one tournament (no permission check: the caller checked)."""
    row, freshness = summary.tournament_row(tournament.id, now=now)
    capacity = int(row.max_participants)
    result: dict[str, Any] = {
        "tournament_id": tournament.id,
        "tournament_status": str(row.status),
        "started_at": row.start_at,
        "concluded_at": row.concluded_at,
        **core_figures(row),
        "max_participants": capacity,
        "fill_rate": rate(min(int(row.held), capacity), capacity),
        "median_match_minutes": minutes(row.median_match_seconds),
        "p90_match_minutes": minutes(row.p90_match_seconds),
        "prize_pool_total": money(tournament.prize_amount),
        "prize_pool_currency": tournament.prize_currency,
        "prize_pool_coins": tournament.prize_coins or 0,
        **_money_figures(row, [tournament.id]),
        "registrations_by_day": registrations_by_day(tournament.id),
        "cache": freshness.as_dict(now),
    }
    return result


def tournament_analytics(actor: Any, tournament_id: int, *, now: datetime) -> dict[str, Any]:
    """A tournament's analytics for its organizers and staff.

    Raises TournamentNotFoundError (hidden from the actor), PermissionDeniedError (visible
    but not theirs to manage).
    """
    tournament = managed_tournament(actor, tournament_id)
    return timed(f"tournament {tournament_id}", lambda: tournament_figures(tournament, now=now))


# ----- an organizer's tournaments --------------------------------------------------------------
def _range(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    if date_from and date_to and date_to < date_from:
        raise ValidationError("`to` is before `from`.", errors={"to": ["Must not be before from."]})
    if date_from and date_to and (date_to - date_from).days > MAX_RANGE_DAYS:
        raise ValidationError("At most ten years at a time.", errors={"from": ["Range too long."]})
    begin = datetime.combine(date_from, dtime.min, tzinfo=UTC) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), dtime.min, tzinfo=UTC) if date_to else None
    return begin, end


def organizer_ids(organizer_id: int, begin: datetime | None, end: datetime | None) -> list[int]:
    """The organizer's tournaments (owned or co-organized, not deleted) starting in [begin,
    end), read once: as a list of ids the next queries use the tournament_id indexes (an
    OR with a sub-select would scan the registrations)."""
    in_range: list[sa.ColumnElement[bool]] = [Tournament.deleted_at.is_(None)]
    if begin is not None:
        in_range.append(Tournament.start_at >= begin)
    if end is not None:
        in_range.append(Tournament.start_at < end)
    owned = sa.select(Tournament.id).where(Tournament.organizer_id == organizer_id, *in_range)
    co_organized = (
        sa.select(Tournament.id)
        .join(TournamentOrganizer, TournamentOrganizer.tournament_id == Tournament.id)
        .where(TournamentOrganizer.user_id == organizer_id, *in_range)
    )
    return list(db.session.scalars(sa.union(owned, co_organized)))


def organizer_figures(
    organizer_id: int, *, date_from: date | None, date_to: date | None, now: datetime
) -> dict[str, Any]:
    """Figures summed over the organizer's tournaments starting in [from, to], per game too."""
    ids = organizer_ids(organizer_id, *_range(date_from, date_to))
    source, freshness = summary.rows_source(ids, now=now)
    completed = sa.func.sum(
        sa.case((source.c.status == TournamentStatus.COMPLETED.value, 1), else_=0)
    )
    sums = [sa.func.coalesce(sa.func.sum(source.c[name]), 0).label(name) for name in SUMMED]
    rows = db.session.execute(
        sa.select(
            Game.slug.label("game"),
            sa.func.count().label("tournaments"),
            sa.func.coalesce(completed, 0).label("completed_tournaments"),
            *sums,
        )
        .select_from(source)
        .join(Game, Game.id == source.c.game_id)
        .group_by(Game.slug)
        .order_by(Game.slug)
    ).all()
    sums_row = SimpleNamespace(**{name: sum(getattr(r, name) for r in rows) for name in SUMMED})
    per_game = [
        {
            "game": r.game,
            "tournaments": int(r.tournaments),
            "completed_tournaments": int(r.completed_tournaments),
            **core_figures(r),
        }
        for r in rows
    ]
    return {
        "organizer_id": organizer_id,
        "date_from": date_from,
        "date_to": date_to,
        "tournaments": sum(g["tournaments"] for g in per_game),
        "completed_tournaments": sum(g["completed_tournaments"] for g in per_game),
        **core_figures(sums_row),
        **_money_figures(sums_row, ids),
        "by_game": per_game,
        "dashboard": "/api/organizer/dashboard/stats/",
        "cache": freshness.as_dict(now),
    }


def organizer_analytics(
    actor: Any,
    *,
    organizer_id: int | None,
    date_from: date | None,
    date_to: date | None,
    now: datetime,
) -> dict[str, Any]:
    """The actor's own figures, or (staff) those of `organizer_id`.

    Raises PermissionDeniedError (another organizer's, not staff), ValidationError (range).
    """
    target = organizer_id if organizer_id is not None else actor.id
    if not organizer_policies.can_view_dashboard_of(actor, target):
        raise PermissionDeniedError("Only staff may see another organizer's analytics.")
    return timed(
        f"organizer {target}",
        lambda: organizer_figures(target, date_from=date_from, date_to=date_to, now=now),
    )
