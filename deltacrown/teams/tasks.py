"""Teams' Celery tasks (thin wrappers around services): the invite-expiry sweep."""

from __future__ import annotations

from celery import shared_task

from deltacrown.teams import invites


@shared_task(name="teams.expire_invites")
def expire_invites() -> int:
    """Mark pending team invites past their 72-hour expiry `expired`."""
    return invites.expire_invites()
