"""Tournament state changes: publish, open and close registration (by hand or on schedule),
cancel. Each goes through `Tournament.transition` (409 `invalid_transition` when illegal),
under a row lock on the tournament, and writes an audit entry.

Opening registration for the first time holds an organizer-funded DeltaCoin prize pool from
the organizer's wallet (the `prize_funding` port, answered above this domain): 409
`insufficient_funds` by hand, and the scheduled sweep leaves such a tournament published
until the wallet holds the pool."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from deltacrown.core import audit
from deltacrown.core.actors import SYSTEM, Actor, user_id_of
from deltacrown.core.errors import DomainError, ValidationError
from deltacrown.core.signals import send_after_commit, tournament_cancelled
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import savepoint
from deltacrown.extensions import db
from deltacrown.tournaments import ports, queries, rules
from deltacrown.tournaments.errors import (
    BracketExistsError,
    NotEnoughParticipantsError,
    RegistrationWindowPassedError,
)
from deltacrown.tournaments.models import Tournament, TournamentStatus
from deltacrown.tournaments.services.common import check_schedule, managed_tournament

S = TournamentStatus
log = logging.getLogger(__name__)


def _move(
    tournament: Tournament,
    to: TournamentStatus,
    *,
    actor: Actor | None,
    now: datetime,
    scheduled: bool = False,
    **details: Any,
) -> None:
    before = tournament.status.value
    tournament.transition(to, at=now)
    db.session.flush()
    if to == S.REGISTRATION_OPEN and before == S.PUBLISHED.value:
        ports.prize_funding.get().fund(tournament.id)
    audit.record(
        actor=actor,
        action=f"tournament.{to.value}",
        target=tournament,
        before={"status": before},
        after={"status": to.value, **({"scheduled": True} if scheduled else {}), **details},
    )


def publish_tournament(
    tournament_id: int,
    *,
    actor: Any,
    now: datetime | None = None,
) -> Tournament:
    """draft → published: visible, not yet taking sign-ups. When registration_opens_at has
    already come, registration opens at once.

    The times still ahead (registration close, check-in, start) must be in the future
    (InvalidScheduleError). Raises InvalidTransitionError unless the tournament is a draft.
    """
    now = now or utcnow()
    tournament = managed_tournament(tournament_id, actor, for_update=True)
    tournament.check_transition(S.PUBLISHED)
    values = {
        name: getattr(tournament, name)
        for name in (
            "registration_opens_at",
            "registration_closes_at",
            "checkin_opens_at",
            "checkin_closes_at",
            "start_at",
        )
    }
    check_schedule(
        values,
        now=now,
        must_be_future=(
            "registration_closes_at",
            "checkin_opens_at",
            "checkin_closes_at",
            "start_at",
        ),
    )
    _move(tournament, S.PUBLISHED, actor=actor, now=now)
    opens = tournament.registration_opens_at
    if opens is not None and opens <= now:
        _move(tournament, S.REGISTRATION_OPEN, actor=actor, now=now)
    return tournament


def _ensure_window_open(tournament: Tournament, now: datetime) -> None:
    closes = tournament.registration_closes_at
    if (closes is not None and closes <= now) or tournament.start_at <= now:
        raise RegistrationWindowPassedError(
            "Registration would close at once: move registration_closes_at (and start_at) "
            "into the future first."
        )


def open_registration(
    tournament_id: int,
    *,
    actor: Actor | None,
    now: datetime | None = None,
) -> Tournament:
    """published → registration_open, before the scheduled time if the organizer wishes; or
    registration_closed → registration_open again, until the bracket is drawn.

    Raises InvalidTransitionError, RegistrationWindowPassedError (closing time already past),
    BracketExistsError (reopening after the bracket was drawn).
    """
    now = now or utcnow()
    tournament = managed_tournament(tournament_id, actor, for_update=True)
    tournament.check_transition(S.REGISTRATION_OPEN)
    if tournament.status == S.REGISTRATION_CLOSED and queries.has_bracket(tournament.id):
        raise BracketExistsError(
            f"Tournament {tournament.id} has its bracket; registration can no longer reopen.",
        )
    _ensure_window_open(tournament, now)
    _move(tournament, S.REGISTRATION_OPEN, actor=actor, now=now)
    return tournament


def close_registration(
    tournament_id: int,
    *,
    actor: Actor | None,
    now: datetime | None = None,
) -> Tournament:
    """registration_open → registration_closed, once enough participants hold a place (pending
    or confirmed) for the tournament's minimum and its format's.

    Raises InvalidTransitionError, NotEnoughParticipantsError (registration stays open; the
    problem carries `participants` and `needed`).
    """
    now = now or utcnow()
    tournament = managed_tournament(tournament_id, actor, for_update=True)
    tournament.check_transition(S.REGISTRATION_CLOSED)
    needed = rules.needed_participants(tournament.format.value, tournament.min_participants)
    participants = queries.count_places_taken(tournament.id)
    if participants < needed:
        raise NotEnoughParticipantsError(
            rules.shortfall_message(participants, needed), participants=participants, needed=needed
        )
    _move(tournament, S.REGISTRATION_CLOSED, actor=actor, now=now)
    return tournament


def cancel_tournament(
    tournament_id: int, *, actor: Actor | None, reason: str, now: datetime | None = None
) -> Tournament:
    """Cancel from any state but completed, recording the reason; idempotent.

    Cancelling a cancelled tournament changes nothing (no audit entry, no signal). Otherwise
    `tournament_cancelled` is sent after the commit so registrations can refund and notify.
    Raises ValidationError (blank reason), InvalidTransitionError (completed).
    """
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Say why the tournament is cancelled.", errors={"reason": ["Required."]}
        )
    tournament = managed_tournament(tournament_id, actor, for_update=True)
    if tournament.status == S.CANCELLED:
        return tournament
    tournament.cancel_reason = reason
    tournament.cancelled_by_id = user_id_of(actor)
    _move(tournament, S.CANCELLED, actor=actor, now=now, reason=reason)
    send_after_commit(
        tournament_cancelled,
        "tournaments",
        tournament_id=tournament.id,
        reason=reason,
        actor_id=user_id_of(actor),
    )
    return tournament


def _locked(query: Any) -> list[Tournament]:
    return list(
        db.session.scalars(
            query.with_for_update(skip_locked=True, of=Tournament).execution_options(
                populate_existing=True
            )
        ).unique()
    )


def apply_scheduled_transitions(now: datetime | None = None) -> dict[str, int]:
    """The sweep: open registration for published tournaments whose opening time has come,
    then close it for open ones whose closing time has come. Rows another sweep holds are
    skipped (SKIP LOCKED), so overlapping runs never double-apply."""
    now = now or utcnow()
    opened = closed = 0
    for tournament in _locked(queries.due_to_open(now)):
        try:
            with savepoint():
                _move(tournament, S.REGISTRATION_OPEN, actor=SYSTEM, now=now, scheduled=True)
        except DomainError as error:  # the prize pool is not funded: stays published
            db.session.refresh(tournament)
            log.warning("registration of tournament %s stays closed: %s", tournament.id, error)
            continue
        opened += 1
    for tournament in _locked(queries.due_to_close(now)):
        _move(tournament, S.REGISTRATION_CLOSED, actor=SYSTEM, now=now, scheduled=True)
        closed += 1
    return {"opened": opened, "closed": closed}
