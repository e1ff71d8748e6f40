"""The health issues: pure rules over the figures (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from deltacrown.organizer.issues import find_issues
from deltacrown.organizer.queries import PendingPayments, Rate, TournamentHealth
from deltacrown.tournaments.models import TournamentStatus as S

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
NO_PAYMENTS = PendingPayments(0, None, None)


def health(
    status=S.REGISTRATION_OPEN,
    *,
    start_in=timedelta(days=20),
    held=4,
    minimum=2,
    maximum=8,
    waitlisted=0,
    **figures,
):
    tournament = SimpleNamespace(
        status=status, start_at=NOW + start_in, min_participants=minimum, max_participants=maximum
    )
    values = {
        "tournament": tournament,
        "registrations": {"waitlisted": waitlisted},
        "held": held,
        "pending_payments": NO_PAYMENTS,
        "awaiting_payment": 0,
        "check_in": Rate(0, 0),
        "no_shows": 0,
        "open_disputes": 0,
        "matches_overdue": 0,
        "completion_rate": None,
    }
    values.update(figures)
    return TournamentHealth(**values)


def codes(h):
    return [(issue.code, issue.severity) for issue in find_issues(h, now=NOW)]


def test_a_healthy_tournament_has_no_issues():
    assert codes(health()) == []


@pytest.mark.parametrize(
    ("start_in", "expected"),
    [(timedelta(days=7), [("draft_starts_soon", "warning")]), (timedelta(days=7, seconds=1), [])],
)
def test_a_draft_starting_within_a_week(start_in, expected):
    assert codes(health(S.DRAFT, start_in=start_in, held=0)) == expected


@pytest.mark.parametrize("status", [S.PUBLISHED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED])
def test_a_start_that_passed_without_starting_is_critical(status):
    assert ("start_overdue", "critical") in codes(health(status, start_in=timedelta(0)))
    assert ("start_overdue", "critical") not in codes(health(status, start_in=timedelta(hours=1)))


def test_an_ongoing_or_finished_tournament_is_not_overdue():
    for status in (S.ONGOING, S.COMPLETED, S.CANCELLED):
        assert codes(health(status, start_in=-timedelta(days=1), held=0)) == []


def test_below_minimum_warns_while_open_and_is_critical_once_closed():
    assert codes(health(held=1)) == [("below_minimum_participants", "warning")]
    assert codes(health(S.REGISTRATION_CLOSED, held=1)) == [
        ("below_minimum_participants", "critical")
    ]
    assert codes(health(held=2)) == []
    assert codes(health(S.PUBLISHED, held=0)) == []  # not taking sign-ups yet


def test_payments_awaiting_verification_become_critical_after_a_day():
    young = PendingPayments(2, NOW - timedelta(hours=23), 23 * 3600)
    old = PendingPayments(2, NOW - timedelta(hours=24), 24 * 3600)
    assert codes(health(pending_payments=young)) == [("payments_awaiting_verification", "warning")]
    assert codes(health(pending_payments=old)) == [("payments_awaiting_verification", "critical")]
    message = find_issues(health(pending_payments=young), now=NOW)[0].message
    assert message == "2 manual payment(s) await verification; the oldest for 23 hours."
    assert codes(health(S.CANCELLED, pending_payments=old)) == []


def test_match_figures_raise_issues():
    assert codes(health(open_disputes=1)) == [("open_disputes", "critical")]
    assert codes(health(matches_overdue=3)) == [("matches_overdue", "warning")]


def test_full_and_no_shows_are_information():
    assert codes(health(held=8, waitlisted=3)) == [("full", "info")]
    assert codes(health(S.REGISTRATION_CLOSED, held=8)) == []
    assert codes(health(S.ONGOING, no_shows=2)) == [("no_shows", "info")]


def test_issues_come_most_severe_first():
    h = health(
        S.REGISTRATION_CLOSED,
        held=1,
        no_shows=1,
        matches_overdue=1,
        open_disputes=1,
        pending_payments=PendingPayments(1, NOW, 0),
    )
    severities = [severity for _code, severity in codes(h)]
    assert severities == sorted(severities, key=["critical", "warning", "info"].index)
    assert codes(replace(h, no_shows=0))[-1] == ("matches_overdue", "warning")
