"""Accounts' Celery tasks (thin wrappers around services)."""

from __future__ import annotations

from celery import shared_task

from deltacrown.accounts import services


@shared_task(name="accounts.purge_expired_revoked_tokens")
def purge_expired_revoked_tokens() -> int:
    """Forget revocations of refresh tokens that have expired anyway."""
    return services.purge_expired_revoked_tokens()
