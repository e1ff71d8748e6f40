"""JWT issuing and the flask-jwt-extended loaders that tie tokens to users.

Access tokens are short-lived; refresh tokens can be revoked (logout). Every token carries the
user's `credentials_version` (`cv`): changing the password invalidates all earlier tokens.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from flask_jwt_extended import create_access_token, create_refresh_token

from deltacrown.accounts.bans import ensure_not_banned
from deltacrown.accounts.models import User
from deltacrown.accounts.queries import find_user, is_token_revoked
from deltacrown.accounts.twofactor import apply_staff_policy
from deltacrown.extensions import jwt


def _expires_in() -> int:
    return int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds())


def access_token_for(user: User) -> dict[str, Any]:
    token = create_access_token(
        identity=str(user.id), additional_claims={"cv": user.credentials_version}
    )
    return {"access_token": token, "token_type": "Bearer", "expires_in": _expires_in()}


def tokens_for(user: User) -> dict[str, Any]:
    """An access and a refresh token for `user`."""
    pair = access_token_for(user)
    pair["refresh_token"] = create_refresh_token(
        identity=str(user.id), additional_claims={"cv": user.credentials_version}
    )
    return pair


def expiry_of(payload: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(payload["exp"]), tz=UTC)


def init_app(app: Flask) -> None:

    @jwt.user_lookup_loader
    def _load_user(header: dict[str, Any], payload: dict[str, Any]) -> User | None:
        try:
            user_id = int(payload["sub"])
        except (KeyError, TypeError, ValueError):
            return None
        user = find_user(user_id)
        if user is None or not user.is_active:
            return None
        if payload.get("cv") != user.credentials_version:
            return None
        ensure_not_banned(user.id)  # a ban stops the account's tokens at their next use
        apply_staff_policy(user)  # staff without a required second factor act as users
        return user

    @jwt.token_in_blocklist_loader
    def _is_revoked(header: dict[str, Any], payload: dict[str, Any]) -> bool:
        # Only refresh tokens are revocable; access tokens are short-lived.
        if payload.get("type") != "refresh":
            return False
        return is_token_revoked(payload["jti"])
