"""Revenue analytics for staff, computed in SQL from the ledger: per day, week or month (UTC,
weeks start on Monday), by source.

Revenue is what players paid: `entry_fee` debits (entry fees) and `purchase` debits (shop),
counted as positive coins. Refunds are `refund` and `purchase_release` credits. Net = revenue -
refunds; paying users = distinct users with a revenue debit in the period; ARPPU = net / paying
users (0 when none) as a decimal string. Buckets are computed by the database
(`strftime`/`date` on SQLite, `date_trunc` on PostgreSQL) and gaps are filled with zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.economy import policies
from deltacrown.economy.models import Transaction, TransactionKind, Wallet
from deltacrown.extensions import db

PERIODS = ("day", "week", "month")
MAX_BUCKETS = 1000
REVENUE_KINDS = (TransactionKind.ENTRY_FEE, TransactionKind.PURCHASE)
REFUND_KINDS = (TransactionKind.REFUND, TransactionKind.PURCHASE_RELEASE)


@dataclass(frozen=True)
class RevenueFigures:
    entry_fees: int
    shop: int
    refunds: int
    paying_users: int

    @property
    def revenue(self) -> int:
        return self.entry_fees + self.shop

    @property
    def net(self) -> int:
        return self.revenue - self.refunds

    @property
    def arppu(self) -> str:
        if not self.paying_users:
            return "0.00"
        value = Decimal(self.net) / Decimal(self.paying_users)
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class RevenueBucket:
    start: date
    figures: RevenueFigures


@dataclass(frozen=True)
class RevenueReport:
    period: str
    date_from: date
    date_to: date
    buckets: list[RevenueBucket]
    totals: RevenueFigures


def bucket_start(day: date, period: str) -> date:
    """The first day of the bucket `day` falls in."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _next_bucket(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def bucket_expression(column: Any, period: str, dialect: str) -> Any:
    """SQL for the bucket's first day as 'YYYY-MM-DD' text (UTC).

    The constants are rendered inline (from a fixed list), so GROUP BY repeats exactly the
    selected expression; with bound parameters PostgreSQL could not tell the two are equal.
    """
    if period not in PERIODS:
        raise ValueError(period)

    def const(text: str) -> Any:
        return sa.literal_column(f"'{text}'")

    if dialect == "postgresql":
        utc = sa.func.timezone(const("UTC"), column)
        return sa.func.to_char(sa.func.date_trunc(const(period), utc), const("YYYY-MM-DD"))
    # SQLite stores UTC as naive text (core.db.UTCDateTime).
    if period == "week":  # back 6 days, then forward to the next Monday (weekday 1)
        return sa.func.date(column, const("-6 days"), const("weekday 1"))
    if period == "month":
        return sa.func.strftime(const("%Y-%m-01"), column)
    return sa.func.strftime(const("%Y-%m-%d"), column)


def _figures_columns() -> list[Any]:
    kind, amount = Transaction.kind, Transaction.amount
    revenue_row = sa.and_(kind.in_(REVENUE_KINDS), amount < 0)

    def coins(condition: Any, value: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)

    return [
        coins(sa.and_(kind == TransactionKind.ENTRY_FEE, amount < 0), -amount).label("entry_fees"),
        coins(sa.and_(kind == TransactionKind.PURCHASE, amount < 0), -amount).label("shop"),
        coins(sa.and_(kind.in_(REFUND_KINDS), amount > 0), amount).label("refunds"),
        sa.func.count(sa.distinct(sa.case((revenue_row, Wallet.user_id)))).label("paying_users"),
    ]


def _figures(row: Any) -> RevenueFigures:
    return RevenueFigures(
        int(row.entry_fees or 0),
        int(row.shop or 0),
        int(row.refunds or 0),
        int(row.paying_users or 0),
    )


def revenue_report(*, actor: Any, period: str, date_from: date, date_to: date) -> RevenueReport:
    """Revenue per bucket from `date_from` to `date_to` (inclusive, UTC days).

    Raises PermissionDeniedError (not staff), ValidationError (bad period or range).
    """
    if not policies.can_view_revenue(actor):
        raise PermissionDeniedError("Only staff may see revenue.")
    if period not in PERIODS:
        raise ValidationError("period is day, week or month.", errors={"period": list(PERIODS)})
    if date_to < date_from:
        raise ValidationError("`to` is before `from`.", errors={"to": ["Must not be before from."]})
    first = bucket_start(date_from, period)
    starts = [first]
    while _next_bucket(starts[-1], period) <= date_to:
        starts.append(_next_bucket(starts[-1], period))
        if len(starts) > MAX_BUCKETS:
            raise ValidationError(
                f"At most {MAX_BUCKETS} {period}s per report.", errors={"from": ["Range too long."]}
            )
    begin = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    dialect = db.session.get_bind().dialect.name
    bucket = bucket_expression(Transaction.created_at, period, dialect).label("bucket")
    in_range = (
        sa.select()
        .select_from(Transaction)
        .join(Wallet, Wallet.id == Transaction.wallet_id)
        .where(
            Transaction.created_at >= begin,
            Transaction.created_at < end,
            Transaction.kind.in_(REVENUE_KINDS + REFUND_KINDS),
        )
    )
    rows = db.session.execute(in_range.add_columns(bucket, *_figures_columns()).group_by(bucket))
    by_start = {date.fromisoformat(str(row.bucket)): _figures(row) for row in rows}
    empty = RevenueFigures(0, 0, 0, 0)
    buckets = [RevenueBucket(start, by_start.get(start, empty)) for start in starts]
    totals = _figures(db.session.execute(in_range.add_columns(*_figures_columns())).one())
    return RevenueReport(period, date_from, date_to, buckets, totals)
