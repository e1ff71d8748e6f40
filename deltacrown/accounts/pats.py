"""Personal access tokens: scoped bearer tokens for bots and integrations (`dc_pat_…`).

A token is shown once when it is made; only its SHA-256 is stored (and its first characters,
so its owner can tell tokens apart). It carries scopes from `core.scopes.SCOPES` (staff
rights are not among them), may expire, and can be revoked. Each token has its own request
budget (`RATELIMIT_TOKEN`, kept in the rate-limit store like the sign-in lockout, beside the
per-address default), and its `last_used_at` is written
at most once a minute, after the request's commit, never as a write per request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from deltacrown.accounts.bans import ensure_not_banned
from deltacrown.accounts.models import User
from deltacrown.accounts.queries import find_user
from deltacrown.accounts.security_models import PersonalAccessToken
from deltacrown.core.auth import TokenExpiredError, TokenInvalidError, TokenRevokedError
from deltacrown.core.errors import ConflictError, DomainError, NotFoundError, ValidationError
from deltacrown.core.ratelimit import is_exempt
from deltacrown.core.scopes import PAT_PREFIX, SCOPES
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import after_commit, unit_of_work
from deltacrown.extensions import db

log = logging.getLogger(__name__)

TOKENS_PER_USER = 50
LAST_USED_EVERY = timedelta(minutes=1)
PREFIX_LENGTH = len(PAT_PREFIX) + 6


class TokenNotFoundError(NotFoundError):
    code, title = "token_not_found", "Token not found"


class TokenLimitError(ConflictError):
    code, title = "token_limit_reached", "Too many tokens"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    user: User, *, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    """A new token for `user` and its secret text (returned only now). Raises ValidationError
    (unknown scope, no scope, expiry not in the future) and TokenLimitError."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValidationError(
            "Give one or more known scopes." if not unknown else "Unknown scopes.",
            errors={"scopes": [f"Unknown scope: {s}" for s in unknown] or ["Give a scope."]},
        )
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationError(
            "A token cannot expire in the past.", errors={"expires_at": ["Must be in the future."]}
        )
    active = db.session.scalar(
        sa.select(sa.func.count(PersonalAccessToken.id)).where(
            PersonalAccessToken.user_id == user.id, PersonalAccessToken.revoked_at.is_(None)
        )
    )
    if (active or 0) >= TOKENS_PER_USER:
        raise TokenLimitError(f"At most {TOKENS_PER_USER} tokens; revoke one first.")
    secret = PAT_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken(
        user_id=user.id,
        name=name.strip(),
        prefix=secret[:PREFIX_LENGTH],
        token_hash=_hash(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def list_tokens(user_id: int) -> sa.Select[tuple[PersonalAccessToken]]:
    """The user's tokens that are not revoked, newest first."""
    return (
        sa.select(PersonalAccessToken)
        .where(PersonalAccessToken.user_id == user_id, PersonalAccessToken.revoked_at.is_(None))
        .order_by(PersonalAccessToken.id.desc())
    )


def revoke(user: User, token_id: int) -> None:
    """Revoke one of the user's tokens (it answers 401 `token_revoked` from now on)."""
    token = db.session.get(PersonalAccessToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise TokenNotFoundError(f"You have no token {token_id}.")
    token.revoked_at = utcnow()
    db.session.flush()


def _token_limit() -> str:
    return str(current_app.config.get("RATELIMIT_TOKEN") or "120/minute")


class TokenRateLimitedError(DomainError):
    status, code, title = 429, "rate_limited", "Too many requests"


def _budget() -> tuple[MovingWindowRateLimiter, Any]:
    """The per-token counter in the rate-limit store (memory, or Redis in server mode)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    limit = _token_limit()
    found = app.extensions.get("deltacrown_token_budget")
    if found is None or found[2] != limit:
        uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        storage = storage_from_string(uri, key_prefix="deltacrown-token")
        found = (MovingWindowRateLimiter(storage), parse(limit), limit)
        app.extensions["deltacrown_token_budget"] = found
    return found[0], found[1]


def _spend_budget(token_id: int) -> None:
    """One request from the token's own budget (`RATELIMIT_TOKEN`), kept in the rate-limit
    store; past it, 429 `rate_limited` with Retry-After. A store that cannot be reached
    does not block the token."""
    if is_exempt():
        return
    strategy, item = _budget()
    key = f"{current_app.config.get('RATELIMIT_KEY_PREFIX', '')}:pat:{token_id}"
    try:
        if strategy.hit(item, key):
            return
        reset_at = strategy.get_window_stats(item, key).reset_time
    except Exception:
        log.warning("token rate-limit store unavailable", exc_info=True)
        return
    retry_after = max(1, math.ceil(reset_at - time.time()))
    raise TokenRateLimitedError(
        f"This token made too many requests; retry in {retry_after} s.",
        headers={"Retry-After": str(retry_after)},
    )


def _touch(token_id: int, now: datetime) -> None:
    with unit_of_work():
        db.session.execute(
            sa.update(PersonalAccessToken)
            .where(
                PersonalAccessToken.id == token_id,
                sa.or_(
                    PersonalAccessToken.last_used_at.is_(None),
                    PersonalAccessToken.last_used_at < now - LAST_USED_EVERY,
                ),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )


class PersonalTokenAuth:
    """The accounts domain's answer to `core.auth.personal_tokens`."""

    def authenticate(self, secret: str) -> tuple[Any, frozenset[str]]:
        token = db.session.scalar(
            sa.select(PersonalAccessToken).where(PersonalAccessToken.token_hash == _hash(secret))
        )
        if token is None:
            raise TokenInvalidError("Unknown personal access token.")
        if token.revoked_at is not None:
            raise TokenRevokedError("This personal access token was revoked.")
        now = utcnow()
        if token.expires_at is not None and token.expires_at <= now:
            raise TokenExpiredError("This personal access token has expired.")
        user = find_user(token.user_id)
        if user is None or not user.is_active:
            raise TokenInvalidError("The token's account is disabled.")
        ensure_not_banned(user.id)
        _spend_budget(token.id)
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            after_commit(_touch, token.id, now)
        return user, frozenset(token.scopes)
