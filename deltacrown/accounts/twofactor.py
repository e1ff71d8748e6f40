"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and single-use recovery codes.

Setup makes a secret (shown once, with its `otpauth://` URI and a QR code); the first valid
code enables it and returns ten recovery codes (stored as SHA-256, each usable once). A
password sign-in of a user with two-factor on returns an `mfa_token` (signed, for this
purpose only, valid `MFA_TOKEN_SECONDS`, usable once) to exchange with a code for tokens.

Codes are checked within one 30-second step either side; an accepted step is remembered, so a
code cannot be replayed. Wrong codes count toward the account's sign-in lockout (`lockout`).
Secrets are stored encrypted with a key derived from SECRET_KEY (rotating SECRET_KEY means
staff set up their authenticators again).

With `STAFF_REQUIRE_2FA` on, staff without two-factor act as ordinary users
(`core.auth.withhold_staff_rights`): staff checks answer 403 `mfa_required`, and the admin
sends them to a page that tells them to turn it on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

import pyotp
import segno
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from deltacrown.accounts import lockout
from deltacrown.accounts.models import User
from deltacrown.accounts.queries import find_user, is_token_revoked
from deltacrown.accounts.security_models import RecoveryCode, TwoFactor
from deltacrown.accounts.services import revoke_token
from deltacrown.core import audit
from deltacrown.core.auth import staff_rights_withheld, withhold_staff_rights
from deltacrown.core.errors import AuthenticationError, ConflictError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db

STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
MFA_SALT = "deltacrown-mfa-sign-in"


class TwoFactorAlreadyEnabledError(ConflictError):
    code, title = "two_factor_enabled", "Two-factor sign-in already on"


class TwoFactorNotSetUpError(ConflictError):
    code, title = "two_factor_not_set_up", "Two-factor sign-in not set up"


class TwoFactorNotEnabledError(ConflictError):
    code, title = "two_factor_not_enabled", "Two-factor sign-in is off"


class InvalidOtpError(ValidationError):
    code, title = "invalid_otp", "Wrong code"


class OtpReusedError(ValidationError):
    code, title = "otp_reused", "Code already used"


class MfaTokenInvalidError(AuthenticationError):
    code, title = "mfa_token_invalid", "Sign-in step expired"


# ----- secrets ----------------------------------------------------------------------------
def _fernet() -> Fernet:
    digest = hashlib.sha256(b"deltacrown-totp:" + str(current_app.secret_key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _secret_of(state: TwoFactor) -> str | None:
    try:
        return _fernet().decrypt(state.secret_encrypted.encode()).decode()
    except InvalidToken:  # SECRET_KEY changed since setup
        return None


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode()  # 80 bits, 16 characters
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def state_of(user_id: int) -> TwoFactor | None:
    return db.session.get(TwoFactor, user_id)


def is_enabled(user: Any) -> bool:
    state = state_of(user.id)
    return state is not None and state.enabled_at is not None


def recovery_codes_left(user: Any) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


# ----- setup, enable, disable -------------------------------------------------------------
def begin_setup(user: User) -> dict[str, str]:
    """A new pending secret (replacing any earlier pending one): the secret, its otpauth URI
    and the URI as an SVG QR code. Raises TwoFactorAlreadyEnabledError."""
    state = state_of(user.id)
    if state is not None and state.enabled_at is not None:
        raise TwoFactorAlreadyEnabledError("Two-factor sign-in is already on; disable it first.")
    secret = pyotp.random_base32()
    encrypted = _fernet().encrypt(secret.encode()).decode()
    if state is None:
        db.session.add(TwoFactor(user_id=user.id, secret_encrypted=encrypted))
    else:
        state.secret_encrypted, state.last_step = encrypted, None
    db.session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.username, issuer_name=str(current_app.config.get("TOTP_ISSUER") or "DeltaCrown")
    )
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, title="Two-factor sign-in")
    return {"secret": secret, "otpauth_uri": uri, "qr_svg": qr_svg}


def enable(user: User, code: str) -> list[str]:
    """Turn two-factor on with a first code from the authenticator; returns the recovery codes
    (shown only now). Raises TwoFactorAlreadyEnabledError, TwoFactorNotSetUpError,
    InvalidOtpError, LoginLockedError."""
    state = state_of(user.id)
    if state is not None and state.enabled_at is not None:
        raise TwoFactorAlreadyEnabledError("Two-factor sign-in is already on.")
    if state is None:
        raise TwoFactorNotSetUpError("Start with POST /api/auth/2fa/setup/.")
    _check_code(user, state, code, recovery_code=None)
    state.enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    audit.record(actor=user, action="two_factor.enabled", target=user)
    return codes


def disable(user: User, *, code: str | None, recovery_code: str | None) -> None:
    """Turn two-factor off with a current code or a recovery code. Raises
    TwoFactorNotEnabledError, InvalidOtpError, OtpReusedError, LoginLockedError."""
    state = state_of(user.id)
    if state is None or state.enabled_at is None:
        raise TwoFactorNotEnabledError("Two-factor sign-in is not on.")
    _check_code(user, state, code, recovery_code=recovery_code)
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.delete(state)
    db.session.flush()
    audit.record(actor=user, action="two_factor.disabled", target=user)


def reset(user: User, *, actor: Any) -> bool:
    """Turn two-factor off without a code (an operator, for an account whose app and recovery
    codes are lost); audited. Whether it was on or pending."""
    state = state_of(user.id)
    if state is None:
        return False
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.delete(state)
    db.session.flush()
    audit.record(actor=actor, action="two_factor.reset", target=user)
    return True


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash_code(_normalise_recovery(c))) for c in codes
    )
    db.session.flush()
    return codes


# ----- checking a code --------------------------------------------------------------------
def _matching_step(secret: str, code: str) -> int | None:
    """The time step (now, one before or one after) whose code is `code`, or None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(utcnow().timestamp()) // STEP_SECONDS
    for step in (now_step, now_step - 1, now_step + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _accept_step(state: TwoFactor, step: int) -> bool:
    """Remember `step` as used, unless it (or a later one) was used already: a conditional
    UPDATE, so two requests racing with one code cannot both win."""
    result = db.session.execute(
        sa.update(TwoFactor)
        .where(
            TwoFactor.user_id == state.user_id,
            sa.or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _use_recovery_code(user: Any, recovery_code: str) -> bool:
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(_normalise_recovery(recovery_code)),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _check_code(
    user: Any,
    state: TwoFactor,
    code: str | None,
    *,
    recovery_code: str | None,
    device_user: int | None = None,
) -> None:
    """Accept an authenticator code or an unused recovery code, or count a failure toward the
    account's lockout and raise InvalidOtpError / OtpReusedError (LoginLockedError first when
    the account is locked)."""
    key = lockout.account_key("", user)
    lockout.ensure_not_locked(key, device_user=device_user)
    if recovery_code:
        if _use_recovery_code(user, recovery_code):
            return
        lockout.record_failure(key, device_user=device_user)
        raise InvalidOtpError(
            "That recovery code is wrong or was used already.",
            errors={"recovery_code": ["Wrong or used."]},
        )
    secret = _secret_of(state)
    step = _matching_step(secret, code or "") if secret is not None else None
    if step is None:
        lockout.record_failure(key, device_user=device_user)
        raise InvalidOtpError(
            "That code is wrong or too old; use the current code from your authenticator app.",
            errors={"code": ["Wrong code."]},
        )
    if not _accept_step(state, step):
        lockout.record_failure(key, device_user=device_user)
        raise OtpReusedError(
            "That code was used already; wait for the next one.",
            errors={"code": ["Already used."]},
        )


def check_second_factor(user: Any, *, code: str | None, recovery_code: str | None = None) -> None:
    """For sign-ins outside the API (the admin): accept a code or recovery code of a user with
    two-factor on. Raises TwoFactorNotEnabledError, InvalidOtpError, OtpReusedError,
    LoginLockedError."""
    state = state_of(user.id)
    if state is None or state.enabled_at is None:
        raise TwoFactorNotEnabledError("Two-factor sign-in is not on.")
    _check_code(user, state, code, recovery_code=recovery_code)


# ----- the second step of a password sign-in ----------------------------------------------
def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=MFA_SALT)


def _mfa_seconds() -> int:
    return int(current_app.config.get("MFA_TOKEN_SECONDS") or 300)


def mfa_token_for(user: User, *, device_user: int | None = None) -> str:
    """The token a password sign-in answers with when the user has two-factor on."""
    payload = {"u": user.id, "cv": user.credentials_version, "n": secrets.token_hex(12)}
    if device_user == user.id:
        payload["d"] = 1
    return _serializer().dumps(payload)


def complete_sign_in(mfa_token: str, *, code: str | None, recovery_code: str | None) -> User:
    """The user whose `mfa_token` and code match; the token cannot be used again. Raises
    MfaTokenInvalidError (expired, used, forged, or the password changed since),
    InvalidOtpError, OtpReusedError, LoginLockedError."""
    try:
        payload, signed_at = _serializer().loads(
            mfa_token, max_age=_mfa_seconds(), return_timestamp=True
        )
    except SignatureExpired:
        raise MfaTokenInvalidError("The sign-in took too long; sign in again.") from None
    except (BadSignature, ValueError, TypeError):
        raise MfaTokenInvalidError("This is not a sign-in token; sign in again.") from None
    nonce = f"mfa:{payload.get('n')}"
    user = find_user(int(payload.get("u", 0)))
    if (
        user is None
        or not user.is_active
        or payload.get("cv") != user.credentials_version
        or is_token_revoked(nonce)
    ):
        raise MfaTokenInvalidError("This sign-in token is no longer valid; sign in again.")
    state = state_of(user.id)
    if state is None or state.enabled_at is None:
        raise MfaTokenInvalidError("Two-factor sign-in was turned off; sign in again.")
    device_user = user.id if payload.get("d") else None
    _check_code(user, state, code, recovery_code=recovery_code, device_user=device_user)
    _spend_mfa_token(nonce, user.id, signed_at)
    return user


def _spend_mfa_token(nonce: str, user_id: int, signed_at: datetime) -> None:
    # Kept until the token would have expired anyway, like revoked refresh tokens.
    revoke_token(
        jti=nonce, user_id=user_id, expires_at=signed_at + timedelta(seconds=_mfa_seconds())
    )


# ----- staff ------------------------------------------------------------------------------
def staff_second_factor_missing(user: Any) -> bool:
    """Whether `user` is staff who must turn on two-factor before acting as staff."""
    if not current_app.config.get("STAFF_REQUIRE_2FA"):
        return False
    if staff_rights_withheld() == "mfa":  # already found so in this request
        return True
    return bool(user.is_staff or user.is_superuser) and not is_enabled(user)


def apply_staff_policy(user: Any) -> None:
    """Staff without the required second factor act as ordinary users in this request."""
    if staff_second_factor_missing(user):
        withhold_staff_rights(user, "mfa")
