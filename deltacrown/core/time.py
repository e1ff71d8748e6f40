"""The one source of "now" (`utcnow()`), so tests can travel in time with time-machine."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def isoformat(value: datetime) -> str:
    """ISO 8601 with a `Z` suffix, as the API writes timestamps."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def readable(value: datetime) -> str:
    """A time for a sentence (a problem's `detail`): ISO 8601 to the second with a `Z`
    (`2026-12-06T05:53:30Z`). Machine-readable times go in extension members, with
    `isoformat`."""
    return isoformat(value.replace(microsecond=0))
