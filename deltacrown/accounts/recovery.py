"""Password reset and change of e-mail address.

`request_password_reset(email)` answers the same way, doing the same work, whether or not an
account has that address: it only starts the background task, which looks the address up,
stores a single-use token (its SHA-256; valid `PASSWORD_RESET_TTL_MINUTES`, default 30) and
mails the link. Nothing in the answer or its timing tells whether the address is registered.
`confirm_password_reset` sets the new password (the password policy applies), bumps the
account's credentials version so every access and refresh token issued before stops
working, and retires the account's other reset links. Following a reset link proves the
address, so an unverified address becomes verified.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from deltacrown.accounts import (
    account_mail,
    account_tokens,
    password_policy,
    passwords,
    services,
    verification,
)
from deltacrown.accounts.credential_models import AccountToken, TokenPurpose
from deltacrown.accounts.errors import (
    EmailTakenError,
    InvalidCurrentPasswordError,
    WeakPasswordError,
)
from deltacrown.accounts.models import User
from deltacrown.accounts.recovery_errors import TokenInvalidError
from deltacrown.core import background
from deltacrown.core.errors import ValidationError
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import after_commit, outside_transaction
from deltacrown.extensions import db

RESET_TASK = "accounts.send_password_reset"


def ttl_minutes() -> int:
    return int(current_app.config.get("PASSWORD_RESET_TTL_MINUTES", 30))


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()[:254]


def check_new_password(user: User, password: str, *, field: str = "new_password") -> None:
    """WeakPasswordError (422) naming the rule the password breaks."""
    problem = password_policy.password_problem(
        password,
        min_length=int(current_app.config.get("PASSWORD_MIN_LENGTH", 10)),
        username=user.username,
        email=user.email,
    )
    if problem is not None:
        raise WeakPasswordError(problem, errors={field: [problem]})


def request_password_reset(email: str) -> None:
    """Start the reset e-mail's task for `email`, registered or not."""
    background.start(RESET_TASK, email=normalize_email(email))


def deliver_password_reset(email: str) -> bool:
    """The task's work: for an active account with this address, a new reset token mailed
    after the commit; False (nothing sent) when there is none."""
    user = db.session.scalars(sa.select(User).where(User.email == normalize_email(email))).first()
    if user is None or not user.is_active:
        return False
    minutes = ttl_minutes()
    token = account_tokens.issue(
        user.id, TokenPurpose.PASSWORD_RESET, timedelta(minutes=minutes), email=user.email
    )
    message = account_mail.password_reset_message(
        user.email, user.display_name or user.username, token, minutes
    )
    after_commit(account_mail.send_logged, message)
    return True


def _valid_token_user(raw_token: str) -> User:
    """The account of a reset token that is still usable, without using it."""
    if not raw_token or len(raw_token) > account_tokens.MAX_TOKEN_LENGTH:
        raise TokenInvalidError("This link is invalid or has expired; ask for a new one.")
    found = db.session.scalars(
        sa.select(AccountToken).where(
            AccountToken.token_hash == account_tokens.digest(raw_token),
            AccountToken.purpose == TokenPurpose.PASSWORD_RESET,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > utcnow(),
        )
    ).first()
    user = db.session.get(User, found.user_id) if found is not None else None
    if user is None or not user.is_active:
        raise TokenInvalidError("This link is invalid or has expired; ask for a new one.")
    return user


def confirm_password_reset(raw_token: str, new_password: str) -> User:
    """Set the password of the token's account; every token issued before stops working.

    Raises TokenInvalidError (400: unknown, expired or used token) and WeakPasswordError
    (422; the token stays usable). Hashing happens before the write transaction begins.
    """
    user = _valid_token_user(raw_token)
    check_new_password(user, new_password)
    with outside_transaction():
        new_hash = passwords.hash_password(new_password)
    token = account_tokens.consume(raw_token, TokenPurpose.PASSWORD_RESET)
    user = db.session.get(User, token.user_id)  # type: ignore[assignment]
    user.password_hash = new_hash
    user.credentials_version += 1
    account_tokens.retire(user.id, TokenPurpose.PASSWORD_RESET)
    if token.email == user.email and not user.email_verified:
        user.email_verified, user.email_verified_at = True, utcnow()
    db.session.flush()
    return user


def change_email(user: User, *, password: str, new_email: str) -> User:
    """Move the account to a new address (the current password confirms it); the new address
    is unverified until the link sent to it is followed.

    Raises InvalidCurrentPasswordError (422), ValidationError, EmailTakenError (409).
    """
    email = normalize_email(new_email)
    if not services.EMAIL_RE.match(email):
        raise ValidationError("Not a valid e-mail address.", errors={"new_email": ["Invalid."]})
    stored_hash = user.password_hash
    with outside_transaction():
        matches = bool(stored_hash) and passwords.verify_password(stored_hash, password)
    if not matches:
        raise InvalidCurrentPasswordError(
            "The current password is wrong.", errors={"password": ["Wrong password."]}
        )
    if email == user.email:
        return user
    taken = db.session.scalar(sa.select(User.id).where(User.email == email, User.id != user.id))
    if taken is not None:
        raise EmailTakenError(
            "That e-mail is already registered.", errors={"new_email": ["Already registered."]}
        )
    user.email = email
    verification.address_changed(user)
    return user
