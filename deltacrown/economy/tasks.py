"""Economy's Celery tasks (thin wrappers around services): the hold expiry sweep."""

from __future__ import annotations

from celery import shared_task

from deltacrown.economy.services import shop


@shared_task(name="economy.release_expired_holds")
def release_expired_holds() -> int:
    """Release holds (and held purchases) past their expiry; returns how many."""
    return shop.release_expired_holds()
