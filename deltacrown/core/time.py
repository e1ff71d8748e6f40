"""The one source of "now" (`utcnow()`), so tests can travel in time with time-machine."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def isoformat(value: datetime) -> str:
    """ISO 8601 with a `Z` suffix, as the API writes timestamps."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
