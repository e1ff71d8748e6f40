"""In-app notifications, each person's preferences, and the reminders already sent.

* `Notification`: one notice to one person (`recipient_id`), its words in the person's
  language at the time, a link, the ids it is about (`data`), and whether it was read. A
  notice of a kind the person turned off in the app but wants by e-mail is kept with
  `in_app = False` (it carries the e-mail's state) and never listed. `dedup_key` (kind and
  subject ids) lets the service drop a repeat within `NOTIFICATION_DEDUP_SECONDS`.
* `NotificationPreference`: a person's choice for one kind (in_app, email); kinds without a
  row follow `kinds.DEFAULTS`.
* `NotificationSettings`: per person, the language of notices and e-mails and the daily
  digest option (and the day of the last digest, so it is sent once a day).
* `SentReminder`: one row per reminder sent (kind, subject, the time it announces), unique,
  so a sweep that runs again (or twice at once) never sends a reminder twice.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import UTCDateTime, enum_type, json_dict_column
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model
from deltacrown.notifications.kinds import NotificationType


class EmailStatus(enum.StrEnum):
    NONE = "none"  # not e-mailed (the person did not ask for this kind by e-mail)
    PENDING = "pending"  # to send (again at `email_next_at` after a failure)
    SENT = "sent"
    FAILED = "failed"  # gave up after NOTIFICATION_EMAIL_MAX_ATTEMPTS


class Notification(Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_recipient_id_id", "recipient_id", "id"),
        sa.Index("ix_notifications_recipient_id_read_at", "recipient_id", "read_at"),
        sa.Index("ix_notifications_recipient_id_dedup_key", "recipient_id", "dedup_key"),
        sa.Index("ix_notifications_email_status_email_next_at", "email_status", "email_next_at"),
        sa.Index("ix_notifications_read_at", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    type: Mapped[NotificationType] = mapped_column(enum_type(NotificationType, 40), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    link: Mapped[str | None] = mapped_column(sa.String(500))
    data: Mapped[dict[str, Any]] = json_dict_column(nullable=False)
    dedup_key: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    language: Mapped[str] = mapped_column(sa.String(5), nullable=False, default="en")
    in_app: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    email_status: Mapped[EmailStatus] = mapped_column(
        enum_type(EmailStatus), nullable=False, default=EmailStatus.NONE
    )
    email_attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    email_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(Model):
    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    type: Mapped[NotificationType] = mapped_column(enum_type(NotificationType, 40), nullable=False)
    in_app: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    email: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)


class NotificationSettings(Model):
    __tablename__ = "notification_settings"
    # The hourly digest's people: the digest on, none sent today.
    __table_args__ = (
        sa.Index("ix_notification_settings_email_digest_last_digest_on", "email_digest",
                 "last_digest_on"),
    )  # fmt: skip

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    language: Mapped[str] = mapped_column(sa.String(5), nullable=False, default="en")
    email_digest: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    last_digest_on: Mapped[date | None] = mapped_column(sa.Date)


class SentReminder(Model):
    __tablename__ = "sent_reminders"
    __table_args__ = (sa.UniqueConstraint("kind", "subject_id", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NotificationType] = mapped_column(enum_type(NotificationType, 40), nullable=False)
    subject_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
