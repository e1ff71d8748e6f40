"""Staff's read-only view of notifications (who was told what, and the e-mail's state)."""

from __future__ import annotations

from typing import Any

from deltacrown.core.admin import ReadOnlyModelView
from deltacrown.extensions import db
from deltacrown.notifications.models import Notification


class NotificationAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "recipient_id",
        "type",
        "title",
        "read_at",
        "in_app",
        "email_status",
        "email_attempts",
        "created_at",
    )
    column_filters = ("recipient_id", "type", "email_status", "in_app")
    column_searchable_list = ("title",)
    column_default_sort = ("id", True)


def register_admin(admin: Any) -> None:
    admin.add_view(
        NotificationAdmin(
            Notification, db, category="Notifications", endpoint="admin_notifications"
        )
    )
