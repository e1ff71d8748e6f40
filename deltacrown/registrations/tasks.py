"""Registrations' Celery tasks (thin wrappers around services): the minute sweeps and the
reaction to a cancelled tournament."""

from __future__ import annotations

from celery import shared_task

from deltacrown.accounts.models import User
from deltacrown.core.actors import SYSTEM, Actor
from deltacrown.extensions import db
from deltacrown.registrations import services


@shared_task(name="registrations.sweep")
def sweep() -> dict[str, int]:
    """Expire unpaid offers, fill free places from waitlists, wind up cancelled tournaments."""
    return services.sweep()


@shared_task(name="registrations.close_due_checkins")
def close_due_checkins() -> dict[str, int]:
    """Close check-in where `checkin_closes_at` has come: no-shows, then promotion."""
    return services.close_due_checkins()


@shared_task(name="registrations.wind_up_cancelled_tournament", acks_late=True)
def wind_up_cancelled_tournament(tournament_id: int, actor_id: int | None = None) -> int:
    """Cancel a cancelled tournament's registrations and give their fees back (idempotent)."""

    # Whoever cancelled the tournament; the system when no (remaining) user did.
    user = db.session.get(User, actor_id) if actor_id is not None else None
    actor: Actor = user if user is not None else SYSTEM
    return services.wind_up_cancelled_tournament(tournament_id, actor=actor)
