"""Helpers shared by the registration services: loading under the tournament lock, status
changes that keep the roster index in step, confirmation, deadlines, audit and signals.

Lock order, everywhere: the tournament row first (`SELECT ... FOR UPDATE`), then the
registration re-read fresh. Capacity, waitlist positions and every status change of a
registration are decided under that lock, so concurrent sign-ups, cancellations, sweeps and
promotions of one tournament run one at a time (on SQLite, BEGIN IMMEDIATE does the same).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from deltacrown.core import audit, signals
from deltacrown.core.actors import SYSTEM, Actor, user_id_of
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.signals import send_after_commit
from deltacrown.extensions import db
from deltacrown.moderation import enforcement as moderation
from deltacrown.registrations import policies, queries
from deltacrown.registrations.errors import RegistrationNotFoundError, TournamentNotFoundError
from deltacrown.registrations.models import (
    CancelReason,
    PaymentStatus,
    Registration,
    RegistrationStatus,
)
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.models import Tournament, TournamentStatus

S = RegistrationStatus
SENDER = "registrations"
# Statuses in which places may still change hands (promotion, offers).
TAKING_PROMOTIONS = (TournamentStatus.REGISTRATION_OPEN, TournamentStatus.REGISTRATION_CLOSED)


# ----- loading -------------------------------------------------------------------------------
def lock_tournament(tournament_id: int) -> Tournament:
    """The tournament row, locked for the rest of the unit of work (404 when deleted)."""
    return tournament_queries.get_tournament(tournament_id, for_update=True)


def locked_registration(registration_id: int) -> tuple[Registration, Tournament]:
    """A registration and its tournament, the tournament locked first, the row re-read."""
    registration = queries.get_registration(registration_id)
    try:
        tournament = lock_tournament(registration.tournament_id)
    except TournamentNotFoundError as exc:
        raise RegistrationNotFoundError(f"No registration {registration_id}.") from exc
    return queries.get_registration(registration_id, fresh=True), tournament


def visible_registration(
    registration_id: int, actor: Actor | None
) -> tuple[Registration, Tournament]:
    """Locked, and visible to `actor` (registrant, roster, organizers, staff) or 404."""
    registration, tournament = locked_registration(registration_id)
    if not policies.can_view(actor, registration):
        raise RegistrationNotFoundError(f"No registration {registration_id}.")
    return registration, tournament


def require_manager(actor: Actor | None, tournament: Tournament) -> None:
    if not policies.can_manage(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff may do this.")


def check_sanctions(
    user_ids: list[int],
    tournament_id: int,
    *,
    team_id: int | None = None,
    action: moderation.Action = moderation.Action.REGISTER,
) -> None:
    """SanctionedError (403 `sanctioned`) when a ban or a suspension (global, or for this
    tournament) stops any of the users, or their team `team_id` (moderation decides)."""
    for user_id in user_ids:
        moderation.enforce(
            user_id,
            action,
            tournament_id,
            team_id=team_id,
            subject=f"User {user_id}",
        )


# ----- time ------------------------------------------------------------------------------------
def checkin_closed(tournament: Tournament, now: datetime) -> bool:
    closes = tournament.checkin_closes_at
    return closes is not None and now >= closes


def payment_deadline(tournament: Tournament, now: datetime) -> datetime | None:
    """When an offer or a manual payment expires: `payment_deadline_hours` from now, but no
    later than check-in closing (so a payer can still check in), or the start once check-in
    has closed. None when that moment has already passed (no time left to pay)."""
    cap = tournament.start_at
    if tournament.checkin_closes_at is not None and now < tournament.checkin_closes_at:
        cap = tournament.checkin_closes_at
    deadline = min(now + timedelta(hours=tournament.payment_deadline_hours), cap)
    return deadline if deadline > now else None


# ----- status changes ----------------------------------------------------------------------------
def ready_to_confirm(registration: Registration, tournament: Tournament) -> bool:
    """Paid (or free) and, where the tournament asks for it, approved."""
    paid = registration.payment_status in (PaymentStatus.NOT_REQUIRED, PaymentStatus.VERIFIED)
    approved = not tournament.requires_approval or registration.approved_at is not None
    return paid and approved


def confirm(registration: Registration, tournament: Tournament, now: datetime) -> None:
    """pending/waitlisted → confirmed. Confirmed after check-in has closed, the registration
    is checked in by the system: there is no window left, and the sweep would otherwise
    turn a player who did everything asked of them into a no-show."""
    registration.status = S.CONFIRMED
    registration.waitlist_position = None
    registration.payment_due_at = None
    registration.confirmed_at = now
    if checkin_closed(tournament, now) and registration.checked_in_at is None:
        registration.checked_in_at = now
        registration.checked_in_by_id = None
    emit(signals.registration_confirmed, registration)


def end(
    registration: Registration,
    status: RegistrationStatus,
    *,
    now: datetime,
    actor: Actor | None = SYSTEM,
    reason: CancelReason | None = None,
) -> None:
    """Move to a final status (cancelled, rejected, no_show): the place, the waitlist spot
    and the roster are released (members stop counting for "one roster per player")."""
    registration.status = status
    registration.waitlist_position = None
    registration.payment_due_at = None
    if status == S.CANCELLED:
        registration.cancelled_at = now
        registration.cancelled_by_id = user_id_of(actor)
        registration.cancel_reason = reason
    for member in registration.members:
        member.is_active = False


def snapshot(registration: Registration) -> dict[str, Any]:
    return {
        "status": registration.status.value,
        "payment_status": registration.payment_status.value,
        "waitlist_position": registration.waitlist_position,
        "checked_in_at": registration.checked_in_at,
    }


def audit_foreign(
    actor: Actor | None,
    registration: Registration,
    action: str,
    before: dict[str, Any],
    **extra: Any,
) -> None:
    """Audit an action on someone else's registration (an organizer's, staff's or the
    system's); a registrant's own actions and anonymous callers leave no entry."""
    if actor is None or policies.is_registrant(actor, registration):
        return
    audit.record(
        actor=actor,
        action=action,
        target=registration,
        before=before,
        after={**snapshot(registration), **extra},
    )


def emit(signal: Any, registration: Registration, **payload: Any) -> None:
    """Send `signal` after the commit with the registration's ids (never personal data)."""
    send_after_commit(
        signal,
        SENDER,
        registration_id=registration.id,
        tournament_id=registration.tournament_id,
        **payload,
    )


def flush() -> None:
    db.session.flush()
