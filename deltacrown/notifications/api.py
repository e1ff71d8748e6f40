"""My notifications: the list (newest first, cursor-paginated), the unread count, marking
read, and my notification preferences."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.pagination import (
    CURSOR_RESPONSE_HEADERS,
    InvalidCursorError,
    cursor_page,
    with_next_cursor,
)
from deltacrown.core.scopes import TokenScopes
from deltacrown.notifications import services
from deltacrown.notifications.errors import NotificationNotFoundError
from deltacrown.notifications.models import Notification
from deltacrown.notifications.schemas import (
    NotificationQueryArgs,
    NotificationSchema,
    PreferencesSchema,
    PreferencesUpdateArgs,
    ReadAllSchema,
    UnreadCountSchema,
)

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api",
    description="My notifications (also live on the `/ws/me` websocket) and how I receive "
    "them: in the app, by e-mail, in a daily digest.",
    token_scopes=TokenScopes("notifications:read", "notifications:write"),
)


@blp.route("/notifications/")
class Notifications(MethodView):
    @login_required
    @blp.arguments(NotificationQueryArgs, location="query")
    @blp.response(200, NotificationSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(InvalidCursorError)
    def get(self, args: dict[str, Any]) -> Any:
        """My notifications, newest first (`?unread=true`: only unread ones); follow
        `X-Next-Cursor` for older ones."""
        user = require_user()
        query = services.visible(user.id)
        if args.get("unread"):
            query = query.where(Notification.read_at.is_(None))
        rows, next_cursor = cursor_page(query, Notification.id, args)
        return with_next_cursor([services.present(row) for row in rows], next_cursor)


@blp.route("/notifications/unread-count/")
class UnreadCount(MethodView):
    @login_required
    @blp.response(200, UnreadCountSchema)
    def get(self) -> Any:
        """How many of my notifications are unread."""
        return {"unread_count": services.unread_count(require_user().id)}


@blp.route("/notifications/<int:notification_id>/read/")
class MarkRead(MethodView):
    @login_required
    @blp.response(200, NotificationSchema)
    @blp.errors(NotificationNotFoundError)
    def post(self, notification_id: int) -> Any:
        """Mark one of my notifications read (already read: unchanged)."""
        row = services.mark_read(require_user().id, notification_id)
        return services.present(row)


@blp.route("/notifications/read-all/")
class MarkAllRead(MethodView):
    @login_required
    @blp.response(200, ReadAllSchema)
    def post(self) -> Any:
        """Mark every unread notification of mine read."""
        marked = services.mark_all_read(require_user().id)
        return {"marked": marked, "unread_count": 0}


@blp.route("/me/notification-preferences/")
class Preferences(MethodView):
    @login_required
    @blp.response(200, PreferencesSchema)
    def get(self) -> Any:
        """How I receive each kind of notification (in the app, by e-mail), their language,
        and whether I get the daily digest of unread ones."""
        return services.preferences(require_user().id)

    @login_required
    @blp.arguments(PreferencesUpdateArgs)
    @blp.response(200, PreferencesSchema)
    @blp.errors(422)
    def patch(self, args: dict[str, Any]) -> Any:
        """Change my language, digest option or any kind's channels; what I leave out keeps
        its value."""
        return services.update_preferences(
            require_user().id,
            language=args.get("language"),
            email_digest=args.get("email_digest"),
            types=args.get("types") or (),
        )
