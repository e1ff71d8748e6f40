"""E-mail verification: the link sent to an address, its confirmation, staff marking an
address verified, and the check paid actions make.

With `REQUIRE_EMAIL_VERIFICATION` on (production), an account whose address is not verified
gets 403 `email_not_verified` when it registers for a tournament with an entry fee, buys in
the shop or creates a tournament (`ensure_email_verified`, called by those services); free
registration stays open. Registration and a change of address send a link (valid
`EMAIL_VERIFICATION_TTL_HOURS`, default 48) through a background task, after the commit.

The link's token is signed (SECRET_KEY) rather than stored, so a sign-up writes nothing more:
it names the account and a hash of the address, and is refused once the address is verified
(a link works once), after the address changed, or when it expired.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from deltacrown.accounts import account_mail
from deltacrown.accounts.models import User
from deltacrown.accounts.recovery_errors import (
    EmailAlreadyVerifiedError,
    EmailNotVerifiedError,
    TokenInvalidError,
)
from deltacrown.core import audit, background
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import after_commit
from deltacrown.extensions import db

SEND_TASK = "accounts.send_verification_email"
LINK_SALT = "deltacrown-email-verification"


def ttl_hours() -> int:
    return int(current_app.config.get("EMAIL_VERIFICATION_TTL_HOURS", 48))


def is_required() -> bool:
    return bool(current_app.config.get("REQUIRE_EMAIL_VERIFICATION", False))


def ensure_email_verified(actor: Any) -> None:
    """Raise EmailNotVerifiedError (403) when verification is required and `actor` (a user)
    has not verified its address. The system and anonymous callers are not checked here."""
    if not is_required() or actor is None or getattr(actor, "id", None) is None:
        return
    verified = getattr(actor, "email_verified", None)
    if verified is None:
        user = db.session.get(User, actor.id)
        verified = user.email_verified if user is not None else False
    if not verified:
        raise EmailNotVerifiedError(
            "Confirm your e-mail address first: follow the link we sent you, or ask for a new "
            "one with POST /api/auth/verify-email/."
        )


def send_verification(user: User) -> None:
    """Send a verification link to the user's address once the transaction commits."""
    after_commit(background.start, SEND_TASK, user_id=user.id)


def request_verification(user: User) -> None:
    """The resend endpoint: EmailAlreadyVerifiedError (409) when there is nothing to confirm."""
    if user.email_verified:
        raise EmailAlreadyVerifiedError("Your e-mail address is already verified.")
    send_verification(user)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=LINK_SALT)


def _address_mark(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:16]


def verification_token(user: User) -> str:
    """A signed token naming the account and (by a hash) the address it proves."""
    return _serializer().dumps({"u": user.id, "a": _address_mark(user.email)})


def deliver_verification(user_id: int) -> bool:
    """The task's work: a link for the account's current address, mailed at once (nothing is
    written). False (nothing sent) for an unknown, disabled or already verified account."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.email_verified:
        return False
    hours = ttl_hours()
    message = account_mail.verification_message(
        user.email, user.display_name or user.username, verification_token(user), hours
    )
    account_mail.send_logged(message)
    return True


def _mark(user: User) -> None:
    user.email_verified = True
    user.email_verified_at = utcnow()
    db.session.flush()


def confirm_email(raw_token: str) -> User:
    """Verify the address the token was sent to. TokenInvalidError when the token is forged
    or expired, when the address is already verified (a link works once), or when the
    account's address changed since it was sent."""
    try:
        payload = _serializer().loads(raw_token, max_age=ttl_hours() * 3600)
    except (BadSignature, ValueError, TypeError):
        payload = None
    user_id = payload.get("u") if isinstance(payload, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if (
        user is None
        or not user.is_active
        or user.email_verified
        or not hmac.compare_digest(str(payload.get("a")), _address_mark(user.email))  # type: ignore[union-attr]
    ):
        raise TokenInvalidError("This link is invalid or has expired; ask for a new one.")
    _mark(user)
    return user


def mark_verified_as_staff(user: User, *, actor: Any) -> User:
    """Staff (API, admin, CLI with SYSTEM) mark the address verified; audited. Idempotent."""
    if actor is None or (getattr(actor, "id", None) is not None and not actor.is_staff):
        raise PermissionDeniedError("Staff only.")
    if user.email_verified:
        return user
    _mark(user)
    audit.record(
        actor=actor,
        action="user.email_verified",
        target=user,
        before={"email_verified": False},
        after={"email_verified": True, "email": user.email},
    )
    return user


def address_changed(user: User) -> None:
    """The address changed: it is unverified until the new link is followed."""
    user.email_verified = False
    user.email_verified_at = None
    db.session.flush()
    send_verification(user)
