"""The match room over REST: read it and post in it (the same room as `chat.send` on
`/ws/matches/{id}`), and staff hide a message."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

from deltacrown.core.api import BaseSchema, Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.pagination import (
    CURSOR_RESPONSE_HEADERS,
    DEFAULT_CURSOR_LIMIT,
    CursorArgs,
    InvalidCursorError,
    decode_cursor,
    encode_cursor,
    with_next_cursor,
)
from deltacrown.core.scopes import TokenScopes
from deltacrown.extensions import db
from deltacrown.matches import chat
from deltacrown.matches.errors import (
    ChatMessageNotFoundError,
    ChatRateLimitedError,
    MatchNotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.matches.models import ChatMessage
from deltacrown.moderation.errors import MutedError

blp = Blueprint(
    "match_chat",
    __name__,
    url_prefix="/api",
    description="The match room: the sides, organizers and staff of a match talk in it.",
    token_scopes=TokenScopes("matches:read", "matches:chat"),
)


class ChatAuthorSchema(BaseSchema):
    id = ma.fields.Integer()
    username = ma.fields.String(allow_none=True)


class ChatMessageSchema(BaseSchema):
    id = ma.fields.Integer()
    author = ma.fields.Nested(ChatAuthorSchema)
    text = ma.fields.String()
    ts = ma.fields.String(metadata={"description": "When it was sent (ISO 8601, UTC)."})


class ChatSendArgs(BaseSchema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=chat.MAX_LENGTH))


@blp.route("/matches/<int:match_id>/chat/")
class MatchChat(MethodView):
    @login_required
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, ChatMessageSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(MatchNotFoundError, PermissionDeniedError, InvalidCursorError)
    def get(self, args: dict[str, Any], match_id: int) -> Any:
        """The match room's messages, newest first (sides, organizers and staff); follow
        `X-Next-Cursor` for older ones."""
        chat.room_match(match_id, require_user())
        limit = int(args.get("limit") or DEFAULT_CURSOR_LIMIT)
        query = chat.list_messages(match_id).order_by(ChatMessage.id.desc())
        if args.get("cursor"):
            query = query.where(ChatMessage.id < decode_cursor(args["cursor"]))
        rows = db.session.execute(query.limit(limit + 1)).all()
        items = [chat.present(message, username) for message, username in rows[:limit]]
        next_cursor = encode_cursor(items[-1]["id"]) if len(rows) > limit else None
        return with_next_cursor(items, next_cursor)

    @login_required
    @blp.arguments(ChatSendArgs)
    @blp.response(201, ChatMessageSchema)
    @blp.errors(
        MatchNotFoundError, PermissionDeniedError, MutedError, ValidationError, ChatRateLimitedError
    )
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """Post in the match room; the room's followers receive it as `chat.message`. A muted
        player gets 403 `muted`; five messages per ten seconds at most."""
        return chat.send(match_id, actor=require_user(), text=args["text"])


@blp.route("/matches/<int:match_id>/chat/<int:message_id>/hide/")
class MatchChatHide(MethodView):
    @login_required
    @blp.response(200, ChatMessageSchema)
    @blp.errors(PermissionDeniedError, ChatMessageNotFoundError)
    def post(self, match_id: int, message_id: int) -> Any:
        """Hide a message from the room (staff); followers receive `chat.hidden`."""
        return chat.hide(match_id, message_id, actor=require_user())
