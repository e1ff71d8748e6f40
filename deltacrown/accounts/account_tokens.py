"""Single-use account tokens: issued to the account's owner once, kept only as a SHA-256.

A token is 32 random bytes (URL-safe). `consume` marks it used with a conditional UPDATE
(`WHERE used_at IS NULL AND expires_at > now`) whose row count decides, so two requests racing
with the same token cannot both succeed, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from deltacrown.accounts.credential_models import AccountToken, TokenPurpose
from deltacrown.accounts.recovery_errors import TokenInvalidError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db

MAX_TOKEN_LENGTH = 128


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def issue(user_id: int, purpose: TokenPurpose, ttl: timedelta, *, email: str | None = None) -> str:
    """Store a new token for `user_id` and return it (the only time it exists in clear)."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        AccountToken(
            token_hash=digest(raw),
            purpose=purpose,
            user_id=user_id,
            email=email,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    db.session.flush()
    return raw


def consume(raw: str, purpose: TokenPurpose) -> AccountToken:
    """Mark the token used and return it; TokenInvalidError when it is unknown, of another
    purpose, expired or used (all alike)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        raise TokenInvalidError("This link is invalid or has expired; ask for a new one.")
    now = utcnow()
    token_hash = digest(raw)
    result = db.session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.token_hash == token_hash,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise TokenInvalidError("This link is invalid or has expired; ask for a new one.")
    token = db.session.scalars(
        sa.select(AccountToken).where(AccountToken.token_hash == token_hash)
    ).one()
    return token


def retire(user_id: int, purpose: TokenPurpose) -> None:
    """Mark every unused token of `purpose` for the user used (a newer one replaces them)."""
    db.session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def purge_expired(before_days: int = 7) -> int:
    """Delete tokens that expired more than `before_days` ago."""
    cutoff = utcnow() - timedelta(days=before_days)
    result = db.session.execute(sa.delete(AccountToken).where(AccountToken.expires_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
