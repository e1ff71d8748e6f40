"""What needs an organizer's attention, read off a tournament's health figures: pure rules (no
database), each yielding an `Issue` with a stable `code`, a `severity` (critical, warning,
info) and a message saying what to do. Most severe first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from deltacrown.tournaments.models import FINISHED, TournamentStatus

if TYPE_CHECKING:
    # For annotations only: queries builds TournamentHealth with these issues (imports us).
    from deltacrown.organizer.queries import TournamentHealth

S = TournamentStatus
CRITICAL, WARNING, INFO = "critical", "warning", "info"
SEVERITIES = (CRITICAL, WARNING, INFO)
PAYMENT_WAIT_CRITICAL = timedelta(hours=24)
DRAFT_START_HORIZON = timedelta(days=7)
NOT_STARTED = (S.PUBLISHED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED)


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str  # critical, warning or info
    message: str


def _hours(seconds: int) -> str:
    hours = seconds // 3600
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _rules(health: TournamentHealth, now: datetime) -> Iterator[tuple[str, str, str]]:
    t = health.tournament
    if t.status == S.DRAFT and t.start_at - now <= DRAFT_START_HORIZON:
        yield (
            "draft_starts_soon",
            WARNING,
            "The tournament is still a draft and starts within 7 days: publish it or move "
            "its start.",
        )
    if t.status in NOT_STARTED and t.start_at <= now:
        yield (
            "start_overdue",
            CRITICAL,
            "The start time has passed but the tournament has not started: start it, move "
            "the start or cancel it.",
        )
    if t.status in (S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED) and (
        health.held < t.min_participants
    ):
        closed = t.status == S.REGISTRATION_CLOSED
        yield (
            "below_minimum_participants",
            CRITICAL if closed else WARNING,
            f"{health.held} of the {t.min_participants} participants needed have registered"
            + (": lower the minimum or cancel the tournament." if closed else "."),
        )
    pending = health.pending_payments
    if pending.count and t.status not in FINISHED:
        late = (pending.oldest_age_seconds or 0) >= PAYMENT_WAIT_CRITICAL.total_seconds()
        yield (
            "payments_awaiting_verification",
            CRITICAL if late else WARNING,
            f"{pending.count} manual payment(s) await verification; the oldest for "
            f"{_hours(pending.oldest_age_seconds or 0)}.",
        )
    if health.open_disputes:
        yield (
            "open_disputes",
            CRITICAL,
            f"{health.open_disputes} dispute(s) need a decision.",
        )
    if health.matches_overdue:
        yield (
            "matches_overdue",
            WARNING,
            f"{health.matches_overdue} match(es) are past their scheduled time.",
        )
    waitlisted = health.registrations.get("waitlisted", 0)
    if t.status == S.REGISTRATION_OPEN and health.held >= t.max_participants:
        yield (
            "full",
            INFO,
            f"Every place is taken ({waitlisted} on the waitlist): close registration or "
            "raise the capacity.",
        )
    if health.no_shows:
        yield (
            "no_shows",
            INFO,
            f"{health.no_shows} confirmed participant(s) did not check in.",
        )


def find_issues(health: TournamentHealth, *, now: datetime) -> list[Issue]:
    """The issues in `health`, most severe first."""
    issues = [Issue(code, severity, message) for code, severity, message in _rules(health, now)]
    return sorted(issues, key=lambda issue: SEVERITIES.index(issue.severity))
