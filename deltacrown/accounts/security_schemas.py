"""Representations of two-factor sign-in and personal access tokens: `*Schema` out, `*Args` in."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from deltacrown.accounts.schemas import TokenSchema
from deltacrown.core.api import BaseSchema
from deltacrown.core.scopes import SCOPES

CODE = ma.fields.String(
    validate=ma.validate.Length(min=6, max=10),
    metadata={"description": "The current 6-digit code of the authenticator app"},
)
RECOVERY_CODE = ma.fields.String(
    validate=ma.validate.Length(min=8, max=40),
    metadata={"description": "One of the recovery codes (each works once)"},
)


def _one_of_code_or_recovery(data: dict[str, Any]) -> None:
    if bool(data.get("code")) == bool(data.get("recovery_code")):
        raise ma.ValidationError("Send either `code` or `recovery_code`.", "_schema")


class SignInResultSchema(TokenSchema):
    """Tokens, or (for an account with two-factor sign-in) the step that asks for a code."""

    mfa_required = ma.fields.Boolean(
        metadata={"description": "True: send `mfa_token` with a code to POST /api/auth/2fa/verify/"}
    )
    mfa_token = ma.fields.String(
        metadata={"description": "Valid for MFA_TOKEN_SECONDS (5 minutes), once"}
    )


class TwoFactorStatusSchema(ma.Schema):
    enabled = ma.fields.Boolean()
    pending = ma.fields.Boolean(metadata={"description": "Set up but not yet enabled"})
    recovery_codes_left = ma.fields.Integer()
    required = ma.fields.Boolean(
        metadata={"description": "This account is staff and staff must use two-factor sign-in"}
    )


class TwoFactorSetupSchema(ma.Schema):
    secret = ma.fields.String(metadata={"description": "Base32 secret (shown only now)"})
    otpauth_uri = ma.fields.String(metadata={"description": "otpauth:// URI for the app"})
    qr_svg = ma.fields.String(metadata={"description": "The URI as a QR code (inline SVG)"})


class RecoveryCodesSchema(ma.Schema):
    recovery_codes = ma.fields.List(
        ma.fields.String(), metadata={"description": "Shown only now; each works once"}
    )


class TwoFactorCodeArgs(BaseSchema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=6, max=10))


class TwoFactorDisableArgs(BaseSchema):
    code = CODE
    recovery_code = RECOVERY_CODE

    @ma.validates_schema
    def _one(self, data: dict[str, Any], **kwargs: Any) -> None:
        _one_of_code_or_recovery(data)


class TwoFactorVerifyArgs(BaseSchema):
    mfa_token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=512))
    code = CODE
    recovery_code = RECOVERY_CODE

    @ma.validates_schema
    def _one(self, data: dict[str, Any], **kwargs: Any) -> None:
        _one_of_code_or_recovery(data)


class PersonalTokenSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String()
    scopes = ma.fields.List(ma.fields.String())
    prefix = ma.fields.String(metadata={"description": "The token's first characters"})
    created_at = ma.fields.AwareDateTime(format="iso")
    expires_at = ma.fields.AwareDateTime(format="iso", allow_none=True)
    last_used_at = ma.fields.AwareDateTime(
        format="iso", allow_none=True, metadata={"description": "Updated at most once a minute"}
    )


class PersonalTokenCreatedSchema(PersonalTokenSchema):
    token = ma.fields.String(metadata={"description": "The token itself: shown only now"})


class PersonalTokenCreateArgs(BaseSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    scopes = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(list(SCOPES))),
        required=True,
        validate=ma.validate.Length(min=1, max=len(SCOPES)),
    )
    expires_at = ma.fields.AwareDateTime(
        format="iso", allow_none=True, metadata={"description": "Omit for a token that lasts"}
    )
