"""Tournaments' Celery tasks (thin wrappers around services)."""

from __future__ import annotations

from celery import shared_task

from deltacrown.tournaments.services import lifecycle


@shared_task(name="tournaments.apply_scheduled_transitions")
def apply_scheduled_transitions() -> dict[str, int]:
    """Open and close registration whose scheduled time has come."""
    return lifecycle.apply_scheduled_transitions()
