"""The waitlist: joining it when the tournament is full, positions 1..n without gaps,
promotion into freed places, offers that expire, and the organizer's hand tools.

Promotion runs in the same unit of work as whatever freed the place (a cancellation, a
rejection, an expired offer, the check-in sweep), under the tournament lock: the place passes
to the head of the waitlist atomically, so a newcomer can never take it first and there is no
moment where a place is free while someone waits. A periodic sweep (`sweep`) also fills places
freed in other ways (an organizer raising `max_participants`) and expires unpaid offers.

What promotion gives, by entry fee:
* free → `confirmed` (or `pending` while an approval is outstanding);
* DeltaCoins → the registrant's wallet is debited at once and the registration confirmed; if
  the wallet is short, the player gets an *offer*: `pending` with `payment_due_at`, payable
  with `{"method": "deltacoin"}` before then;
* cash → an offer: `pending`, payment `awaiting`, `payment_due_at`.
An offer lasts `payment_deadline_hours`, but never past check-in closing (or the start, once
check-in has closed); when no time is left to pay, that player keeps their place in line and
the next one is considered. An unpaid offer past its deadline is cancelled (`payment_expired`)
by the sweep and the place passes on.

Places change hands only while the tournament is `registration_open` or `registration_closed`.
After check-in has closed, a promoted player who is confirmed at once is also checked in by the
system (see `common.confirm`): waitlisted players stand by for exactly this, and there is no
window left for them to check in.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from deltacrown.core import signals
from deltacrown.core.actors import SYSTEM, Actor, UserActor
from deltacrown.core.errors import InvalidTransitionError
from deltacrown.core.time import isoformat, utcnow
from deltacrown.economy.errors import InsufficientFundsError
from deltacrown.extensions import db
from deltacrown.registrations import policies, queries
from deltacrown.registrations.errors import NotOnWaitlistError, TournamentFullError
from deltacrown.registrations.models import (
    CancelReason,
    PaymentStatus,
    Registration,
    RegistrationStatus,
)
from deltacrown.registrations.services.cancellation import wind_up_cancelled_tournament
from deltacrown.registrations.services.common import (
    TAKING_PROMOTIONS,
    audit_foreign,
    confirm,
    emit,
    end,
    lock_tournament,
    payment_deadline,
    ready_to_confirm,
    require_manager,
    snapshot,
    visible_registration,
)
from deltacrown.registrations.services.payments import charge_coins
from deltacrown.tournaments.models import Tournament

S = RegistrationStatus
P = PaymentStatus


def free_places(tournament: Tournament) -> int:
    return max(0, tournament.max_participants - queries.count_holding(tournament.id))


def renumber(tournament_id: int) -> None:
    """Positions 1..n in line order, closing any gap (under the tournament lock)."""
    for position, registration in enumerate(queries.waitlisted(tournament_id), start=1):
        if registration.waitlist_position != position:
            registration.waitlist_position = position


def enqueue(registration: Registration, tournament: Tournament) -> None:
    """Put a new registration at the end of the line."""
    registration.status = S.WAITLISTED
    registration.waitlist_position = queries.last_position(tournament.id) + 1


def promote(
    registration: Registration,
    tournament: Tournament,
    *,
    now: datetime,
    actor: Actor | None = SYSTEM,
) -> bool:
    """Give a waitlisted registration a place; False (and nothing changed) when it cannot
    take one now because no time is left to pay."""
    registration.promoted_at = now
    if registration.fee_coins is not None:
        try:
            charge_coins(registration, tournament, actor=actor)
        except InsufficientFundsError:
            pass  # an offer to pay instead, below
    if registration.payment_status == P.AWAITING:
        deadline = payment_deadline(tournament, now)
        if deadline is None:
            registration.promoted_at = None
            return False
        registration.payment_due_at = deadline
    if ready_to_confirm(registration, tournament):
        confirm(registration, tournament, now)
    else:
        registration.status = S.PENDING
        registration.waitlist_position = None
    due = registration.payment_due_at
    emit(
        signals.waitlist_promoted,
        registration,
        status=registration.status.value,
        payment_due_at=isoformat(due) if due is not None else None,
    )
    return True


def fill_places(tournament: Tournament, *, now: datetime) -> list[Registration]:
    """Promote from the head of the waitlist into every free place (tournament locked)."""
    if tournament.status not in TAKING_PROMOTIONS:
        return []
    free = free_places(tournament)
    promoted: list[Registration] = []
    if free <= 0:
        return promoted
    for registration in queries.waitlisted(tournament.id):
        if free <= 0:
            break
        if promote(registration, tournament, now=now):
            db.session.flush()  # the next count must see this place taken
            promoted.append(registration)
            free -= 1
    if promoted:
        renumber(tournament.id)
        db.session.flush()
    return promoted


# ----- players and organizers ------------------------------------------------------------------
def leave_waitlist(
    tournament_id: int, *, actor: UserActor, now: datetime | None = None
) -> Registration:
    """The player (or captain) leaves the line; those behind move up. NotOnWaitlistError
    (404) when the caller has no waitlisted registration in the tournament."""
    now = now or utcnow()
    tournament = lock_tournament(tournament_id)
    tournament.ensure_not_frozen()
    registration = queries.find_registration_of(tournament.id, actor.id)
    if (
        registration is None
        or registration.status != S.WAITLISTED
        or not policies.can_act_for(actor, registration)
    ):
        raise NotOnWaitlistError(f"You are not on the waitlist of tournament {tournament_id}.")
    end(registration, S.CANCELLED, now=now, actor=actor, reason=CancelReason.LEFT_WAITLIST)
    db.session.flush()
    renumber(tournament.id)
    db.session.flush()
    emit(
        signals.registration_cancelled,
        registration,
        reason=CancelReason.LEFT_WAITLIST.value,
        actor_id=actor.id,
    )
    return registration


def promote_by_hand(
    registration_id: int, *, actor: Actor | None, now: datetime | None = None
) -> Registration:
    """Organizers/staff: give a free place to this waitlisted registration, out of turn.

    Raises RegistrationNotFoundError, PermissionDeniedError, InvalidTransitionError (not
    waitlisted, tournament past registration, no time left to pay), TournamentFullError.
    """
    now = now or utcnow()
    registration, tournament = visible_registration(registration_id, actor)
    require_manager(actor, tournament)
    if registration.status != S.WAITLISTED or tournament.status not in TAKING_PROMOTIONS:
        raise InvalidTransitionError(
            f"Registration {registration.id} is {registration.status.value} in a "
            f"{tournament.status.value} tournament: it cannot be promoted."
        )
    if free_places(tournament) <= 0:
        raise TournamentFullError(f"Tournament {tournament.id} has no free place.")
    before = snapshot(registration)
    if not promote(registration, tournament, now=now, actor=actor):
        raise InvalidTransitionError("No time is left to pay before the tournament starts.")
    db.session.flush()
    renumber(tournament.id)
    db.session.flush()
    audit_foreign(actor, registration, "registration.promoted", before)
    return registration


# ----- the sweep ---------------------------------------------------------------------------------
def expire_offers(tournament: Tournament, *, now: datetime) -> int:
    """Cancel this tournament's unpaid registrations past their deadline (`payment_expired`)."""
    expired = db.session.scalars(
        sa.select(Registration).where(
            Registration.tournament_id == tournament.id,
            Registration.status == S.PENDING,
            Registration.payment_status.in_((P.AWAITING, P.REJECTED)),
            Registration.payment_due_at <= now,
        )
    ).all()
    for registration in expired:
        end(registration, S.CANCELLED, now=now, reason=CancelReason.PAYMENT_EXPIRED)
        emit(
            signals.registration_cancelled,
            registration,
            reason=CancelReason.PAYMENT_EXPIRED.value,
            actor_id=None,
        )
    db.session.flush()
    return len(expired)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Every minute: expire unpaid offers and payments past their deadline, fill free places
    from waitlists, and wind up cancelled tournaments a missed signal left behind."""

    now = now or utcnow()
    counts = {"expired": 0, "promoted": 0, "wound_up": 0}
    for tournament_id in list(db.session.scalars(queries.expired_offers(now))):
        tournament = lock_tournament(tournament_id)
        counts["expired"] += expire_offers(tournament, now=now)
        counts["promoted"] += len(fill_places(tournament, now=now))
    for tournament_id in list(db.session.scalars(queries.tournaments_with_waitlist())):
        counts["promoted"] += len(fill_places(lock_tournament(tournament_id), now=now))
    for tournament_id in list(db.session.scalars(queries.cancelled_with_active_registrations())):
        counts["wound_up"] += wind_up_cancelled_tournament(tournament_id, actor=SYSTEM, now=now)
    return counts
