"""Password hashing with argon2 (parameters from config, cheap under TESTING)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    time_cost, memory_cost, parallelism = current_app.config["PASSWORD_HASH_PARAMS"]
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: dict[tuple[int, int, int], str] = {}


def burn_verification_time(password: str) -> None:
    """Spend the time a real check would, so unknown logins cannot be told apart by timing."""
    params = tuple(current_app.config["PASSWORD_HASH_PARAMS"])
    if params not in _DUMMY:
        _DUMMY[params] = hash_password("not-a-real-password-for-timing")  # type: ignore[index]
    verify_password(_DUMMY[params], password)  # type: ignore[index]
