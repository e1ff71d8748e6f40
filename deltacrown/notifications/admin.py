"""Staff's read-only view of notifications (who was told what, and the e-mail's state)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from deltacrown.core import admin_pages
from deltacrown.core.admin import ReadOnlyModelView
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.notifications.models import EmailStatus, Notification


class NotificationAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "recipient_id",
        "type",
        "title",
        "email_status",
        "created_at",
    )
    column_filters = ("recipient_id", "type", "email_status", "in_app")
    column_searchable_list = ("title",)
    column_default_sort = ("id", True)


def _failed_emails() -> int:
    since = utcnow() - timedelta(days=1)
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.email_status == EmailStatus.FAILED,
                Notification.created_at >= since,
            )
        )
        or 0
    )


def register_admin(admin: Any) -> None:
    admin.add_view(
        NotificationAdmin(
            Notification, db, category="Notifications", endpoint="admin_notifications"
        )
    )
    admin_pages.add_home_tile(
        admin,
        "Failed e-mails (24 h)",
        _failed_emails,
        (
            "admin_notifications.index_view",
            admin_pages.filter_args(
                admin, "admin_notifications", "email_status", EmailStatus.FAILED.value
            ),
        ),
        hint="Notification e-mails that gave up after every attempt.",
    )
