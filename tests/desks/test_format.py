"""How the desks show values: enum labels, times to the minute in UTC, money with symbols."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from deltacrown.core import desk_format
from deltacrown.matches.models import DisputeStatus


def test_values_read_as_words_money_and_minutes():
    assert desk_format.label(DisputeStatus.UNDER_REVIEW) == "Under review"
    assert desk_format.label("registration_open") == "Registration open"
    assert desk_format.label("bkash") == "bKash" and desk_format.label(None) == "—"
    dhaka = timezone(timedelta(hours=6))
    at = datetime(2026, 12, 6, 19, 5, 42, 123456, tzinfo=dhaka)
    assert desk_format.when(at) == "2026-12-06 13:05 UTC"
    assert desk_format.when(datetime(2026, 1, 2, 3, 4, tzinfo=UTC)) == "2026-01-02 03:04 UTC"
    assert desk_format.money(Decimal("1000"), "BDT") == "৳1,000.00"
    assert desk_format.money(Decimal("12.5"), "XYZ") == "12.50 XYZ"
    assert desk_format.coins(500) == "500 coins"
