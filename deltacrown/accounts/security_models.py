"""Second factors and personal access tokens of accounts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import UTCDateTime, json_list_column
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model


class TwoFactor(Model):
    """A user's TOTP authenticator: pending from setup until a first code enables it.

    The secret is stored encrypted (Fernet, keyed from SECRET_KEY); `last_step` is the time
    step of the last accepted code, so a code is never accepted twice.
    """

    __tablename__ = "two_factor_totp"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret_encrypted: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    def __repr__(self) -> str:
        return f"<TwoFactor user={self.user_id} enabled={self.enabled_at is not None}>"


class RecoveryCode(Model):
    """A single-use code that stands in for an authenticator code (stored as its SHA-256)."""

    __tablename__ = "two_factor_recovery_codes"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user={self.user_id}>"


class PersonalAccessToken(Model):
    """A scoped token for bots and integrations (`dc_pat_…`), stored as its SHA-256; the
    first characters (`prefix`) are kept so the owner can tell tokens apart."""

    __tablename__ = "personal_access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    scopes: Mapped[list[str]] = json_list_column(nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<PersonalAccessToken {self.id} {self.prefix}… user={self.user_id}>"
