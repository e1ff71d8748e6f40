"""Account use cases: registration, login, profile, avatar and password changes, game profiles.

Services flush, never commit; the boundary (request, task, CLI) commits.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from deltacrown.accounts import lockout, password_policy, passwords
from deltacrown.accounts.bans import refuse_if_banned
from deltacrown.accounts.errors import (
    AccountDisabledError,
    EmailTakenError,
    GameIdTakenError,
    GameProfileExistsError,
    InvalidCredentialsError,
    InvalidCurrentPasswordError,
    InvalidGameIdError,
    UsernameTakenError,
    WeakPasswordError,
)
from deltacrown.accounts.models import GameProfile, RevokedToken, User
from deltacrown.accounts.ports import bans
from deltacrown.accounts.queries import find_user_by_login
from deltacrown.core import admin_format, audit, storage
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import (
    after_commit,
    on_rollback,
    outside_transaction,
    write_intent,
)
from deltacrown.extensions import db
from deltacrown.games.idrules import ID_RULES, ownership_key
from deltacrown.games.queries import get_game

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,30}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def _check_username(username: str) -> str:
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise ValidationError(
            "Usernames are 3-30 characters of letters, digits, '_', '.' or '-'.",
            errors={"username": ["3-30 characters of A-Z, a-z, 0-9, _ . -"]},
        )
    return username


def _check_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise ValidationError("Not a valid e-mail address.", errors={"email": ["Invalid e-mail."]})
    return email


def _check_password(
    password: str,
    *,
    field: str = "password",
    username: str | None = None,
    email: str | None = None,
) -> None:
    """Raise WeakPasswordError naming the rule `password` breaks (see `password_policy`)."""
    problem = password_policy.password_problem(
        password,
        min_length=int(current_app.config.get("PASSWORD_MIN_LENGTH", 10)),
        username=username,
        email=email,
    )
    if problem is not None:
        raise WeakPasswordError(problem, errors={field: [problem]})


def _check_country(country: str | None) -> str | None:
    if country is None or country == "":
        return None
    country = country.strip().upper()
    if not COUNTRY_RE.match(country):
        raise ValidationError(
            "Country is an ISO 3166-1 alpha-2 code such as BD.",
            errors={"country": ["Two-letter country code."]},
        )
    return country


def _ensure_unique(
    username_key: str | None, email: str | None, *, exclude_id: int | None = None
) -> None:
    if username_key is not None:
        query = sa.select(User.id).where(User.username_key == username_key)
        if exclude_id:
            query = query.where(User.id != exclude_id)
        if db.session.scalar(query) is not None:
            raise UsernameTakenError("That username is taken.", errors={"username": ["Taken."]})
    if email is not None:
        query = sa.select(User.id).where(User.email == email)
        if exclude_id:
            query = query.where(User.id != exclude_id)
        if db.session.scalar(query) is not None:
            raise EmailTakenError(
                "That e-mail is already registered.", errors={"email": ["Already registered."]}
            )


def register_user(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str | None = None,
    country: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create an active user.

    Raises ValidationError (shape), WeakPasswordError, UsernameTakenError, EmailTakenError.
    A race between two identical sign-ups ends in the unique index: 409 at the boundary.
    The password is hashed before the write transaction begins (SQLite's lock is not held
    while argon2 works).
    """
    username = _check_username(username)
    email = _check_email(email)
    _check_password(password, username=username, email=email)
    with outside_transaction():
        password_hash = passwords.hash_password(password)
    _ensure_unique(username.lower(), email)
    user = User(
        username=username,
        username_key=username.lower(),
        email=email,
        password_hash=password_hash,
        display_name=(display_name or "").strip() or None,
        country=_check_country(country),
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(login: str, password: str, *, device_token: str | None = None) -> User:
    """The user whose username or e-mail and password match, under the failed-attempt limit
    per account (`lockout`: 10 failures in 15 minutes lock the account for everyone but the
    devices it signed in from before, whose `device_token` is sent).

    Raises LoginLockedError (429), InvalidCredentialsError (unknown login or wrong password,
    indistinguishably), AccountDisabledError (right password, deactivated account) and
    AccountBannedError (right password, banned account).
    The password is checked outside any transaction (no connection or lock held meanwhile).
    """
    with write_intent(False):  # a read: SQLite's write lock is taken only to record the login
        user = find_user_by_login(login)
        ban = bans.get().ban_of(user.id) if user is not None else None
    key = lockout.account_key(login, user)
    device_user = lockout.device_user_id(device_token)
    lockout.ensure_not_locked(key, device_user=device_user)
    stored_hash = user.password_hash if user is not None else None
    with outside_transaction():
        if stored_hash is None:
            passwords.burn_verification_time(password)
            matches = False
        else:
            matches = passwords.verify_password(stored_hash, password)
    if user is None or not matches:
        lockout.record_failure(key, device_user=device_user)
        raise InvalidCredentialsError("Wrong username/e-mail or password.")
    if not user.is_active:
        raise AccountDisabledError("This account is disabled.")
    refuse_if_banned(ban)  # told only to whoever knows the password
    return user


def record_login(user: User) -> None:
    # A plain UPDATE: logging in should not bump the profile's version (ETag).
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(last_login_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def update_profile(user: User, *, changes: dict[str, Any]) -> User:
    """Change the user's own display name and country."""
    if "display_name" in changes:
        user.display_name = (changes["display_name"] or "").strip() or None
    if "country" in changes:
        user.country = _check_country(changes["country"])
    db.session.flush()
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> User:
    """Replace the password; tokens minted before stop working (credentials_version bump).

    Raises InvalidCurrentPasswordError (422) and WeakPasswordError. Both argon2 steps run
    before the write transaction begins.
    """
    _check_password(new_password, field="new_password", username=user.username, email=user.email)
    stored_hash = user.password_hash
    with outside_transaction():
        matches = passwords.verify_password(stored_hash, current_password)
        new_hash = passwords.hash_password(new_password) if matches else None
    if new_hash is None:
        raise InvalidCurrentPasswordError(
            "The current password is wrong.", errors={"current_password": ["Wrong password."]}
        )
    user.password_hash = new_hash
    user.credentials_version += 1
    db.session.flush()
    return user


def set_password(user: User, new_password: str) -> User:
    """Operator reset (CLI/admin): no current password, same strength rules."""
    _check_password(new_password, username=user.username, email=user.email)
    with outside_transaction():
        new_hash = passwords.hash_password(new_password)
    user.password_hash = new_hash
    user.credentials_version += 1
    db.session.flush()
    return user


def revoke_token(*, jti: str, user_id: int | None, expires_at: datetime) -> None:
    """Revoke a refresh token (idempotent: revoking twice is fine)."""
    exists = db.session.scalar(sa.select(RevokedToken.id).where(RevokedToken.jti == jti))
    if exists is None:
        db.session.add(
            RevokedToken(jti=jti, user_id=user_id, expires_at=expires_at, revoked_at=utcnow())
        )
        db.session.flush()


def purge_expired_revoked_tokens() -> int:
    """Forget revocations of tokens that have expired anyway."""
    result = db.session.execute(sa.delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ----- game profiles -------------------------------------------------------------------------
def _parse_game_id(game: Any, in_game_id: str) -> str:
    rule = ID_RULES[game.id_rule]
    normalized = rule.parse(in_game_id or "")
    if normalized is None:
        raise InvalidGameIdError(
            f"{game.name} ids are {rule.expected} (for example {rule.example}).",
            errors={"in_game_id": [f"Expected {rule.expected}."]},
            expected=rule.expected,
            example=rule.example,
        )
    return normalized


def _ensure_game_id_free(game_id: int, key: str, *, exclude_id: int | None = None) -> None:
    query = sa.select(GameProfile.id).where(
        GameProfile.game_id == game_id, GameProfile.in_game_id_key == key
    )
    if exclude_id is not None:
        query = query.where(GameProfile.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise GameIdTakenError(
            "Another player already claimed this in-game id.",
            errors={"in_game_id": ["Already claimed."]},
        )


def add_game_profile(user: User, *, game_ref: int | str, in_game_id: str) -> GameProfile:
    """Attach an in-game id for one game to the user.

    Raises GameNotFoundError, InvalidGameIdError (naming the expected shape),
    GameProfileExistsError (one per user and game), GameIdTakenError (one owner per id).
    """
    game = get_game(game_ref)
    normalized = _parse_game_id(game, in_game_id)
    existing = db.session.scalar(
        sa.select(GameProfile.id).where(
            GameProfile.user_id == user.id, GameProfile.game_id == game.id
        )
    )
    if existing is not None:
        raise GameProfileExistsError(
            f"You already have a {game.name} profile; edit it instead.", profile_id=existing
        )
    key = ownership_key(normalized)
    _ensure_game_id_free(game.id, key)
    profile = GameProfile(
        user_id=user.id, game_id=game.id, in_game_id=normalized, in_game_id_key=key
    )
    db.session.add(profile)
    db.session.flush()
    return profile


def update_game_profile(profile: GameProfile, *, in_game_id: str) -> GameProfile:
    normalized = _parse_game_id(profile.game, in_game_id)
    key = ownership_key(normalized)
    _ensure_game_id_free(profile.game_id, key, exclude_id=profile.id)
    profile.in_game_id = normalized
    profile.in_game_id_key = key
    db.session.flush()
    return profile


def delete_game_profile(profile: GameProfile) -> None:
    db.session.delete(profile)
    db.session.flush()


def update_user_as_staff(user: User, *, actor: User | None, changes: dict[str, Any]) -> User:
    """Staff change another user's profile or flags; the change is audited.

    Raises PermissionDeniedError when the actor is not staff, or when a non-superuser
    tries to change staff status.
    """

    if actor is None or not actor.is_staff:
        raise PermissionDeniedError("Staff only.")
    if "is_staff" in changes and changes["is_staff"] != user.is_staff and not actor.is_superuser:
        raise PermissionDeniedError("Only a superuser may grant or remove staff status.")
    if user.id == actor.id and changes.get("is_active") is False:
        raise PermissionDeniedError("You cannot deactivate your own account.")
    fields = ("display_name", "country", "is_active", "is_staff")
    before = {name: getattr(user, name) for name in fields}
    if "display_name" in changes:
        user.display_name = (changes["display_name"] or "").strip() or None
    if "country" in changes:
        user.country = _check_country(changes["country"])
    for flag in ("is_active", "is_staff"):
        if flag in changes and changes[flag] is not None:
            setattr(user, flag, bool(changes[flag]))
    after = {name: getattr(user, name) for name in fields}
    if before != after:
        db.session.flush()
        audit.record(
            actor=actor,
            action="user.updated",
            target=user,
            before={k: v for k, v in before.items() if before[k] != after[k]},
            after={k: v for k, v in after.items() if before[k] != after[k]},
        )
    return user


# ----- avatar --------------------------------------------------------------------------------
def set_avatar(user: User, *, stream: Any, filename: str | None, alt_text: str) -> User:
    """Store a new avatar image (with `alt_text`, what it shows) and point the user at it;
    the old file goes after the commit.

    Raises UnsupportedFileTypeError (415: not PNG, JPEG or WebP by its bytes) and
    FileTooLargeError (413: over 2 MiB). Nothing changes when either is raised.
    """
    old_key = user.avatar_key
    user.avatar_key = storage.save(stream, "avatar", filename)
    user.avatar_alt_text = alt_text
    # The file exists before the commit: remove it again if the transaction rolls back.
    on_rollback(storage.delete, user.avatar_key)
    db.session.flush()
    if old_key:
        after_commit(storage.delete, old_key)
    return user


def remove_avatar(user: User) -> User:
    """Clear the user's avatar (idempotent); the file is deleted after the commit."""
    old_key = user.avatar_key
    if old_key:
        user.avatar_key = None
        user.avatar_alt_text = None
        db.session.flush()
        after_commit(storage.delete, old_key)
    return user


# ----- staff console settings ----------------------------------------------------------------
def set_time_zone(user: User, zone_name: str) -> User:
    """Set the IANA time zone (`Asia/Dhaka`) the staff console shows `user` times in."""
    name = (zone_name or "").strip()
    if name not in admin_format.zone_names() and name != admin_format.DEFAULT_ZONE:
        raise ValidationError(
            "Unknown time zone.", errors={"time_zone": ["Give an IANA name such as Asia/Dhaka."]}
        )
    if user.time_zone != name:
        user.time_zone = name
        db.session.flush()
    return user
