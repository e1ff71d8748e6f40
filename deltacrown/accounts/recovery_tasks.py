"""Celery tasks of account recovery: the password-reset and verification e-mails (started
through `core.background`, so a request never waits for them), and the sweep of old tokens.

A message lost with the process is not sent again: the person asks for a new link."""

from __future__ import annotations

from celery import shared_task

from deltacrown.accounts import account_tokens, recovery, verification


@shared_task(name=recovery.RESET_TASK)
def send_password_reset(email: str) -> bool:
    """Mail a reset link to the account with this address, if there is one."""
    return recovery.deliver_password_reset(email)


@shared_task(name=verification.SEND_TASK)
def send_verification_email(user_id: int) -> bool:
    """Mail a verification link to the account's current address (unless verified)."""
    return verification.deliver_verification(user_id)


@shared_task(name="accounts.purge_expired_account_tokens")
def purge_expired_account_tokens() -> int:
    """Delete reset and sign-in tokens that expired a week ago or more."""
    return account_tokens.purge_expired()
