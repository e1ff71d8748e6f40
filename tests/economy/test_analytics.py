"""Revenue analytics: SQL buckets per day, Monday-started week and month (UTC), by source."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.economy import analytics
from deltacrown.economy.models import TransactionKind
from deltacrown.economy.services import ledger
from tests.economy.conftest import STAFF_ACTOR, register


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=UTC), tick=False)


@pytest.fixture
def history(app_ctx):
    """Two players' spending around the week boundary of Monday 2 March 2026."""
    a, b = register(), register()
    with at(2026, 2, 20, 9):
        for user in (a, b):
            ledger.credit(user.id, 1000, kind=TransactionKind.DEPOSIT)
    with at(2026, 3, 1, 23, 30):  # a Sunday, late evening UTC
        fee = ledger.debit(a.id, 100, kind=TransactionKind.ENTRY_FEE)
    with at(2026, 3, 2, 0, 10):  # Monday
        ledger.debit(b.id, 50, kind=TransactionKind.ENTRY_FEE)
    with at(2026, 3, 2, 12):
        ledger.debit(a.id, 30, kind=TransactionKind.PURCHASE)
        ledger.credit(a.id, 500, kind=TransactionKind.PRIZE)  # not revenue
        ledger.debit(b.id, 5, kind=TransactionKind.ADJUSTMENT)  # not revenue
    with at(2026, 3, 3, 8):
        ledger.refund(fee.id, 20)
    with at(2026, 4, 1, 0, 0):
        ledger.debit(b.id, 70, kind=TransactionKind.PURCHASE)
    return a, b


def rows(report):
    return [
        (
            b.start.isoformat(),
            b.figures.entry_fees,
            b.figures.shop,
            b.figures.refunds,
            b.figures.net,
            b.figures.paying_users,
            b.figures.arppu,
        )
        for b in report.buckets
    ]


def report(period, start, end):
    return analytics.revenue_report(actor=STAFF_ACTOR, period=period, date_from=start, date_to=end)


def test_daily_buckets_fill_gaps_and_split_by_source(history):
    result = report("day", date(2026, 3, 1), date(2026, 3, 4))
    assert rows(result) == [
        ("2026-03-01", 100, 0, 0, 100, 1, "100.00"),
        ("2026-03-02", 50, 30, 0, 80, 2, "40.00"),
        ("2026-03-03", 0, 0, 20, -20, 0, "0.00"),
        ("2026-03-04", 0, 0, 0, 0, 0, "0.00"),
    ]
    totals = result.totals
    assert (totals.entry_fees, totals.shop, totals.revenue, totals.refunds, totals.net) == (
        150,
        30,
        180,
        20,
        160,
    )
    assert (totals.paying_users, totals.arppu) == (2, "80.00")


def test_weeks_start_on_monday(history):
    assert date(2026, 3, 1).weekday() == 6  # Sunday
    result = report("week", date(2026, 3, 1), date(2026, 3, 8))
    assert rows(result) == [
        ("2026-02-23", 100, 0, 0, 100, 1, "100.00"),
        ("2026-03-02", 50, 30, 20, 60, 2, "30.00"),
    ]


def test_monthly_buckets(history):
    result = report("month", date(2026, 3, 1), date(2026, 4, 30))
    assert rows(result) == [
        ("2026-03-01", 150, 30, 20, 160, 2, "80.00"),
        ("2026-04-01", 0, 70, 0, 70, 1, "70.00"),
    ]
    assert result.totals.paying_users == 2  # distinct over the range, not summed per month


def test_range_bounds_are_whole_utc_days(history):
    only_sunday = report("day", date(2026, 3, 1), date(2026, 3, 1))
    assert rows(only_sunday) == [("2026-03-01", 100, 0, 0, 100, 1, "100.00")]
    assert report("day", date(2026, 3, 31), date(2026, 3, 31)).totals.shop == 0
    assert report("day", date(2026, 4, 1), date(2026, 4, 1)).totals.shop == 70


def test_arppu_rounds_half_up_to_two_places():
    assert analytics.RevenueFigures(100, 0, 0, 3).arppu == "33.33"
    assert analytics.RevenueFigures(200, 0, 0, 3).arppu == "66.67"
    assert analytics.RevenueFigures(0, 0, 0, 0).arppu == "0.00"


def test_reports_are_staff_only_and_validate_the_range(player):
    with pytest.raises(PermissionDeniedError):
        analytics.revenue_report(
            actor=player, period="day", date_from=date(2026, 1, 1), date_to=date(2026, 1, 2)
        )
    with pytest.raises(ValidationError):
        report("day", date(2026, 1, 2), date(2026, 1, 1))
    with pytest.raises(ValidationError):
        report("day", date(2020, 1, 1), date(2026, 1, 1))
    with pytest.raises(ValidationError):
        report("year", date(2026, 1, 1), date(2026, 1, 2))
