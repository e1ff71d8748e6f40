"""Winding up the registrations of a cancelled tournament (the `tournament_cancelled`
reaction): every active registration is cancelled (`tournament_cancelled`), every coin fee
goes back to its wallet, every manual payment made becomes a refund due for staff, and every
player is notified (`registration_cancelled`, after the commit).

Idempotent: a second run (a repeated signal, the safety-net sweep) finds nothing active,
economy refunds are keyed `refund:reg:<id>`, and a refund already due is not due again.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from deltacrown.core import signals
from deltacrown.core.actors import SYSTEM, Actor, user_id_of
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.registrations.models import CancelReason, Registration, RegistrationStatus
from deltacrown.registrations.services.common import emit, end, lock_tournament
from deltacrown.registrations.services.payments import give_back
from deltacrown.tournaments.errors import TournamentNotFoundError
from deltacrown.tournaments.models import TournamentStatus

S = RegistrationStatus


def wind_up_cancelled_tournament(
    tournament_id: int, *, actor: Actor = SYSTEM, now: datetime | None = None
) -> int:
    """Cancel, refund and notify; returns how many registrations were cancelled now.
    `actor`: whoever cancelled the tournament, or `SYSTEM` when the sweep finds one left.

    Does nothing unless the tournament is cancelled (a stale or forged signal).
    """
    now = now or utcnow()
    try:
        tournament = lock_tournament(tournament_id)
    except TournamentNotFoundError:
        return 0
    if tournament.status != TournamentStatus.CANCELLED:
        return 0
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.tournament_id == tournament.id)
        .order_by(Registration.id)
    ).all()
    cancelled = 0
    for registration in registrations:
        if registration.is_active:
            end(
                registration,
                S.CANCELLED,
                now=now,
                actor=actor,
                reason=CancelReason.TOURNAMENT_CANCELLED,
            )
            cancelled += 1
            emit(
                signals.registration_cancelled,
                registration,
                reason=CancelReason.TOURNAMENT_CANCELLED.value,
                actor_id=user_id_of(actor),
            )
        # Every fee still held goes back, no-shows' included: the tournament never happened.
        give_back(registration, actor=actor, now=now)
    db.session.flush()
    return cancelled
