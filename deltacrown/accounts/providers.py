"""The accounts domain's answers to ports declared below it: how an admin sign-in becomes a
user (`core.admin.admin_auth`). `deltacrown.wiring` provides them on each app."""

from __future__ import annotations

from datetime import datetime

from deltacrown.accounts import lockout, queries, services, twofactor
from deltacrown.accounts.errors import (
    AccountBannedError,
    AccountDisabledError,
    InvalidCredentialsError,
)
from deltacrown.accounts.models import User
from deltacrown.accounts.ports import bans


class AdminSignIn:
    """Admin sign-in through the accounts rules: the API login's lockout, and sessions revoked
    on the server like refresh tokens (as `admin:<sid>`)."""

    def authenticate(self, login: str, password: str, device_token: str | None) -> User | None:
        """The user, None for wrong credentials or a disabled or banned account; a locked
        account raises LoginLockedError."""
        try:
            return services.authenticate(login, password, device_token=device_token)
        except (InvalidCredentialsError, AccountDisabledError, AccountBannedError):
            return None

    def load_user(self, user_id: int) -> User | None:
        """The session's user; None (signed out) once a ban is in force on the account."""
        user = queries.find_user(user_id)
        if user is not None and bans.get().ban_of(user.id) is not None:
            return None
        return user

    def device_token(self, user: User) -> str:
        return lockout.device_token_for(user)

    def revoke_session(self, sid: str, user_id: int, expires_at: datetime) -> None:
        services.revoke_token(jti=f"admin:{sid}", user_id=user_id, expires_at=expires_at)

    def is_session_revoked(self, sid: str) -> bool:
        return queries.is_token_revoked(f"admin:{sid}")

    def second_factor_enabled(self, user: User) -> bool:
        return twofactor.is_enabled(user)

    def check_second_factor(self, user: User, code: str) -> None:
        """A 6-digit code is the app's; anything longer is a recovery code."""
        compact = code.replace(" ", "")
        if compact.isdigit() and len(compact) == 6:
            twofactor.check_second_factor(user, code=compact)
        else:
            twofactor.check_second_factor(user, code=None, recovery_code=code)

    def second_factor_missing(self, user: User) -> bool:
        return twofactor.staff_second_factor_missing(user)
