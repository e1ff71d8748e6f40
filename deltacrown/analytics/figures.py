"""A tournament's figures as one SQL statement: one row per tournament, every column an
aggregate computed by the database (GROUP BY and window functions, never rows loaded into
Python). The same statement fills the summary (`summary.py`) and answers live.

Definitions (the API documents them too):

* participants: `confirmed` registrations; `no_show` ones were confirmed and did not check
  in, so check-in rate = checked in / (confirmed + no-shows) and no-show rate = no-shows /
  (confirmed + no-shows); `held` = pending + confirmed places (fill rate = min(held,
  capacity) / capacity);
* matches: every match but skipped grand-final resets; completed = completed or forfeit;
  disputed = matches with at least one dispute;
* a match's duration: from its `started` event to its completion, over matches completed by
  play (forfeits are not timed); median and p90 are nearest-rank percentiles (the value at
  rank ceil(p x n) of the ordered durations), written with ROW_NUMBER and COUNT windows so
  SQLite and PostgreSQL compute the same;
* coins: entry fees paid in DeltaCoins (`payment_method` deltacoin, verified or since
  refunded) and their refunds; prizes paid = payouts `paid` (count, and coins of coin payouts).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.matches.models import Dispute, Match, MatchEvent, MatchStatus
from deltacrown.payouts.models import Payout, PayoutKind, PayoutStatus
from deltacrown.registrations.models import PaymentStatus, Registration, RegistrationStatus
from deltacrown.tournaments.models import Tournament, TournamentStatus
from deltacrown.tournaments.rules import COIN_METHOD

R = RegistrationStatus
PAID_STATUSES = (PaymentStatus.VERIFIED, PaymentStatus.REFUNDED)
PLAYED = (MatchStatus.COMPLETED, MatchStatus.FORFEIT)

# The summary's columns, in order (the materialized view and the SQLite table have exactly these).
COLUMNS = (
    "tournament_id",
    "organizer_id",
    "game_id",
    "status",
    "start_at",
    "concluded_at",
    "max_participants",
    "registrations",
    "total_participants",
    "checked_in_count",
    "no_show_count",
    "held",
    "total_matches",
    "completed_matches",
    "disputed_matches",
    "timed_matches",
    "match_seconds_total",
    "median_match_seconds",
    "p90_match_seconds",
    "coin_entry_fees",
    "coin_refunds",
    "payout_count",
    "prize_coins_paid",
)


def seconds_between(later: Any, earlier: Any, dialect: str) -> Any:
    """`later - earlier` in seconds, as the database computes it."""
    if dialect == "postgresql":
        return sa.cast(sa.extract("epoch", later - earlier), sa.Float)
    # SQLite stores UTC as naive ISO text (core.db.UTCDateTime), which julianday() reads.
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0


def _count(condition: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _total(condition: Any, value: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)


def _limit(query: sa.Select[Any], column: Any, ids: Any) -> sa.Select[Any]:
    return query if ids is None else query.where(column.in_(ids))


def _registrations(ids: Any) -> Any:
    r = Registration
    coin_paid = sa.and_(r.payment_method == COIN_METHOD, r.payment_status.in_(PAID_STATUSES))
    query = sa.select(
        r.tournament_id.label("tournament_id"),
        sa.func.count().label("registrations"),
        _count(r.status == R.CONFIRMED).label("total_participants"),
        _count(sa.and_(r.status == R.CONFIRMED, r.checked_in_at.is_not(None))).label(
            "checked_in_count"
        ),
        _count(r.status == R.NO_SHOW).label("no_show_count"),
        _count(r.status.in_((R.PENDING, R.CONFIRMED))).label("held"),
        _total(coin_paid, r.fee_coins).label("coin_entry_fees"),
        _total(
            sa.and_(r.payment_method == COIN_METHOD, r.payment_status == PaymentStatus.REFUNDED),
            r.fee_coins,
        ).label("coin_refunds"),
    ).group_by(r.tournament_id)
    return _limit(query, r.tournament_id, ids).subquery("reg")


def _matches(ids: Any) -> Any:
    query = sa.select(
        Match.tournament_id.label("tournament_id"),
        _count(Match.status != MatchStatus.SKIPPED).label("total_matches"),
        _count(Match.status.in_(PLAYED)).label("completed_matches"),
    ).group_by(Match.tournament_id)
    return _limit(query, Match.tournament_id, ids).subquery("mat")


def _disputes(ids: Any) -> Any:
    query = sa.select(
        Dispute.tournament_id.label("tournament_id"),
        sa.func.count(sa.distinct(Dispute.match_id)).label("disputed_matches"),
    ).group_by(Dispute.tournament_id)
    return _limit(query, Dispute.tournament_id, ids).subquery("dis")


def _durations(ids: Any, dialect: str) -> Any:
    started = sa.select(
        MatchEvent.match_id.label("match_id"),
        sa.func.min(MatchEvent.created_at).label("started_at"),
    ).where(MatchEvent.type == "started")
    started = _limit(started, MatchEvent.tournament_id, ids).group_by(MatchEvent.match_id)
    started_sq = started.subquery("started")
    seconds = seconds_between(Match.completed_at, started_sq.c.started_at, dialect)
    timed = sa.select(Match.tournament_id.label("tournament_id"), seconds.label("seconds")).join(
        started_sq, started_sq.c.match_id == Match.id
    )
    timed = _limit(timed, Match.tournament_id, ids).where(
        Match.status == MatchStatus.COMPLETED, Match.completed_at.is_not(None)
    )
    timed_sq = timed.subquery("timed")
    ranked = sa.select(
        timed_sq.c.tournament_id,
        timed_sq.c.seconds,
        sa.func.row_number()
        .over(partition_by=timed_sq.c.tournament_id, order_by=timed_sq.c.seconds)
        .label("rn"),
        sa.func.count().over(partition_by=timed_sq.c.tournament_id).label("n"),
    ).subquery("ranked")
    # Nearest rank: ceil(n / 2) = (n + 1) / 2 and ceil(9n / 10) = (9n + 9) / 10 (integers).
    return (
        sa.select(
            ranked.c.tournament_id,
            sa.func.count().label("timed_matches"),
            sa.func.sum(ranked.c.seconds).label("match_seconds_total"),
            sa.func.max(sa.case((ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.seconds))).label(
                "median_match_seconds"
            ),
            sa.func.max(
                sa.case((ranked.c.rn == (ranked.c.n * 9 + 9) // 10, ranked.c.seconds))
            ).label("p90_match_seconds"),
        )
        .group_by(ranked.c.tournament_id)
        .subquery("dur")
    )


def _payouts(ids: Any) -> Any:
    paid = Payout.status == PayoutStatus.PAID
    query = sa.select(
        Payout.tournament_id.label("tournament_id"),
        _count(paid).label("payout_count"),
        _total(sa.and_(paid, Payout.kind == PayoutKind.COINS), Payout.coins).label(
            "prize_coins_paid"
        ),
    ).group_by(Payout.tournament_id)
    return _limit(query, Payout.tournament_id, ids).subquery("pay")


def tournament_rows(ids: Any, dialect: str) -> sa.Select[Any]:
    """One row of `COLUMNS` per tournament (of `ids`, a list or a Select of ids; None: every
    tournament not deleted)."""
    reg, mat, dis, dur, pay = (
        _registrations(ids),
        _matches(ids),
        _disputes(ids),
        _durations(ids, dialect),
        _payouts(ids),
    )

    def zero(column: Any) -> Any:
        return sa.func.coalesce(column, 0)

    t = Tournament
    query = (
        sa.select(
            t.id.label("tournament_id"),
            t.organizer_id.label("organizer_id"),
            t.game_id.label("game_id"),
            t.status.label("status"),
            t.start_at.label("start_at"),
            sa.case((t.status == TournamentStatus.COMPLETED, t.updated_at)).label("concluded_at"),
            t.max_participants.label("max_participants"),
            zero(reg.c.registrations).label("registrations"),
            zero(reg.c.total_participants).label("total_participants"),
            zero(reg.c.checked_in_count).label("checked_in_count"),
            zero(reg.c.no_show_count).label("no_show_count"),
            zero(reg.c.held).label("held"),
            zero(mat.c.total_matches).label("total_matches"),
            zero(mat.c.completed_matches).label("completed_matches"),
            zero(dis.c.disputed_matches).label("disputed_matches"),
            zero(dur.c.timed_matches).label("timed_matches"),
            zero(dur.c.match_seconds_total).label("match_seconds_total"),
            dur.c.median_match_seconds,
            dur.c.p90_match_seconds,
            zero(reg.c.coin_entry_fees).label("coin_entry_fees"),
            zero(reg.c.coin_refunds).label("coin_refunds"),
            zero(pay.c.payout_count).label("payout_count"),
            zero(pay.c.prize_coins_paid).label("prize_coins_paid"),
        )
        .select_from(t)
        .outerjoin(reg, reg.c.tournament_id == t.id)
        .outerjoin(mat, mat.c.tournament_id == t.id)
        .outerjoin(dis, dis.c.tournament_id == t.id)
        .outerjoin(dur, dur.c.tournament_id == t.id)
        .outerjoin(pay, pay.c.tournament_id == t.id)
        .where(t.deleted_at.is_(None))
    )
    return _limit(query, t.id, ids)
