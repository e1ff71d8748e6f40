"""Representations of password reset, e-mail verification and OAuth sign-in."""

from __future__ import annotations

import marshmallow as ma

from deltacrown.core.api import BaseSchema

TOKEN = ma.validate.Length(min=1, max=128)


class PasswordResetRequestArgs(BaseSchema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=254))


class PasswordResetConfirmArgs(BaseSchema):
    token = ma.fields.String(required=True, validate=TOKEN)
    new_password = ma.fields.String(
        required=True, load_only=True, validate=ma.validate.Length(max=1024)
    )


class EmailVerificationConfirmArgs(BaseSchema):
    token = ma.fields.String(required=True, validate=TOKEN)


class ChangeEmailArgs(BaseSchema):
    new_email = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=254))
    password = ma.fields.String(
        required=True,
        load_only=True,
        validate=ma.validate.Length(max=1024),
        metadata={"description": "The current password"},
    )


class AcceptedSchema(ma.Schema):
    detail = ma.fields.String()


class VerifiedEmailSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    email_verified = ma.fields.Boolean()
    email_verified_at = ma.fields.AwareDateTime(format="iso", allow_none=True)


class OAuthStartSchema(ma.Schema):
    authorization_url = ma.fields.String(
        metadata={"description": "Send the browser here; it comes back to the callback."}
    )


class OAuthExchangeArgs(BaseSchema):
    code = ma.fields.String(required=True, validate=TOKEN)


class OAuthSignInSchema(ma.Schema):
    """The token pair of the signed-in account, and what the sign-in did."""

    access_token = ma.fields.String()
    refresh_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer(metadata={"description": "Access token lifetime in seconds"})
    outcome = ma.fields.String(
        metadata={
            "description": "`signed_in` (a linked account), `linked` (an account with the same "
            "verified e-mail, or the signed-in user of a link flow), or `created`."
        }
    )
    user_id = ma.fields.Integer()


class OAuthAccountSchema(ma.Schema):
    provider = ma.fields.String()
    provider_username = ma.fields.String(allow_none=True)
    linked_at = ma.fields.AwareDateTime(format="iso")
