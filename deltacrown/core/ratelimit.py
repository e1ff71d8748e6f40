"""Rate-limit keys and presets (flask-limiter): per user when a token is sent, else per IP.

Storage follows the run mode: memory in the embedded default, Redis in server mode (set by
the factory from REDIS_URL). Exceeding a limit raises flask-limiter's 429, rendered as a
problem with `Retry-After` by core.errors.

In Redis a request costs one round trip (`WindowRedisStorage`): flask-limiter counts the hit
(a Lua script) and then reads the window's count and expiry for the X-RateLimit headers,
which would be two more commands; the script returns both with the count.

Every route gets `RATELIMIT_DEFAULT` unless it declares its own limits, except the probes and
the API documentation (`is_exempt`). The limiter is one process-wide object whose settings
are fixed by the first app that enables it, so the default is read from the current app's
config on each request and `RATELIMIT_ENABLED` is checked per app as well (several test apps
live in one process; production has one).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app, request
from flask_limiter import Limiter
from limits.storage import RedisStorage

from deltacrown.core.auth import token_identity_unverified_db

# Blueprints no limit applies to: /healthz and /readiness (ops), /api/docs/* (api_docs) and
# /api/openapi.json (flask-smorest's api-docs). Flask-Admin's static files (`admin.static`)
# are exempt in flask-limiter itself, like every `*.static` endpoint.
EXEMPT_BLUEPRINTS = frozenset({"ops", "api_docs", "api-docs", "media"})
# Set in the WSGI environ by the response cache's front when it already counted this request.
COUNTED_ENVIRON_KEY = "deltacrown.ratelimit_counted"


def client_ip() -> str:
    return request.remote_addr or "unknown"


def rate_limit_key() -> str:
    identity = token_identity_unverified_db()
    return f"user:{identity}" if identity else f"ip:{client_ip()}"


def ip_key() -> str:
    return f"ip:{client_ip()}"


def auth_limit() -> str:
    """Sign-ins and sign-ups per client address (config `RATELIMIT_AUTH`), sized for a LAN venue
    where a hundred players share one public address; brute force on one account is stopped by
    the per-account lockout of failed passwords (accounts `lockout`)."""
    return str(current_app.config.get("RATELIMIT_AUTH") or "60/minute")


def default_limit() -> str:
    """The limit of routes that declare none (config `RATELIMIT_DEFAULT`)."""
    return str(current_app.config.get("RATELIMIT_DEFAULT") or "300/minute")


def is_exempt() -> bool:
    """No limit at all for this request: limits are off for this app, or an exempt route."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    if COUNTED_ENVIRON_KEY in request.environ:  # counted by the cache front (core.cache_front)
        return True
    return request.blueprint in EXEMPT_BLUEPRINTS


# ----- one Redis round trip per limit -------------------------------------------------------
STORAGE_SCHEMES = {"redis": "deltacrown+redis", "rediss": "deltacrown+rediss"}
# How long a hit's count and expiry answer the same thread's reads of that window (the
# headers of the request that made the hit).
_FRESH_SECONDS = 1.0


def storage_uri(redis_url: str) -> str:
    """The rate-limit storage URI for a Redis URL: `WindowRedisStorage` for redis(s)://."""
    scheme, sep, rest = redis_url.partition("://")
    return f"{STORAGE_SCHEMES[scheme]}{sep}{rest}" if scheme in STORAGE_SCHEMES else redis_url


class WindowRedisStorage(RedisStorage):  # type: ignore[misc]
    """limits' Redis storage whose counting script also returns the window's TTL, kept for
    the reads that follow on the same thread (each read once, within a second), so counting
    a hit and filling the rate-limit headers is one round trip."""

    STORAGE_SCHEME = list(STORAGE_SCHEMES.values())
    SCRIPT_INCR_TTL = b"""
local amount = tonumber(ARGV[2])
local current = redis.call("incrby", KEYS[1], amount)
if tonumber(current) == amount then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("ttl", KEYS[1])}
"""

    def __init__(self, uri: str, **options: Any) -> None:
        scheme, sep, rest = uri.partition("://")
        plain = {v: k for k, v in STORAGE_SCHEMES.items()}.get(scheme, scheme)
        self._recent = threading.local()
        super().__init__(f"{plain}{sep}{rest}", **options)

    def initialize_storage(self, uri: str) -> None:
        super().initialize_storage(uri)
        self.lua_incr_ttl = self.get_connection().register_script(self.SCRIPT_INCR_TTL)

    def _windows(self) -> dict[str, list[Any]]:
        if not hasattr(self._recent, "windows"):
            self._recent.windows = {}
        return self._recent.windows  # type: ignore[no-any-return]

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        current, ttl = self.lua_incr_ttl([self.prefixed_key(key)], [expiry, amount])
        return self.counted(key, (current, ttl))

    def queue_incr(self, pipe: Any, key: str, expiry: int, amount: int = 1) -> None:
        """Queue `incr` on `pipe`, a pipeline to the same Redis server that carries other
        commands of the request; give its answer to `counted` (or call `incr` again when the
        answer is a NoScriptError: the script was not loaded yet)."""
        pipe.evalsha(self.lua_incr_ttl.sha, 1, self.prefixed_key(key), expiry, amount)

    def counted(self, key: str, answer: Any) -> int:
        """The count the counting script answered, kept for the same thread's reads."""
        current, ttl = answer
        now = time.time()
        # [count, expires at, made at, count still unread, expiry still unread]
        self._windows()[key] = [int(current), max(int(ttl), 0) + now, now, True, True]
        return int(current)

    def same_server(self, client: Any) -> bool:
        """Whether `client` talks to this storage's Redis server and database."""
        mine = self.storage.connection_pool.connection_kwargs
        theirs = client.connection_pool.connection_kwargs
        return all(mine.get(k) == theirs.get(k) for k in ("host", "port", "db", "path"))

    def _recent_value(self, key: str, index: int) -> Any:
        window = self._windows().get(key)
        if window is None or not window[index + 3] or time.time() - window[2] > _FRESH_SECONDS:
            return None
        window[index + 3] = False
        return window[index]

    def get(self, key: str) -> int:
        count = self._recent_value(key, 0)
        return int(count) if count is not None else int(super().get(key))

    def get_expiry(self, key: str) -> float:
        expires_at = self._recent_value(key, 1)
        return float(expires_at) if expires_at is not None else float(super().get_expiry(key))


# The process-wide limiter, unbound; `create_app` binds it (see the module docstring).
limiter = Limiter(key_func=rate_limit_key, default_limits=[default_limit])
limiter.request_filter(is_exempt)
