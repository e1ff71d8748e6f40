"""How the desks show values: enum labels (brand names as their owners write them), times
to the minute in the viewer's zone, money with symbols."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from deltacrown.core import admin_format
from deltacrown.matches.models import DisputeStatus


def test_values_read_as_words_money_and_minutes():
    assert admin_format.label(DisputeStatus.UNDER_REVIEW) == "Under review"
    assert admin_format.label("registration_open") == "Registration open"
    assert admin_format.label("bkash") == "bKash" and admin_format.label(None) == ""
    dhaka = timezone(timedelta(hours=6))
    at = datetime(2026, 12, 6, 19, 5, 42, 123456, tzinfo=dhaka)
    assert admin_format.when(at, UTC) == "2026-12-06 13:05 UTC"
    assert (
        admin_format.when(datetime(2026, 1, 2, 3, 4, tzinfo=UTC), dhaka) == "2026-01-02 09:04 +06"
    )
    assert admin_format.money(Decimal("1000"), "BDT") == "৳1,000.00"
    assert admin_format.coins(500) == "500 coins"
