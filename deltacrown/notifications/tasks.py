"""Notifications' Celery tasks (thin wrappers): reacting to a committed event, sending one
e-mail, and the periodic sweeps (reminders, e-mail retries, the daily digest, retention).

Each runs twice safely: a reaction's notices are not repeated within the dedup window, an
e-mail is sent only while `pending`, reminders and digests are claimed by unique rows or
conditional updates.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from deltacrown.notifications import mailing, reactions, reminders, services


@shared_task(name="notifications.react")
def react(event: str, payload: dict[str, Any]) -> int:
    """Notify whoever a committed event concerns (`reactions.REACTIONS`)."""
    return reactions.react(event, payload)


@shared_task(name="notifications.send_email")
def send_email(notification_id: int) -> bool:
    """Send one notification's e-mail (failures are retried by `notifications.retry_emails`)."""
    return mailing.send_email(notification_id)


@shared_task(name="notifications.retry_emails")
def retry_emails() -> int:
    """Send the pending notification e-mails that are due (retries and missed sends)."""
    return mailing.retry_due()


@shared_task(name="notifications.send_reminders")
def send_reminders() -> dict[str, int]:
    """Check-in opening in 30 minutes, match starting in 15: each reminder once."""
    return {"checkin": reminders.checkin_reminders(), "match": reminders.match_reminders()}


@shared_task(name="notifications.send_digests")
def send_digests() -> int:
    """The daily digest of unread notifications, once per person per day."""
    return mailing.send_digests()


@shared_task(name="notifications.purge")
def purge() -> dict[str, int]:
    """Delete notifications read more than 90 days ago, and reminders long past."""
    return {"notifications": services.purge_old(), "reminders": reminders.purge_sent()}
