"""Password reset, e-mail verification and change of address; staff marking an address
verified."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView

from deltacrown.accounts import queries, recovery, tokens, verification
from deltacrown.accounts.errors import (
    EmailTakenError,
    InvalidCurrentPasswordError,
    UserNotFoundError,
    WeakPasswordError,
)
from deltacrown.accounts.recovery_errors import EmailAlreadyVerifiedError, TokenInvalidError
from deltacrown.accounts.recovery_schemas import (
    AcceptedSchema,
    ChangeEmailArgs,
    EmailVerificationConfirmArgs,
    PasswordResetConfirmArgs,
    PasswordResetRequestArgs,
    VerifiedEmailSchema,
)
from deltacrown.accounts.schemas import MeSchema, TokenSchema
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_staff, require_user
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.ratelimit import auth_limit, ip_key, rate_limit_key
from deltacrown.extensions import limiter

blp = Blueprint(
    "account_recovery",
    __name__,
    url_prefix="/api",
    description="Password reset, e-mail verification and change of e-mail address.",
)

RESET_ACCEPTED = (
    "If an account uses this address, a link to choose a new password is on its way; "
    "it works once, for a limited time."
)


def mail_limit() -> str:
    """Account e-mails per address and per account (config `RATELIMIT_ACCOUNT_MAIL`)."""
    return str(current_app.config.get("RATELIMIT_ACCOUNT_MAIL") or "5/hour")


def email_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"reset-email:{recovery.normalize_email(email) if isinstance(email, str) else ''}"


@blp.route("/auth/password-reset/")
class PasswordReset(MethodView):
    decorators = [
        limiter.limit(auth_limit, key_func=ip_key, methods=["POST"]),
        limiter.limit(mail_limit, key_func=email_key, methods=["POST"]),
    ]

    @blp.arguments(PasswordResetRequestArgs)
    @blp.response(202, AcceptedSchema)
    @blp.errors(422, 429)
    def post(self, args: dict[str, Any]) -> Any:
        """Ask for a password-reset link by e-mail.

        The answer is 202 whether or not an account uses the address (and takes the same
        time), so it does not tell who is registered. The link carries a single-use token,
        valid for 30 minutes, for `POST /api/auth/password-reset/confirm/`. Limited per client
        address and per e-mail address (429 with `Retry-After`).
        """
        recovery.request_password_reset(args["email"])
        return {"detail": RESET_ACCEPTED}


@blp.route("/auth/password-reset/confirm/")
class PasswordResetConfirm(MethodView):
    decorators = [limiter.limit(auth_limit, key_func=ip_key, methods=["POST"])]

    @blp.arguments(PasswordResetConfirmArgs)
    @blp.response(200, TokenSchema)
    @blp.errors(TokenInvalidError, WeakPasswordError, 429)
    def post(self, args: dict[str, Any]) -> Any:
        """Choose a new password with the token from the reset e-mail.

        Every access and refresh token issued before stops working, on every device; the
        answer is a fresh token pair. An unknown, expired or used token is 400
        `token_invalid`; a password the policy refuses is 422 `weak_password` (the token
        stays usable).
        """
        user = recovery.confirm_password_reset(args["token"], args["new_password"])
        return tokens.tokens_for(user)


@blp.route("/auth/verify-email/")
class VerifyEmail(MethodView):
    decorators = [
        limiter.limit(mail_limit, key_func=rate_limit_key, methods=["POST"]),
    ]

    @login_required
    @blp.response(202, AcceptedSchema)
    @blp.errors(EmailAlreadyVerifiedError, 429)
    def post(self) -> Any:
        """Send a new verification link to my e-mail address.

        The link works once, for 48 hours, with `POST /api/auth/verify-email/confirm/`.
        An address already verified is 409 `email_already_verified`.
        """
        verification.request_verification(require_user())
        return {"detail": "A verification link is on its way to your e-mail address."}


@blp.route("/auth/verify-email/confirm/")
class VerifyEmailConfirm(MethodView):
    decorators = [limiter.limit(auth_limit, key_func=ip_key, methods=["POST"])]

    @blp.arguments(EmailVerificationConfirmArgs)
    @blp.response(200, VerifiedEmailSchema)
    @blp.errors(TokenInvalidError, 429)
    def post(self, args: dict[str, Any]) -> Any:
        """Confirm an e-mail address with the token from the verification e-mail.

        No sign-in needed: the token names the account. An unknown, expired or used token,
        or one sent to an address the account no longer has, is 400 `token_invalid`.
        """
        return verification.confirm_email(args["token"])


@blp.route("/auth/change-email/")
class ChangeEmail(MethodView):
    @login_required
    @blp.arguments(ChangeEmailArgs)
    @blp.response(200, MeSchema)
    @blp.errors(InvalidCurrentPasswordError, EmailTakenError, 422)
    def post(self, args: dict[str, Any]) -> Any:
        """Change my e-mail address (the current password confirms it).

        The new address is unverified until the link sent to it is followed.
        """
        return recovery.change_email(
            require_user(), password=args["password"], new_email=args["new_email"]
        )


@blp.route("/admin/users/<int:user_id>/verify-email/")
class StaffVerifyEmail(MethodView):
    @login_required
    @blp.response(200, VerifiedEmailSchema)
    @blp.errors(PermissionDeniedError, UserNotFoundError)
    def post(self, user_id: int) -> Any:
        """Staff: mark a user's e-mail address verified (audited as `user.email_verified`)."""
        actor = require_staff()
        user = queries.get_user(user_id, active_only=False)
        return verification.mark_verified_as_staff(user, actor=actor)
