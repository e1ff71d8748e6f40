"""Notifications' problems."""

from __future__ import annotations

from deltacrown.core.errors import NotFoundError


class NotificationNotFoundError(NotFoundError):
    code, title = "notification_not_found", "Notification not found"
