"""Notifications' write side: `notify()` (who gets a notice, in which language, in the app
and/or by e-mail, without repeats), marking read, preferences, and the retention sweep.

Every notice created is announced after the commit on its recipient's live channel
(`user:{id}`, served at `/ws/me`) as `notification.created`; a notice to e-mail is handed
to the `notifications.send_email` task after the commit (the retry sweep catches any the
task missed: `email_next_at` is when it may take over).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from deltacrown.core import realtime
from deltacrown.core.db import table_of
from deltacrown.core.time import isoformat, utcnow
from deltacrown.core.transaction import after_commit
from deltacrown.extensions import db
from deltacrown.notifications import audience
from deltacrown.notifications.errors import NotificationNotFoundError
from deltacrown.notifications.kinds import DEFAULTS, LANGUAGES, NotificationType, words
from deltacrown.notifications.models import (
    EmailStatus,
    Notification,
    NotificationPreference,
    NotificationSettings,
)

log = logging.getLogger(__name__)

SEND_EMAIL_TASK = "notifications.send_email"
EMAIL_TAKEOVER = timedelta(minutes=5)  # the sweep sends a pending e-mail the task missed


def channel_of(user_id: int) -> str:
    """The live channel of one person (`/ws/me`)."""
    return f"user:{user_id}"


@dataclass(frozen=True)
class Notice:
    """What to tell: the kind, the ids it is about (they make the repeat key and travel in
    `data`), the names its words mention, and a link to the resource."""

    kind: NotificationType
    subject: dict[str, int]
    context: dict[str, Any] = field(default_factory=dict)
    link: str | None = None

    @property
    def dedup_key(self) -> str:
        ids = ",".join(f"{key}={self.subject[key]}" for key in sorted(self.subject))
        return f"{self.kind.value}:{ids}"[:200]


# ----- preferences ---------------------------------------------------------------------------
def choices_for(user_ids: list[int], kind: NotificationType) -> dict[int, tuple[bool, bool]]:
    """(in_app, email) for `kind` of each person: their preference, else the default."""
    chosen = {
        user_id: (in_app, email)
        for user_id, in_app, email in db.session.execute(
            sa.select(
                NotificationPreference.user_id,
                NotificationPreference.in_app,
                NotificationPreference.email,
            ).where(
                NotificationPreference.user_id.in_(user_ids),
                NotificationPreference.type == kind,
            )
        )
    }
    return {user_id: chosen.get(user_id, DEFAULTS[kind]) for user_id in user_ids}


def languages_for(user_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(NotificationSettings.user_id, NotificationSettings.language).where(
            NotificationSettings.user_id.in_(user_ids)
        )
    )
    found = {int(user_id): str(language) for user_id, language in rows}
    return {user_id: found.get(user_id, "en") for user_id in user_ids}


def settings_of(user_id: int) -> NotificationSettings:
    """The person's settings row, created with the defaults on first use (flushed)."""
    settings = db.session.get(NotificationSettings, user_id)
    if settings is None:
        settings = NotificationSettings(user_id=user_id, language="en", email_digest=False)
        db.session.add(settings)
        db.session.flush()
    return settings


def preferences(user_id: int) -> dict[str, Any]:
    """Language, digest option and (in_app, email) for every kind."""
    settings = db.session.get(NotificationSettings, user_id)
    chosen = {
        pref.type: pref
        for pref in db.session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    types = []
    for kind in NotificationType:
        pref = chosen.get(kind)
        in_app, email = (pref.in_app, pref.email) if pref is not None else DEFAULTS[kind]
        types.append({"type": kind, "in_app": in_app, "email": email})
    return {
        "language": settings.language if settings is not None else "en",
        "email_digest": settings.email_digest if settings is not None else False,
        "types": types,
    }


def update_preferences(
    user_id: int,
    *,
    language: str | None = None,
    email_digest: bool | None = None,
    types: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Change the given settings; a kind's missing channel keeps its current value."""
    if language is not None or email_digest is not None:
        settings = settings_of(user_id)
        if language is not None:
            if language not in LANGUAGES:
                raise ValueError(language)
            settings.language = language
        if email_digest is not None:
            settings.email_digest = email_digest
    for change in types:
        kind = NotificationType(change["type"])
        pref = db.session.scalar(
            sa.select(NotificationPreference).where(
                NotificationPreference.user_id == user_id, NotificationPreference.type == kind
            )
        )
        if pref is None:
            in_app, email = DEFAULTS[kind]
            pref = NotificationPreference(user_id=user_id, type=kind, in_app=in_app, email=email)
            db.session.add(pref)
        if change.get("in_app") is not None:
            pref.in_app = bool(change["in_app"])
        if change.get("email") is not None:
            pref.email = bool(change["email"])
    db.session.flush()
    return preferences(user_id)


# ----- creating notices ----------------------------------------------------------------------
def notify(
    recipient_ids: Iterable[int], notice: Notice, *, now: datetime | None = None
) -> list[Notification]:
    """Tell each (active) recipient, as their preferences say, unless the same notice reached
    them within NOTIFICATION_DEDUP_SECONDS. Returns the notices created (flushed)."""
    now = now or utcnow()
    people = audience.active_user_ids(set(recipient_ids))
    if not people:
        return []
    user_ids = sorted(people)
    window = timedelta(seconds=int(current_app.config.get("NOTIFICATION_DEDUP_SECONDS", 600)))
    recent = set(
        db.session.scalars(
            sa.select(Notification.recipient_id).where(
                Notification.recipient_id.in_(user_ids),
                Notification.dedup_key == notice.dedup_key,
                Notification.created_at >= now - window,
            )
        )
    )
    choices = choices_for(user_ids, notice.kind)
    languages = languages_for(user_ids)
    created: list[Notification] = []
    for user_id in user_ids:
        in_app, email = choices[user_id]
        if user_id in recent or not (in_app or email):
            continue
        title, body = words(notice.kind, languages[user_id], notice.context)
        row = Notification(
            recipient_id=user_id,
            type=notice.kind,
            title=title[:200],
            body=body,
            link=notice.link,
            data=dict(notice.subject),
            dedup_key=notice.dedup_key,
            language=languages[user_id],
            in_app=in_app,
            created_at=now,
            email_status=EmailStatus.PENDING if email else EmailStatus.NONE,
            email_attempts=0,
            email_next_at=now + EMAIL_TAKEOVER if email else None,
        )
        db.session.add(row)
        created.append(row)
    if not created:
        return []
    db.session.flush()
    counts = unread_counts([row.recipient_id for row in created if row.in_app])
    for row in created:
        if row.in_app:
            realtime.publish(
                channel_of(row.recipient_id),
                "notification.created",
                {**present(row), "unread_count": counts.get(row.recipient_id, 0)},
            )
        if row.email_status == EmailStatus.PENDING:
            after_commit(enqueue_email, row.id)
    return created


def enqueue_email(notification_id: int) -> None:
    """Hand one e-mail to the worker (in-process in the embedded default). A failure here is
    logged: the retry sweep sends it once `email_next_at` has passed."""
    try:
        current_app.extensions["celery"].tasks[SEND_EMAIL_TASK].delay(notification_id)
    except Exception:
        log.exception("queueing the e-mail of notification %s failed", notification_id)


def present(row: Notification) -> dict[str, Any]:
    """The notification as clients see it (REST and `/ws/me`)."""
    return {
        "id": row.id,
        "type": row.type.value,
        "title": row.title,
        "body": row.body,
        "link": row.link,
        "data": dict(row.data or {}),
        "read": row.read_at is not None,
        "read_at": isoformat(row.read_at) if row.read_at is not None else None,
        "created_at": isoformat(row.created_at),
    }


# ----- reading -------------------------------------------------------------------------------
def visible(user_id: int) -> sa.Select[tuple[Notification]]:
    return sa.select(Notification).where(
        Notification.recipient_id == user_id, Notification.in_app.is_(True)
    )


def unread_count(user_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Notification.recipient_id == user_id,
                Notification.in_app.is_(True),
                Notification.read_at.is_(None),
            )
        )
        or 0
    )


def unread_counts(user_ids: list[int]) -> dict[int, int]:
    """`unread_count` of several people in one query."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        sa.select(Notification.recipient_id, sa.func.count())
        .where(
            Notification.recipient_id.in_(user_ids),
            Notification.in_app.is_(True),
            Notification.read_at.is_(None),
        )
        .group_by(Notification.recipient_id)
    )
    return {int(user_id): int(count) for user_id, count in rows}


def mark_read(user_id: int, notification_id: int) -> Notification:
    """Mark one of the person's notices read (again: no change)."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.recipient_id != user_id or not row.in_app:
        raise NotificationNotFoundError(f"You have no notification {notification_id}.")
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.flush()
        _announce_read(user_id, [row.id])
    return row


def mark_all_read(user_id: int) -> int:
    """Mark every unread notice of the person read; how many were."""
    now = utcnow()
    table = table_of(Notification)
    ids = list(
        db.session.scalars(
            sa.select(Notification.id).where(
                Notification.recipient_id == user_id,
                Notification.in_app.is_(True),
                Notification.read_at.is_(None),
            )
        )
    )
    if ids:
        db.session.execute(
            sa.update(table)
            .where(table.c.id.in_(ids), table.c.read_at.is_(None))
            .values(read_at=now)
        )
        db.session.expire_all()
        _announce_read(user_id, ids)
    return len(ids)


def _announce_read(user_id: int, ids: list[int]) -> None:
    realtime.publish(
        channel_of(user_id),
        "notification.read",
        {"ids": ids, "unread_count": unread_count(user_id)},
    )


# ----- retention -----------------------------------------------------------------------------
def purge_old(now: datetime | None = None) -> int:
    """Delete notices read more than NOTIFICATION_RETENTION_DAYS ago, and e-mail-only ones
    (never listed) whose e-mail is done and that are as old; how many."""
    now = now or utcnow()
    cutoff = now - timedelta(days=int(current_app.config.get("NOTIFICATION_RETENTION_DAYS", 90)))
    table = table_of(Notification)
    result = db.session.execute(
        sa.delete(table).where(
            sa.or_(
                table.c.read_at < cutoff,
                sa.and_(
                    table.c.in_app.is_(False),
                    table.c.email_status.in_([EmailStatus.SENT.value, EmailStatus.FAILED.value]),
                    table.c.created_at < cutoff,
                ),
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
