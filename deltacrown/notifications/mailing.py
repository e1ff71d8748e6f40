"""Notification e-mails: rendering (Jinja, text and HTML, in the person's language) and
sending through `core.mail`, with retries, and the daily digest.

A notice to e-mail is `pending`. `send_email(id)` renders it, hands it to the mail backend
outside any transaction (never holding SQLite's write lock across the network), then marks
it `sent`, or counts the failure and sets `email_next_at` (1, 2, 4 ... minutes, at most an
hour apart); after NOTIFICATION_EMAIL_MAX_ATTEMPTS it is `failed`. `retry_due()` (a minute
sweep) queues every pending e-mail whose `email_next_at` has passed, including any whose
first task was lost.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import jinja2
import sqlalchemy as sa
from flask import current_app

from deltacrown.accounts.models import User
from deltacrown.core import mail
from deltacrown.core.db import table_of
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import after_commit, outside_transaction, write_intent
from deltacrown.extensions import db
from deltacrown.notifications.models import EmailStatus, Notification, NotificationSettings
from deltacrown.notifications.services import EMAIL_TAKEOVER, enqueue_email

log = logging.getLogger(__name__)

DIGEST_LIMIT = 50
RETRY_BATCH = 100
MAX_BACKOFF = timedelta(hours=1)
PREFERENCES_PATH = "/api/me/notification-preferences/"
DIGEST_SUBJECTS = {
    "en": "DeltaCrown: {count} unread notification(s)",
    "bn": "DeltaCrown: {count}টি না-পড়া বিজ্ঞপ্তি",
}

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("deltacrown.notifications", "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


def absolute(path: str | None) -> str | None:
    if path is None:
        return None
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}{path}"


def render(name: str, language: str, **context: Any) -> tuple[str, str]:
    """The text and HTML bodies of template `name` in `language` (English if missing)."""
    language = language if language in DIGEST_SUBJECTS else "en"
    context.setdefault("preferences_url", absolute(PREFERENCES_PATH))
    text = _templates.get_template(f"email/{language}/{name}.txt").render(**context)
    html = _templates.get_template(f"email/{language}/{name}.html").render(**context)
    return text, html


def notification_message(row: Notification, user: User) -> mail.Message:
    text, html = render(
        "notification",
        row.language,
        username=user.display_name or user.username,
        title=row.title,
        body=row.body,
        link=absolute(row.link),
    )
    return mail.Message(
        to=user.email, subject=row.title, text=text, html=html, language=row.language
    )


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 1, 2, 4 ... minutes, at most MAX_BACKOFF."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def send_email(notification_id: int, now: datetime | None = None) -> bool:
    """Send one pending notice's e-mail; True when sent. Not pending (sent, failed, gone):
    nothing is sent. The notice is read and rendered without taking SQLite's write lock,
    sent outside any transaction, and only its new state is written."""
    with write_intent(False):
        row = db.session.get(Notification, notification_id)
        if row is None or row.email_status != EmailStatus.PENDING:
            return False
        user = db.session.get(User, row.recipient_id)
        message = notification_message(row, user) if user is not None and user.is_active else None
    error: str | None = None
    with outside_transaction():  # nothing written yet: no lock is held while we send
        if message is not None:
            try:
                mail.send(message)
            except mail.MailError as exc:
                error = str(exc)
    row = db.session.get(Notification, notification_id)
    if row is None or row.email_status != EmailStatus.PENDING:
        return message is not None and error is None
    now = now or utcnow()
    if message is None:  # the account is gone or disabled
        row.email_status, row.email_next_at = EmailStatus.FAILED, None
        return False
    row.email_attempts += 1
    if error is None:
        row.email_status, row.emailed_at, row.email_next_at = EmailStatus.SENT, now, None
        return True
    limit = int(current_app.config.get("NOTIFICATION_EMAIL_MAX_ATTEMPTS", 6))
    log.warning(
        "e-mail of notification %s failed (attempt %s): %s", row.id, row.email_attempts, error
    )
    if row.email_attempts >= limit:
        row.email_status, row.email_next_at = EmailStatus.FAILED, None
    else:
        row.email_next_at = now + backoff(row.email_attempts)
    return False


def retry_due(now: datetime | None = None) -> int:
    """Hand the pending e-mails whose time has come to `notifications.send_email`, each
    claimed for EMAIL_TAKEOVER first (a conditional update, so two sweeps never queue one
    twice); they are sent after this sweep commits. How many were queued."""
    now = now or utcnow()
    table = table_of(Notification)
    ids = list(
        db.session.scalars(
            sa.select(Notification.id)
            .where(
                Notification.email_status == EmailStatus.PENDING,
                Notification.email_next_at <= now,
            )
            .order_by(Notification.email_next_at)
            .limit(RETRY_BATCH)
        )
    )
    queued = 0
    for notification_id in ids:
        claimed = db.session.execute(
            sa.update(table)
            .where(
                table.c.id == notification_id,
                table.c.email_status == EmailStatus.PENDING.value,
                table.c.email_next_at <= now,
            )
            .values(email_next_at=now + EMAIL_TAKEOVER)
        )
        if getattr(claimed, "rowcount", 0) == 1:
            after_commit(enqueue_email, notification_id)
            queued += 1
    return queued


# ----- the daily digest ----------------------------------------------------------------------
def digest_message(user: User, language: str) -> mail.Message | None:
    """Up to DIGEST_LIMIT of the person's unread notices, newest first; None when none."""
    unread = (
        Notification.recipient_id == user.id,
        Notification.in_app.is_(True),
        Notification.read_at.is_(None),
    )
    total = int(db.session.scalar(sa.select(sa.func.count()).where(*unread)) or 0)
    if total == 0:
        return None
    items = list(
        db.session.scalars(
            sa.select(Notification)
            .where(*unread)
            .order_by(Notification.id.desc())
            .limit(DIGEST_LIMIT)
        )
    )
    text, html = render(
        "digest",
        language,
        username=user.display_name or user.username,
        total=total,
        items=[{"title": n.title, "body": n.body} for n in items],
    )
    subject = DIGEST_SUBJECTS.get(language, DIGEST_SUBJECTS["en"]).format(count=total)
    return mail.Message(to=user.email, subject=subject, text=text, html=html, language=language)


def send_digests(now: datetime | None = None) -> int:
    """Each person with the digest on who has unread notices and had no digest today gets
    one (claimed by a conditional update, so two sweeps never send it twice); how many.
    The e-mails go after the commit; a failed one is logged (tomorrow's digest follows)."""
    now = now or utcnow()
    today = now.date()
    table = table_of(NotificationSettings)
    # Only those with an unread notice: the others would cost two queries each, every hour.
    unread = sa.exists().where(
        Notification.recipient_id == NotificationSettings.user_id,
        Notification.in_app.is_(True),
        Notification.read_at.is_(None),
    )
    candidates = db.session.execute(
        sa.select(NotificationSettings.user_id, NotificationSettings.language).where(
            NotificationSettings.email_digest == sa.true(),
            sa.or_(
                NotificationSettings.last_digest_on.is_(None),
                NotificationSettings.last_digest_on < today,
            ),
            unread,
        )
    ).all()
    sent = 0
    for user_id, language in candidates:
        user = db.session.get(User, user_id)
        if user is None or not user.is_active:
            continue
        message = digest_message(user, language)
        if message is None:
            continue
        claimed = db.session.execute(
            sa.update(table)
            .where(
                table.c.user_id == user_id,
                sa.or_(table.c.last_digest_on.is_(None), table.c.last_digest_on < today),
            )
            .values(last_digest_on=today)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            continue
        after_commit(_send_logged, message)
        sent += 1
    return sent


def _send_logged(message: mail.Message) -> None:
    try:
        mail.send(message)
    except mail.MailError:
        log.exception("the daily digest to user %s could not be sent", message.to)
