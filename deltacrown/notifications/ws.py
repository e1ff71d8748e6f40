"""My live channel: `/ws/me` follows `user:{my id}`, where my notifications arrive as
`notification.created` and reads (from any of my devices) as `notification.read`. Same
envelope, `seq`, `resume` and limits as the match channels; a token is required (as
`?token=` or the first message `{"type": "auth", "token": ...}`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from deltacrown.core import ws
from deltacrown.extensions import sock
from deltacrown.notifications import services

bp = Blueprint("notifications_ws", __name__)


def channel() -> ws.Channel:
    """The channel is the first authenticated user's: a later `auth` may renew the token
    but not switch to another person (4403)."""
    me = ws.Channel(name="user:?", route="me", check=lambda user: None)

    def check(user: Any) -> int | None:
        if user is None:
            return ws.CLOSE_UNAUTHENTICATED
        owner = services.channel_of(user.id)
        if me.name not in ("user:?", owner):
            return ws.CLOSE_FORBIDDEN
        me.name = owner
        return None

    def describe(user: Any) -> dict[str, Any]:
        return {"unread_count": services.unread_count(user.id)}

    me.check = check
    me.describe = describe
    return me


@sock.route("/ws/me", bp=bp)
def follow_me(sock_ws: Any) -> None:
    """Follow my notifications: `notification.created`, `notification.read` (docs/notifications.md)."""
    ws.follow(sock_ws, channel)
