"""Account representations: `*Schema` out, `*Args` in."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from deltacrown.core import storage
from deltacrown.core.api import BaseSchema
from deltacrown.core.inputs import IdOrSlug


class PublicUserSchema(BaseSchema):
    """What anyone may see of a user: no e-mail, no flags."""

    id = ma.fields.Integer(dump_only=True)
    username = ma.fields.String()
    display_name = ma.fields.String(allow_none=True)
    country = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime(format="iso")


class MeSchema(PublicUserSchema):
    """The user's own account, with personal data."""

    email = ma.fields.String()
    is_staff = ma.fields.Boolean()
    is_superuser = ma.fields.Boolean()
    is_active = ma.fields.Boolean()
    email_verified = ma.fields.Boolean()
    last_login_at = ma.fields.AwareDateTime(format="iso", allow_none=True)
    avatar_url = ma.fields.Method("dump_avatar_url", allow_none=True)
    avatar_alt_text = ma.fields.String(
        allow_none=True, metadata={"description": "What the avatar shows (for screen readers)"}
    )

    def dump_avatar_url(self, user: object) -> str | None:
        key = getattr(user, "avatar_key", None)
        if not key:
            return None

        return storage.url(key)


class StaffUserSchema(MeSchema):
    updated_at = ma.fields.AwareDateTime(format="iso")


class RegisterArgs(BaseSchema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=30))
    email = ma.fields.String(required=True, validate=ma.validate.Length(max=254))
    password = ma.fields.String(
        required=True, load_only=True, validate=ma.validate.Length(max=1024)
    )
    display_name = ma.fields.String(validate=ma.validate.Length(max=60), allow_none=True)
    country = ma.fields.String(validate=ma.validate.Length(equal=2), allow_none=True)


class LoginArgs(BaseSchema):
    login = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=254),
        metadata={"description": "Username or e-mail"},
    )
    password = ma.fields.String(
        required=True, load_only=True, validate=ma.validate.Length(max=1024)
    )
    device_token = ma.fields.String(
        load_only=True,
        allow_none=True,
        validate=ma.validate.Length(max=512),
        metadata={
            "description": "The `device_token` of an earlier sign-in on this device: failed "
            "attempts by others do not lock this device out."
        },
    )


class TokenSchema(ma.Schema):
    access_token = ma.fields.String()
    refresh_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer(metadata={"description": "Access token lifetime in seconds"})
    device_token = ma.fields.String(
        metadata={
            "description": "Sign-in only: keep it and send it with subsequent sign-ins from this "
            "device (exempts it from lockouts other clients cause)."
        }
    )


class RegisteredSchema(MeSchema):
    """The new account and a signed-in session for it: the same tokens as login."""

    access_token = ma.fields.String()
    refresh_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer(metadata={"description": "Access token lifetime in seconds"})


class AccessTokenSchema(ma.Schema):
    access_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer()


class ProfileUpdateArgs(BaseSchema):
    display_name = ma.fields.String(validate=ma.validate.Length(max=60), allow_none=True)
    country = ma.fields.String(validate=ma.validate.Length(equal=2), allow_none=True)


class ChangePasswordArgs(BaseSchema):
    current_password = ma.fields.String(required=True, load_only=True)
    new_password = ma.fields.String(required=True, load_only=True)


class UserSearchArgs(BaseSchema):
    search = ma.fields.String(
        validate=ma.validate.Length(max=30), metadata={"description": "Username prefix"}
    )


class StaffUserQueryArgs(BaseSchema):
    search = ma.fields.String(validate=ma.validate.Length(max=100))
    is_staff = ma.fields.Boolean()
    is_active = ma.fields.Boolean()


class StaffUserUpdateArgs(BaseSchema):
    display_name = ma.fields.String(validate=ma.validate.Length(max=60), allow_none=True)
    country = ma.fields.String(validate=ma.validate.Length(equal=2), allow_none=True)
    is_active = ma.fields.Boolean()
    is_staff = ma.fields.Boolean()


class GameProfileSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    game = ma.fields.Function(lambda p: p.game.slug)
    game_id = ma.fields.Integer()
    in_game_id = ma.fields.String()
    created_at = ma.fields.AwareDateTime(format="iso")
    updated_at = ma.fields.AwareDateTime(format="iso")


class GameProfileCreateArgs(BaseSchema):
    game = IdOrSlug(required=True, metadata={"description": "Game id or slug"})
    in_game_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))


class GameProfileUpdateArgs(BaseSchema):
    in_game_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))


class AvatarAltTextArgs(BaseSchema):
    alt_text = ma.fields.String(
        required=True,
        validate=[
            ma.validate.Length(max=300),
            ma.validate.Predicate("strip", error="Describe the image in a few words."),
        ],
        error_messages={"required": "Alt text is required with an uploaded image."},
        metadata={"description": "What the image shows, for screen readers (form field)"},
    )


class AvatarUploadArgs(BaseSchema):
    file = Upload(
        required=True,
        metadata={"description": "PNG, JPEG or WebP, at most 2 MiB (type read from the bytes)"},
    )
