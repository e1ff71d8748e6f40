"""Team representations: `*Schema` out (public: no e-mails), `*Args` in."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from deltacrown.core.api import BaseSchema
from deltacrown.core.inputs import IdOrSlug
from deltacrown.core.time import utcnow


class UserBriefSchema(BaseSchema):
    """The public face of a user on a team page or an invite."""

    id = ma.fields.Integer()
    username = ma.fields.String()
    display_name = ma.fields.String(allow_none=True)


class MemberSchema(BaseSchema):
    user_id = ma.fields.Integer()
    username = ma.fields.Function(lambda m: m.user.username)
    display_name = ma.fields.Function(lambda m: m.user.display_name, allow_none=True)
    role = ma.fields.String(metadata={"enum": ["captain", "player", "substitute"]})
    joined_at = ma.fields.AwareDateTime(format="iso")


class TeamSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String()
    tag = ma.fields.String()
    slug = ma.fields.String()
    game = ma.fields.Function(lambda t: t.game.slug, metadata={"description": "Game slug"})
    game_id = ma.fields.Integer()
    captain = ma.fields.Nested(UserBriefSchema)
    description = ma.fields.String(allow_none=True)
    logo_url = ma.fields.String(allow_none=True)
    logo_alt_text = ma.fields.String(
        allow_none=True, metadata={"description": "What the logo shows (for screen readers)"}
    )
    region = ma.fields.String(allow_none=True)
    is_active = ma.fields.Boolean()
    created_at = ma.fields.AwareDateTime(format="iso")
    updated_at = ma.fields.AwareDateTime(format="iso")
    disbanded_at = ma.fields.AwareDateTime(format="iso", allow_none=True)


class TeamDetailSchema(TeamSchema):
    """One team with its active roster (captain first)."""

    members = ma.fields.List(
        ma.fields.Nested(MemberSchema), attribute="active_members", dump_only=True
    )


class TeamBriefSchema(BaseSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    tag = ma.fields.String()
    slug = ma.fields.String()
    game = ma.fields.Function(lambda t: t.game.slug)


class InviteSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    team = ma.fields.Nested(TeamBriefSchema)
    user = ma.fields.Nested(UserBriefSchema, metadata={"description": "The invitee"})
    invited_by = ma.fields.Nested(UserBriefSchema, allow_none=True)
    role = ma.fields.String(metadata={"enum": ["player", "substitute"]})
    status = ma.fields.Method(
        "dump_status",
        metadata={
            "enum": ["pending", "accepted", "declined", "expired", "cancelled"],
            "description": "A pending invite past `expires_at` reads `expired`.",
        },
    )
    created_at = ma.fields.AwareDateTime(format="iso")
    expires_at = ma.fields.AwareDateTime(format="iso")
    responded_at = ma.fields.AwareDateTime(format="iso", allow_none=True)

    def dump_status(self, invite: Any) -> str:
        return str(invite.effective_status(utcnow()))


class TeamCreateArgs(BaseSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    tag = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=10),
        metadata={"description": "2-5 letters or digits; stored upper-case"},
    )
    game = IdOrSlug(required=True, metadata={"description": "Game id or slug"})
    description = ma.fields.String(validate=ma.validate.Length(max=2000), allow_none=True)
    logo_url = ma.fields.URL(
        schemes={"http", "https"}, validate=ma.validate.Length(max=500), allow_none=True
    )
    logo_alt_text = ma.fields.String(
        validate=ma.validate.Length(max=300),
        allow_none=True,
        metadata={"description": "What the logo shows, for screen readers: required with a logo"},
    )
    region = ma.fields.String(validate=ma.validate.Length(max=40), allow_none=True)


class TeamUpdateArgs(BaseSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    tag = ma.fields.String(validate=ma.validate.Length(min=1, max=10))
    description = ma.fields.String(validate=ma.validate.Length(max=2000), allow_none=True)
    logo_url = ma.fields.URL(
        schemes={"http", "https"}, validate=ma.validate.Length(max=500), allow_none=True
    )
    logo_alt_text = ma.fields.String(
        validate=ma.validate.Length(max=300),
        allow_none=True,
        metadata={"description": "What the logo shows, for screen readers: required with a logo"},
    )
    region = ma.fields.String(validate=ma.validate.Length(max=40), allow_none=True)


class TeamQueryArgs(BaseSchema):
    game = IdOrSlug(metadata={"description": "Game id or slug"})
    search = ma.fields.String(
        validate=ma.validate.Length(min=1, max=50),
        metadata={"description": "Part of the team's name or tag (case-insensitive)"},
    )


class InviteCreateArgs(BaseSchema):
    user = ma.fields.Integer(required=True, strict=True, metadata={"description": "User id"})
    role = ma.fields.String(
        load_default="player", validate=ma.validate.OneOf(["player", "substitute"])
    )


class TransferCaptainArgs(BaseSchema):
    user = ma.fields.Integer(
        required=True, strict=True, metadata={"description": "An active member's user id"}
    )


# What `?view=compact` keeps of each item of a list.
TEAM_COMPACT = (
    "id",
    "name",
    "tag",
    "slug",
    "game_id",
    "region",
    "is_active",
    "created_at",
)
