"""How the desks show values to people: enum values as labels (`under_review` → "Under
review"), times to the minute in UTC with the zone, money with its symbol (`৳1,000.00`,
`500 coins`). Templates get these as `fmt`."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

SYMBOLS = {"BDT": "৳", "USD": "$", "EUR": "€", "GBP": "£", "INR": "₹"}
# Values whose words are not just the value with capitals (brand names).
NAMES = {"bkash": "bKash", "deltacoin": "DeltaCoin"}


def label(value: Any) -> str:
    """An enum (or its stored value) as words: `registration_open` → "Registration open"."""
    if value is None:
        return "—"
    raw = value.value if isinstance(value, enum.Enum) else str(value)
    if raw in NAMES:
        return NAMES[raw]
    text = raw.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def when(value: datetime | None) -> str:
    """A time to the minute, in UTC, with the zone: "2026-12-06 13:19 UTC"."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def money(amount: Decimal | int | float | None, currency: str | None) -> str:
    """`৳1,000.00` for an amount in a currency with a symbol, `1,000.00 XYZ` otherwise."""
    if amount is None:
        return "—"
    number = f"{Decimal(amount):,.2f}"
    symbol = SYMBOLS.get((currency or "").upper())
    return f"{symbol}{number}" if symbol else f"{number} {currency or ''}".strip()


def coins(value: int | None) -> str:
    return "—" if value is None else f"{value:,} coins"


def user(value: Any) -> str:
    """A user by name ("alice"), or "—"."""
    return "—" if value is None else str(getattr(value, "username", value))
