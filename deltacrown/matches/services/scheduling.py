"""Scheduling a match and getting it played: set its time and best-of, check in, start,
cancel (organizers, or the no-show sweep, stop a match for the organizer to decide).

A match with a scheduled time takes check-ins from 30 minutes before it until the no-show
grace ends; one without a time takes them as soon as it is ready, and with the tournament's
`auto_start_matches` a ready head-to-head match without a time goes live by itself
(`lifecycle.start_waiting`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.core import audit
from deltacrown.core.time import isoformat, readable, utcnow
from deltacrown.extensions import db
from deltacrown.matches import lifecycle, queries, schedule
from deltacrown.matches.errors import (
    AlreadyCheckedInError,
    CheckInClosedError,
    CheckInNotOpenError,
    ValidationError,
)
from deltacrown.matches.kinds import kind_of
from deltacrown.matches.models import Match, MatchCheckIn, MatchStatus

M = MatchStatus
MAX_BEST_OF = 15


def schedule_match(
    match_id: int,
    *,
    actor: Any,
    scheduled_at: datetime | None = None,
    best_of: int | None = None,
    fields: Sequence[str] = (),
    now: datetime | None = None,
) -> Match:
    """Set a match's time and/or best-of (organizers; before play). A cancelled match that is
    rescheduled becomes ready again. `fields` names what the caller sent."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    lifecycle.require_manager(actor, tournament)
    lifecycle.require_state(match, M.SCHEDULED, M.READY, M.CANCELLED, action="reschedule it")
    before = {
        "scheduled_at": match.scheduled_at,
        "best_of": match.best_of,
        "status": match.status.value,
    }
    if "scheduled_at" in fields:
        if scheduled_at is not None and scheduled_at <= now:
            raise ValidationError(
                "A match is scheduled in the future.",
                errors={"scheduled_at": ["Must be in the future."]},
            )
        match.scheduled_at = scheduled_at
        schedule.organizer_set(match, actor, now)  # the organizer's time wins over proposals
        db.session.execute(sa.delete(MatchCheckIn).where(MatchCheckIn.match_id == match.id))
    series = kind_of(match).series
    if "best_of" in fields and best_of is not None:
        _check_best_of(match, best_of, series=series)
        match.best_of = best_of
    if match.status is M.CANCELLED and (not series or all(match.participant_ids)):
        match.transition(M.READY)
    db.session.flush()
    after = {
        "scheduled_at": match.scheduled_at,
        "best_of": match.best_of,
        "status": match.status.value,
    }
    audit.record(actor=actor, action="match.scheduled", target=match, before=before, after=after)
    at = isoformat(match.scheduled_at) if match.scheduled_at else None
    lifecycle.record_event(
        match, "scheduled", actor, now=now, scheduled_at=at, best_of=match.best_of
    )
    lifecycle.publish_event(match, "match.scheduled", scheduled_at=at, best_of=match.best_of)
    lifecycle.start_waiting(tournament, now, match=match)
    return match


def _check_best_of(match: Match, best_of: int, *, series: bool) -> None:
    if not series:
        raise ValidationError(
            "A lobby's number of games is the stage's.",
            errors={"best_of": ["Not for a lobby match."]},
        )
    if not 1 <= best_of <= MAX_BEST_OF:
        raise ValidationError(
            f"best_of is 1 to {MAX_BEST_OF}.",
            errors={"best_of": [f"Between 1 and {MAX_BEST_OF}."]},
        )
    if best_of % 2 == 0 and not lifecycle.draws_allowed(match):
        raise ValidationError(
            "A best-of must be odd where every match needs a winner.",
            errors={"best_of": ["Must be odd."]},
        )


def check_in_match(match_id: int, *, actor: Any, now: datetime | None = None) -> Match:
    """A side checks in (from 30 minutes before `scheduled_at` to the end of the grace; at
    once when the match has no scheduled time); when both have, the match starts (`live`)."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    side = lifecycle.require_side(match, actor)
    lifecycle.require_state(match, M.READY, action="check in")
    lifecycle.require_ongoing(tournament)
    window = lifecycle.check_in_window(match, tournament)
    if window is not None and now < window[0]:
        raise CheckInNotOpenError(
            f"Check-in for match {match.id} opens at {readable(window[0])}, 30 minutes before "
            "its scheduled time.",
            opens_at=isoformat(window[0]),
        )
    if window is not None and now > window[1]:
        raise CheckInClosedError(
            f"Check-in for match {match.id} closed at {readable(window[1])}.",
            closed_at=isoformat(window[1]),
        )
    present = queries.checked_in(match.id)  # the match row is locked: stays true below
    if side in present:
        raise AlreadyCheckedInError("This side has already checked in.")
    db.session.add(
        MatchCheckIn(
            match_id=match.id, registration_id=side, checked_in_by_id=actor.id, checked_in_at=now
        )
    )
    db.session.flush()
    lifecycle.record_event(match, "checked_in", actor, registration_id=side, now=now)
    lifecycle.publish_event(match, "match.checked_in", registration_id=side)
    if present | {side} >= set(queries.participants_of(match)):
        lifecycle.go_live(match, None, now, automatic=True)
    return match


def start_match(match_id: int, *, actor: Any, now: datetime | None = None) -> Match:
    """ready → live (organizers and referees; the check-in of both sides starts it by itself)."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    lifecycle.require_referee(actor, tournament)
    lifecycle.require_state(match, M.READY, action="start it")
    lifecycle.require_ongoing(tournament)
    lifecycle.go_live(match, actor, now, automatic=False)
    audit.record(
        actor=actor,
        action="match.started",
        target=match,
        before={"status": M.READY.value},
        after={"status": M.LIVE.value},
    )
    return match


def cancel_match(match_id: int, *, reason: str, actor: Any, now: datetime | None = None) -> Match:
    """An organizer stops a match before its result (→ cancelled); it waits for the organizer
    to reschedule it, forfeit a side or enter the result, and blocks its round until then."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    lifecycle.require_manager(actor, tournament)
    lifecycle.require_state(
        match, M.READY, M.LIVE, M.AWAITING_CONFIRMATION, M.DISPUTED, action="cancel it"
    )
    before = {"status": match.status.value}
    lifecycle.cancel(match, actor, reason, now)
    audit.record(
        actor=actor,
        action="match.cancelled",
        target=match,
        before=before,
        after={"status": M.CANCELLED.value, "reason": reason},
    )
    return match
