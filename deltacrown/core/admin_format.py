"""How the staff console shows values: names instead of reprs, enums as labels, times in the
viewer's time zone to the minute, money with its symbol.

One place for every admin page (model views, desks, dashboards) so they read alike:

- `when(value)` → ``2026-12-06 19:30 +06`` in the signed-in staff member's zone (their
  `time_zone` setting, an IANA name; UTC when unset or unknown, shown as ``UTC``).
- `label(member)` → ``Registration open`` for ``TournamentStatus.REGISTRATION_OPEN``.
- `money(amount, currency)` → ``৳1,000.00`` (``EUR 5.00`` for a currency without a symbol
  here); `coins(500)` → ``500 coins``.
- `name(obj)` → the row's `__str__` (``alice``, ``Dhaka Open``), or ``Payout #4`` for a model
  without one; never ``<Payout 4>``.

`TYPE_FORMATTERS` / `EXPORT_FORMATTERS` plug these into Flask-Admin's
`column_type_formatters` (the staff base views use them); `money_column`, `coins_column` and
`when_column` build `column_formatters` for one column.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import g, has_request_context
from flask_admin.model import typefmt

from deltacrown.core.db import Model

DEFAULT_ZONE = "UTC"
CURRENCY_SYMBOLS = {"BDT": "৳", "USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥"}
# Values whose words are not the value with a capital (brand names).
BRAND_NAMES = {"bkash": "bKash", "deltacoin": "DeltaCoin", "paypal": "PayPal"}


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """Every IANA time zone name this system knows (for the staff setting's choices)."""
    return frozenset(available_timezones())


@lru_cache(maxsize=256)
def zone(name: str | None) -> tzinfo:
    """The zone called `name`; UTC for None, an empty or an unknown name."""
    if not name or name == DEFAULT_ZONE:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: tzdata and a long name
        return UTC


def viewer_zone() -> tzinfo:
    """The signed-in staff member's zone (their `time_zone` setting), else UTC."""
    if not has_request_context():
        return UTC
    user = g.get("admin_user")
    return zone(getattr(user, "time_zone", None))


def _offset(value: datetime) -> str:
    if value.tzinfo is UTC:
        return "UTC"
    delta = value.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}" + (f":{rest:02d}" if rest else "")


def when(value: datetime | None, tz: tzinfo | None = None) -> str:
    """A time to the minute in `tz` (default: the viewer's zone) with the zone:
    ``2026-12-06 19:30 +06``, ``2026-12-06 13:30 UTC``; empty for None. A naive value is
    taken as UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(tz or viewer_zone())
    return f"{local:%Y-%m-%d %H:%M} {_offset(local)}"


def day(value: date | None) -> str:
    """A date as ``2026-12-06``; empty for None."""
    return "" if value is None else f"{value:%Y-%m-%d}"


def label(member: enum.Enum | str | None) -> str:
    """An enum member (or a stored enum value) as a label: ``registration_open`` and
    ``REGISTRATION_OPEN`` both read ``Registration open``."""
    if member is None:
        return ""
    raw = member.value if isinstance(member, enum.Enum) else member
    if isinstance(raw, str) and raw.lower() in BRAND_NAMES:
        return BRAND_NAMES[raw.lower()]
    text = str(raw if isinstance(raw, str) else getattr(member, "name", raw))
    words = text.replace("_", " ").replace("-", " ").strip().lower()
    return words[:1].upper() + words[1:]


def money(amount: Decimal | int | float | str | None, currency: str | None) -> str:
    """Cash as ``৳1,000.00`` (a known symbol) or ``EUR 5.00``; empty when there is no
    amount."""
    if amount is None:
        return ""
    value = Decimal(str(amount))
    code = (currency or "").upper()
    sign = "-" if value < 0 else ""
    number = f"{abs(value):,.2f}"
    symbol = CURRENCY_SYMBOLS.get(code)
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{code} {number}".strip() if code else f"{sign}{number}"


def coins(count: int | None) -> str:
    """DeltaCoins as ``500 coins`` / ``1 coin`` / ``-20 coins``; empty for None."""
    if count is None:
        return ""
    return f"{count:,} coin" + ("" if abs(count) == 1 else "s")


def name(obj: Any) -> str:
    """A row as people name it: its `__str__`, or ``<Class words> #<id>`` for a model that
    has none (never a repr)."""
    if obj is None:
        return ""
    if type(obj).__str__ is not object.__str__:
        return str(obj)
    words = "".join(" " + c.lower() if c.isupper() else c for c in type(obj).__name__).strip()
    ident = getattr(obj, "id", None)
    return f"{words[:1].upper()}{words[1:]}" + (f" #{ident}" if ident is not None else "")


# Flask-Admin column_type_formatters: (view, value, column name) -> shown value. Order
# matters (the first isinstance match wins): enums before str, datetime before date.
Formatter = Callable[[Any, Any, str], Any]


def _when(view: Any, value: datetime, name_: str) -> str:
    return when(value)


def _day(view: Any, value: date, name_: str) -> str:
    return day(value)


def _label(view: Any, value: enum.Enum, name_: str) -> str:
    return label(value)


def _name(view: Any, value: Any, name_: str) -> str:
    return name(value)


def _names(view: Any, values: Any, name_: str) -> str:
    return ", ".join(name(item) for item in values)


def _yes_no(view: Any, value: bool, name_: str) -> str:
    return "Yes" if value else "No"


def _decimal(view: Any, value: Decimal, name_: str) -> str:
    return f"{value:,.2f}"


def _iso(view: Any, value: datetime, name_: str) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(viewer_zone()).replace(microsecond=0).isoformat()


def _model_list(view: Any, values: list[Any], name_: str) -> Any:
    if values and isinstance(values[0], Model):
        return _names(view, values, name_)
    return typefmt.list_formatter(view, values, name_)


TYPE_FORMATTERS: dict[type, Formatter] = {
    **typefmt.BASE_FORMATTERS,
    enum.Enum: _label,
    datetime: _when,
    date: _day,
    Decimal: _decimal,
    Model: _name,
    list: _model_list,
}
DETAIL_FORMATTERS: dict[type, Formatter] = {
    **typefmt.DETAIL_FORMATTERS,
    bool: _yes_no,
    enum.Enum: _label,
    datetime: _when,
    date: _day,
    Decimal: _decimal,
    Model: _name,
    list: _model_list,
}
# CSV: full times (ISO 8601, to the second, in the viewer's zone), labels and names.
EXPORT_FORMATTERS: dict[type, Formatter] = {
    **typefmt.EXPORT_FORMATTERS,
    bool: _yes_no,
    enum.Enum: _label,
    datetime: _iso,
    date: _day,
    Model: _name,
    list: _model_list,
}


ColumnFormatter = Callable[[Any, Any, Any, str], str]


def money_column(
    amount_attr: str, currency_attr: str, coins_attr: str | None = None
) -> ColumnFormatter:
    """A `column_formatters` entry for money kept as amount + currency columns (and, when the
    row may be priced in DeltaCoins instead, a coins column)."""

    def show(view: Any, context: Any, model: Any, column: str) -> str:
        if coins_attr is not None and getattr(model, coins_attr, None) is not None:
            return coins(getattr(model, coins_attr))
        return money(getattr(model, amount_attr, None), getattr(model, currency_attr, None))

    return show


def coins_column(attr: str | None = None) -> ColumnFormatter:
    """A `column_formatters` entry for a DeltaCoin count (`attr`, default the column itself)."""

    def show(view: Any, context: Any, model: Any, column: str) -> str:
        return coins(getattr(model, attr or column, None))

    return show


def when_column(attr: str | None = None, tz: tzinfo | None = None) -> ColumnFormatter:
    """A `column_formatters` entry for a time (`attr`, default the column itself)."""

    def show(view: Any, context: Any, model: Any, column: str) -> str:
        return when(getattr(model, attr or column, None), tz)

    return show
