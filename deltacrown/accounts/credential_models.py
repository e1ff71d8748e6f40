"""Single-use account tokens (password reset, OAuth sign-in codes) and
accounts linked at an OAuth 2.0 provider."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import UTCDateTime, enum_type
from deltacrown.extensions import Model


class TokenPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a password)
    OAUTH_SIGN_IN = "oauth_sign_in"


class AccountToken(Model):
    """A token sent to its owner once; only its SHA-256 is kept. Used or expired: refused."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose), nullable=False)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # The account's e-mail when the token was sent (a reset link then also proves it).
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<AccountToken {self.id} {self.purpose} user={self.user_id}>"


class OAuthAccount(Model):
    """An account at an OAuth 2.0 provider (`subject`: the provider's user id) linked to a user;
    one per provider and user, and a provider account belongs to one user."""

    __tablename__ = "oauth_accounts"
    __table_args__ = (
        sa.UniqueConstraint("provider", "subject"),
        sa.UniqueConstraint("provider", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    provider_username: Mapped[str | None] = mapped_column(sa.String(100))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    def __repr__(self) -> str:
        return f"<OAuthAccount {self.provider}:{self.subject} user={self.user_id}>"
