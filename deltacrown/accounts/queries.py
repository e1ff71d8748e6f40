"""Read helpers for accounts."""

from __future__ import annotations

import sqlalchemy as sa

from deltacrown.accounts.errors import GameProfileNotFoundError, UserNotFoundError
from deltacrown.accounts.models import GameProfile, RevokedToken, User
from deltacrown.extensions import db


def find_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def get_user(user_id: int, *, active_only: bool = True) -> User:
    user = db.session.get(User, user_id)
    if user is None or (active_only and not user.is_active):
        raise UserNotFoundError(f"No user {user_id}.")
    return user


def find_user_by_login(login: str) -> User | None:
    """By username (case-insensitive) or, when it contains '@', by e-mail."""
    login = login.strip().lower()
    column = User.email if "@" in login else User.username_key
    return db.session.scalars(sa.select(User).where(column == login)).first()


def search_users(prefix: str | None) -> sa.Select[tuple[User]]:
    """Active users whose username starts with `prefix` (case-insensitive), by username."""
    query = sa.select(User).where(User.is_active.is_(True)).order_by(User.username_key)
    if prefix:
        escaped = (
            prefix.strip().lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        )
        query = query.where(User.username_key.like(f"{escaped}%", escape="\\"))
    return query


def list_users_for_staff(
    *, search: str | None = None, is_staff: bool | None = None, is_active: bool | None = None
) -> sa.Select[tuple[User]]:
    query = sa.select(User).order_by(User.id)
    if search:
        escaped = (
            search.strip().lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        )
        term = f"%{escaped}%"
        query = query.where(
            sa.or_(User.username_key.like(term, escape="\\"), User.email.like(term, escape="\\"))
        )
    if is_staff is not None:
        query = query.where(User.is_staff.is_(is_staff))
    if is_active is not None:
        query = query.where(User.is_active.is_(is_active))
    return query


def is_token_revoked(jti: str) -> bool:
    return db.session.scalar(sa.select(RevokedToken.id).where(RevokedToken.jti == jti)) is not None


def list_game_profiles(user_id: int) -> sa.Select[tuple[GameProfile]]:
    return sa.select(GameProfile).where(GameProfile.user_id == user_id).order_by(GameProfile.id)


def get_game_profile(user_id: int, profile_id: int) -> GameProfile:
    """The user's own profile; another user's is reported as not found."""
    profile = db.session.get(GameProfile, profile_id)
    if profile is None or profile.user_id != user_id:
        raise GameProfileNotFoundError(f"No game profile {profile_id}.")
    return profile
