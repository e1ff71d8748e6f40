"""Notifications' request and response schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from deltacrown.core.api import BaseSchema
from deltacrown.core.pagination import CursorArgs
from deltacrown.notifications.kinds import LANGUAGES, NotificationType


class NotificationSchema(BaseSchema):
    id = ma.fields.Integer()
    type = ma.fields.String(
        metadata={"description": "What it is about", "enum": [k.value for k in NotificationType]}
    )
    title = ma.fields.String()
    body = ma.fields.String()
    link = ma.fields.String(
        allow_none=True, metadata={"description": "The API path of what it is about"}
    )
    data = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        metadata={"description": "The ids it is about (tournament_id, match_id ...)"},
    )
    read = ma.fields.Boolean()
    read_at = ma.fields.String(allow_none=True, metadata={"format": "date-time"})
    created_at = ma.fields.String(metadata={"format": "date-time"})


class NotificationQueryArgs(CursorArgs):
    unread = ma.fields.Boolean(
        load_default=False, metadata={"description": "Only notifications not read yet"}
    )


class UnreadCountSchema(BaseSchema):
    unread_count = ma.fields.Integer()


class ReadAllSchema(BaseSchema):
    marked = ma.fields.Integer(metadata={"description": "How many were marked read"})
    unread_count = ma.fields.Integer()


class TypePreferenceSchema(BaseSchema):
    type = ma.fields.Enum(NotificationType, by_value=True, required=True)
    in_app = ma.fields.Boolean(metadata={"description": "Listed in the app and sent live"})
    email = ma.fields.Boolean(metadata={"description": "Sent by e-mail"})


class PreferencesSchema(BaseSchema):
    language = ma.fields.String(
        metadata={"description": "Language of notifications and e-mails", "enum": LANGUAGES}
    )
    email_digest = ma.fields.Boolean(
        metadata={"description": "A daily e-mail listing unread notifications (at most 50)"}
    )
    types = ma.fields.List(ma.fields.Nested(TypePreferenceSchema))


class PreferencesUpdateArgs(BaseSchema):
    language = ma.fields.String(validate=ma.validate.OneOf(LANGUAGES))
    email_digest = ma.fields.Boolean()
    types = ma.fields.List(
        ma.fields.Nested(TypePreferenceSchema),
        validate=ma.validate.Length(max=len(NotificationType)),
        metadata={"description": "Kinds to change; a channel left out keeps its value"},
    )

    @ma.validates_schema
    def _each_type_once(self, data: dict[str, Any], **kwargs: Any) -> None:
        kinds = [item.get("type") for item in data.get("types") or ()]
        if len(kinds) != len(set(kinds)):
            raise ma.ValidationError("Give each type at most once.", "types")
