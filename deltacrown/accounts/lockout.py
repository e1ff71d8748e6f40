"""Failed sign-ins counted per account, and the devices exempt from the lockout they cause.

Brute force is stopped where it matters: after `LOGIN_FAILURE_LIMIT` (default 10 per 15
minutes) failed passwords for one account, further attempts on it answer 429 `login_locked`
with `Retry-After`, from any address. The username and e-mail forms of one account share one
counter; unknown login names are counted by their normalised text, so a lockout does not tell
whether an account exists. Successful sign-ins are not counted and do not reset the counter.

So that anyone cannot lock a player out by failing on purpose, a *known device* is exempt: a
successful sign-in returns a `device_token` (signed with SECRET_KEY, bound to the account;
the admin sign-in page keeps it in a cookie), and a sign-in that sends it back is checked
even while the account is locked for everyone else (OWASP's "device cookie" scheme). Its own
failures are counted per device, under the same limit.

Counters live in the rate-limit store (memory in the embedded default, Redis in server mode);
`LOGIN_LOCKOUT_ENABLED` turns them off. A store that cannot be reached does not block sign-ins.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from deltacrown.accounts.errors import LoginLockedError
from deltacrown.accounts.queries import find_user_by_login

log = logging.getLogger(__name__)

DEVICE_SALT = "deltacrown-login-device"
DEVICE_COOKIE = "deltacrown_device"
DEVICE_MAX_AGE = 180 * 24 * 3600


def _counter() -> tuple[MovingWindowRateLimiter, Any] | None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("LOGIN_LOCKOUT_ENABLED", True):
        return None
    found = app.extensions.get("deltacrown_login_failures")
    if found is None:
        uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        storage = storage_from_string(uri, key_prefix="deltacrown-login")
        found = (MovingWindowRateLimiter(storage), parse(_limit()))
        app.extensions["deltacrown_login_failures"] = found
    return found  # type: ignore[no-any-return]


def _limit() -> str:
    return str(current_app.config.get("LOGIN_FAILURE_LIMIT") or "10/15 minutes")


def _key(name: str) -> str:
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX', '')}:{name}"


def account_key(login: str, user: Any = None) -> str:
    """The counter of the account `login` names (its id), or of the unknown name itself."""
    user = user if user is not None else find_user_by_login(login)
    if user is not None:
        return f"user:{user.id}"
    return f"name:{login.strip().lower()[:254]}"


def device_token_for(user: Any) -> str:
    """A token that marks this device as one `user` signed in from."""
    serializer = URLSafeTimedSerializer(current_app.secret_key or "", salt=DEVICE_SALT)
    return serializer.dumps({"u": user.id})


def device_user_id(token: str | None) -> int | None:
    """The account a device token was issued to, or None (absent, forged or expired)."""
    if not token:
        return None
    serializer = URLSafeTimedSerializer(current_app.secret_key or "", salt=DEVICE_SALT)
    try:
        payload = serializer.loads(token, max_age=DEVICE_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    user_id = payload.get("u") if isinstance(payload, dict) else None
    return user_id if isinstance(user_id, int) else None


def _bucket(key: str, device_user: int | None) -> str:
    """Failures of a known device count on their own; everyone else shares the account's."""
    if device_user is not None and key == f"user:{device_user}":
        return _key(f"{key}:device")
    return _key(key)


def ensure_not_locked(key: str, *, device_user: int | None = None) -> None:
    """Raise LoginLockedError (429, Retry-After) when `key`'s failures reached the limit."""
    counter = _counter()
    if counter is None:
        return
    strategy, item = counter
    bucket = _bucket(key, device_user)
    try:
        if strategy.test(item, bucket):
            return
        reset_at = strategy.get_window_stats(item, bucket).reset_time
    except Exception:  # the store is down: sign-ins go on unprotected rather than not at all
        log.warning("login failure counter unavailable", exc_info=True)
        return
    retry_after = max(1, math.ceil(reset_at - time.time()))
    raise LoginLockedError(
        f"Too many failed sign-ins for this account; try again in {retry_after} s, or sign in "
        "from a device you used before.",
        headers={"Retry-After": str(retry_after)},
        retry_after=retry_after,
    )


def record_failure(key: str, *, device_user: int | None = None) -> None:
    counter = _counter()
    if counter is None:
        return
    strategy, item = counter
    try:
        strategy.hit(item, _bucket(key, device_user))
    except Exception:
        log.warning("login failure counter unavailable", exc_info=True)
