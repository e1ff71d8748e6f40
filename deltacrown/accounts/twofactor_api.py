"""Two-factor sign-in API: set up, enable and disable an authenticator; the sign-in's second step."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.accounts import lockout, services, tokens, twofactor
from deltacrown.accounts.errors import LoginLockedError
from deltacrown.accounts.schemas import TokenSchema
from deltacrown.accounts.security_schemas import (
    RecoveryCodesSchema,
    TwoFactorCodeArgs,
    TwoFactorDisableArgs,
    TwoFactorSetupSchema,
    TwoFactorStatusSchema,
    TwoFactorVerifyArgs,
)
from deltacrown.accounts.twofactor import (
    InvalidOtpError,
    MfaTokenInvalidError,
    OtpReusedError,
    TwoFactorAlreadyEnabledError,
    TwoFactorNotEnabledError,
    TwoFactorNotSetUpError,
)
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.ratelimit import auth_limit, ip_key
from deltacrown.extensions import limiter

blp = Blueprint(
    "two_factor",
    __name__,
    url_prefix="/api/auth/2fa",
    description="Two-factor sign-in with an authenticator app (TOTP) and recovery codes.",
)


@blp.route("/")
class TwoFactorStatus(MethodView):
    @login_required
    @blp.response(200, TwoFactorStatusSchema)
    def get(self) -> Any:
        """Whether my two-factor sign-in is on, and how many recovery codes are left."""
        user = require_user()
        state = twofactor.state_of(user.id)
        return {
            "enabled": state is not None and state.enabled_at is not None,
            "pending": state is not None and state.enabled_at is None,
            "recovery_codes_left": twofactor.recovery_codes_left(user),
            "required": twofactor.staff_second_factor_missing(user),
        }


@blp.route("/setup/")
class TwoFactorSetup(MethodView):
    @login_required
    @blp.response(200, TwoFactorSetupSchema)
    @blp.errors(TwoFactorAlreadyEnabledError)
    def post(self) -> Any:
        """Start setting up an authenticator app: a new secret, its `otpauth://` URI and a QR
        code (SVG) to scan. Nothing is on until POST /api/auth/2fa/enable/ with a code; the
        secret is never shown again."""
        return twofactor.begin_setup(require_user())


@blp.route("/enable/")
class TwoFactorEnable(MethodView):
    @login_required
    @blp.arguments(TwoFactorCodeArgs)
    @blp.response(200, RecoveryCodesSchema)
    @blp.errors(
        TwoFactorAlreadyEnabledError, TwoFactorNotSetUpError, InvalidOtpError, LoginLockedError
    )
    def post(self, args: dict[str, Any]) -> Any:
        """Turn two-factor sign-in on with the app's current code. Answers ten recovery codes,
        shown only now: each replaces a code once when the app is lost. Wrong codes count
        toward the account's sign-in lockout."""
        return {"recovery_codes": twofactor.enable(require_user(), args["code"])}


@blp.route("/disable/")
class TwoFactorDisable(MethodView):
    @login_required
    @blp.arguments(TwoFactorDisableArgs)
    @blp.response(204)
    @blp.errors(TwoFactorNotEnabledError, InvalidOtpError, OtpReusedError, LoginLockedError, 422)
    def post(self, args: dict[str, Any]) -> None:
        """Turn two-factor sign-in off with a current code or a recovery code."""
        twofactor.disable(
            require_user(), code=args.get("code"), recovery_code=args.get("recovery_code")
        )


@blp.route("/verify/")
class TwoFactorVerify(MethodView):
    decorators = [limiter.limit(auth_limit, key_func=ip_key, methods=["POST"])]

    @blp.arguments(TwoFactorVerifyArgs)
    @blp.response(200, TokenSchema)
    @blp.errors(MfaTokenInvalidError, InvalidOtpError, OtpReusedError, LoginLockedError, 429)
    def post(self, args: dict[str, Any]) -> Any:
        """The second step of a sign-in with two-factor on: the `mfa_token` that
        POST /api/auth/login/ answered, with the app's code or a recovery code, for tokens.
        A code works once; wrong codes count toward the account's sign-in lockout."""
        user = twofactor.complete_sign_in(
            args["mfa_token"], code=args.get("code"), recovery_code=args.get("recovery_code")
        )
        services.record_login(user)
        return {**tokens.tokens_for(user), "device_token": lockout.device_token_for(user)}
