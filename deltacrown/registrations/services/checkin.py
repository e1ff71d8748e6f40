"""Check-in: players (solo) and captains (teams) check in while the window is open and may
undo within 15 minutes; organizers force or undo a check-in at any time; when the window
closes, confirmed registrations that did not check in become `no_show` and their places go to
the waitlist (`close_checkin`, run by the sweep at `checkin_closes_at` or by hand).

A check-in is a timestamp on a confirmed registration (`checked_in_at`), not a status. Check-in
works under the tournament lock, like every other change of who is in the tournament, so it
cannot interleave with the closing sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from deltacrown.core import audit, realtime, signals
from deltacrown.core.actors import SYSTEM, Actor, UserActor, is_system, user_id_of
from deltacrown.core.errors import InvalidTransitionError, PermissionDeniedError
from deltacrown.core.time import isoformat, readable, utcnow
from deltacrown.extensions import db
from deltacrown.moderation.enforcement import Action
from deltacrown.registrations import policies, queries
from deltacrown.registrations.errors import (
    CheckinNotOpenError,
    CheckinUndoExpiredError,
    NotCheckedInError,
    NotTeamCaptainError,
    RegistrationNotConfirmedError,
    RegistrationNotFoundError,
)
from deltacrown.registrations.models import Registration, RegistrationStatus
from deltacrown.registrations.services.common import (
    TAKING_PROMOTIONS,
    audit_foreign,
    check_sanctions,
    emit,
    end,
    lock_tournament,
    require_manager,
    snapshot,
    visible_registration,
)
from deltacrown.registrations.services.waitlist import fill_places
from deltacrown.tournaments.models import Tournament

S = RegistrationStatus
UNDO_WINDOW = timedelta(minutes=15)


def is_open(tournament: Tournament, now: datetime) -> bool:
    opens, closes = tournament.checkin_opens_at, tournament.checkin_closes_at
    return (
        opens is not None
        and closes is not None
        and opens <= now < closes
        and tournament.status in TAKING_PROMOTIONS
    )


def _ensure_open(tournament: Tournament, now: datetime) -> None:
    if is_open(tournament, now):
        return
    opens, closes = tournament.checkin_opens_at, tournament.checkin_closes_at
    if opens is None or closes is None:
        raise CheckinNotOpenError(
            f"Tournament {tournament.id} has no check-in.", opens_at=None, closes_at=None
        )
    raise CheckinNotOpenError(
        f"Check-in for tournament {tournament.id} is open from {readable(opens)} to "
        f"{readable(closes)}.",
        opens_at=isoformat(opens),
        closes_at=isoformat(closes),
    )


def _own_registration(tournament: Tournament, actor: UserActor) -> Registration:
    """The caller's active registration: theirs (solo) or their team's (captain only)."""
    registration = queries.find_registration_of(tournament.id, actor.id)
    if registration is None:
        raise RegistrationNotFoundError(f"You have no registration in tournament {tournament.id}.")
    if not policies.is_registrant(actor, registration):
        raise NotTeamCaptainError("Team check-in is done by the captain.")
    return registration


def _publish(registration: Registration, event: str) -> None:
    realtime.publish(
        f"tournament:{registration.tournament_id}",
        event,
        {
            "registration_id": registration.id,
            "checked_in_at": isoformat(registration.checked_in_at)
            if registration.checked_in_at
            else None,
        },
    )


def _stamp(registration: Registration, actor: Actor | None, now: datetime) -> None:
    if registration.status != S.CONFIRMED:
        raise RegistrationNotConfirmedError(
            f"Registration {registration.id} is {registration.status.value}; only confirmed "
            "registrations check in."
        )
    if registration.checked_in_at is not None:
        return  # idempotent
    registration.checked_in_at = now
    registration.checked_in_by_id = getattr(actor, "id", None)
    db.session.flush()
    emit(signals.registration_checked_in, registration, actor_id=getattr(actor, "id", None))
    _publish(registration, "registration.checked_in")


def _clear(registration: Registration, actor: Actor | None) -> None:
    if registration.checked_in_at is None:
        return  # idempotent
    registration.checked_in_at = None
    registration.checked_in_by_id = None
    db.session.flush()
    emit(signals.registration_checkin_undone, registration, actor_id=getattr(actor, "id", None))
    _publish(registration, "registration.checkin_undone")


def check_in(tournament_id: int, *, actor: UserActor, now: datetime | None = None) -> Registration:
    """The player or captain checks in (idempotent). Raises RegistrationNotFoundError,
    NotTeamCaptainError, SanctionedError, CheckinNotOpenError, RegistrationNotConfirmedError."""
    now = now or utcnow()
    tournament = lock_tournament(tournament_id)
    tournament.ensure_not_frozen()
    registration = _own_registration(tournament, actor)
    check_sanctions([actor.id], tournament.id, team_id=registration.team_id, action=Action.CHECK_IN)
    _ensure_open(tournament, now)
    _stamp(registration, actor, now)
    return registration


def undo_own_check_in(
    tournament_id: int, *, actor: UserActor, now: datetime | None = None
) -> Registration:
    """The player or captain takes back a check-in, within 15 minutes and while the window is
    open. Raises RegistrationNotFoundError, NotTeamCaptainError, NotCheckedInError,
    CheckinNotOpenError, CheckinUndoExpiredError."""
    now = now or utcnow()
    tournament = lock_tournament(tournament_id)
    registration = _own_registration(tournament, actor)
    _undo_as_registrant(registration, tournament, actor, now)
    return registration


def _undo_as_registrant(
    registration: Registration, tournament: Tournament, actor: Actor | None, now: datetime
) -> None:
    if registration.checked_in_at is None:
        raise NotCheckedInError(f"Registration {registration.id} is not checked in.")
    _ensure_open(tournament, now)
    if now - registration.checked_in_at > UNDO_WINDOW:
        raise CheckinUndoExpiredError(
            "A check-in can be undone within 15 minutes; ask an organizer."
        )
    _clear(registration, actor)


def force_check_in(
    registration_id: int, *, actor: Actor | None, now: datetime | None = None
) -> Registration:
    """Organizers, referees and staff check a confirmed registration in, window or not.
    Audited.

    Raises RegistrationNotFoundError, PermissionDeniedError, RegistrationNotConfirmedError,
    InvalidTransitionError (finished tournament).
    """
    now = now or utcnow()
    registration, tournament = visible_registration(registration_id, actor)
    if not policies.can_force_check_in(actor, tournament):
        raise PermissionDeniedError(
            "Only the tournament's organizers, referees and staff may force a check-in."
        )
    if tournament.is_finished:
        raise InvalidTransitionError(f"Tournament {tournament.id} is {tournament.status.value}.")
    before = snapshot(registration)
    _stamp(registration, actor, now)
    audit_foreign(actor, registration, "registration.checked_in", before)
    return registration


def undo_check_in(
    registration_id: int, *, actor: Actor | None, now: datetime | None = None
) -> Registration:
    """Take a check-in back: organizers and staff at any time (audited); the registrant
    within 15 minutes while the window is open.

    Raises RegistrationNotFoundError, PermissionDeniedError, NotCheckedInError (registrant),
    CheckinNotOpenError, CheckinUndoExpiredError, InvalidTransitionError (finished tournament).
    """
    now = now or utcnow()
    registration, tournament = visible_registration(registration_id, actor)
    if policies.can_manage(actor, tournament):
        if tournament.is_finished:
            raise InvalidTransitionError(
                f"Tournament {tournament.id} is {tournament.status.value}."
            )
        before = snapshot(registration)
        _clear(registration, actor)
        audit_foreign(actor, registration, "registration.checkin_undone", before)
    elif policies.is_registrant(actor, registration):
        _undo_as_registrant(registration, tournament, actor, now)
    else:
        raise PermissionDeniedError("Only the registrant or an organizer may undo a check-in.")
    return registration


# ----- status and closing ---------------------------------------------------------------------
@dataclass(frozen=True)
class CheckinStatus:
    opens_at: datetime | None
    closes_at: datetime | None
    is_open: bool
    confirmed: int
    checked_in: int
    me: dict[str, Any] | None


def checkin_status(
    tournament: Tournament, *, actor: Actor | None, now: datetime | None = None
) -> CheckinStatus:
    """The window, the counts, and the caller's own registration (if they have one)."""
    now = now or utcnow()
    me = None
    user_id = user_id_of(actor)
    if user_id is not None:
        registration = queries.find_registration_of(tournament.id, user_id)
        if registration is not None:
            me = {
                "registration_id": registration.id,
                "status": registration.status.value,
                "checked_in_at": registration.checked_in_at,
                "can_check_in": registration.status == S.CONFIRMED
                and is_open(tournament, now)
                and policies.is_registrant(actor, registration),
                "can_undo": registration.checked_in_at is not None
                and is_open(tournament, now)
                and policies.is_registrant(actor, registration)
                and now - registration.checked_in_at <= UNDO_WINDOW,
            }
    return CheckinStatus(
        opens_at=tournament.checkin_opens_at,
        closes_at=tournament.checkin_closes_at,
        is_open=is_open(tournament, now),
        confirmed=queries.count_by_status(tournament.id, (S.CONFIRMED,)),
        checked_in=queries.count_checked_in(tournament.id),
        me=me,
    )


def close_checkin(
    tournament_id: int, *, actor: Actor, now: datetime | None = None
) -> dict[str, int]:
    """Close check-in: confirmed registrations not checked in → `no_show` (their fee is not
    refunded), then their places go to the waitlist. Safe to run again (nothing left to do).

    By hand (`flask tournaments close-checkin ID` as `SYSTEM`, or an organizer through the
    API: `actor`, checked and audited), it may run before `checkin_closes_at`. Raises
    PermissionDeniedError (actor not an organizer, or anonymous), InvalidTransitionError when
    the tournament is not between
    registration and start, CheckinNotOpenError when it has no check-in window.
    """
    now = now or utcnow()
    tournament = lock_tournament(tournament_id)
    if not is_system(actor):
        require_manager(actor, tournament)
    if tournament.status not in TAKING_PROMOTIONS:
        raise InvalidTransitionError(
            f"Tournament {tournament.id} is {tournament.status.value}: check-in cannot close."
        )
    if tournament.checkin_closes_at is None:
        raise CheckinNotOpenError(f"Tournament {tournament.id} has no check-in.")
    absent = db.session.scalars(
        sa.select(Registration).where(
            Registration.tournament_id == tournament.id,
            Registration.status == S.CONFIRMED,
            Registration.checked_in_at.is_(None),
        )
    ).all()
    for registration in absent:
        end(registration, S.NO_SHOW, now=now)
        emit(signals.registration_no_show, registration)
    db.session.flush()
    promoted = fill_places(tournament, now=now)
    counts = {"no_show": len(absent), "promoted": len(promoted)}
    if not is_system(actor):  # the sweep's and the operator command's closes stay unaudited
        audit.record(
            actor=actor, action="tournament.checkin_closed", target=tournament, after=counts
        )
    return counts


def close_due_checkins(now: datetime | None = None) -> dict[str, int]:
    """The sweep: close check-in for tournaments whose `checkin_closes_at` has come."""
    now = now or utcnow()
    totals = {"tournaments": 0, "no_show": 0, "promoted": 0}
    for tournament_id in list(db.session.scalars(queries.checkins_due_to_close(now))):
        counts = close_checkin(tournament_id, actor=SYSTEM, now=now)
        totals["tournaments"] += 1
        totals["no_show"] += counts["no_show"]
        totals["promoted"] += counts["promoted"]
    return totals
