"""The shared cache of hot public reads, and `Cache-Control` on every GET.

A view class marked with `cached_read(scope)` has its anonymous GET responses kept in the
app's cache (Redis in server mode, memory in the embedded default). The key is made of the
endpoint, the path and query string, `Accept`, the answer's language and `Accept-Encoding`; the
entry holds the versions (`core.cache_versions`) of what the response showed when it was read:
the tournament in the path (`TOURNAMENT`), every tournament list (`LISTS`) or every
leaderboard (`LEADERBOARDS`), and the epoch. The lookup
happens in `core.cache_front`, before Flask's request cycle: it reads the entry and the current
versions in one round trip (Redis MGET) and serves the entry only while they are equal. A write
bumps the versions after its commit, so the next read misses and stores the new bytes; the
entries' timeout (`RESPONSE_CACHE_SECONDS`, 300) is only a safety net. The versions are read
before the view reads the database, so an entry can only ever be older than its versions,
never newer.

What is cached is the final response of a miss (status 200, its headers, the body as sent,
compressed when it was), kept by `store_final` after every other hook ran; a hit repeats it
with this request's own `X-Request-ID`, `Date` and rate-limit headers, so its bytes are those
an uncached request gets. A hit whose ETag the client already has answers 304. Requests with
credentials (`Authorization`) and requests carrying an invite code are never served from nor
stored in the cache: their answers may depend on the caller.

`Cache-Control` on GET and HEAD: an anonymous success is `public, max-age=15,
stale-while-revalidate=60` (with `Vary: Accept, Accept-Language, Authorization`), anything
answered to credentials is `private, no-cache` (`private, no-store` under the sensitive
prefixes: account, wallet, payouts, notifications, admin), and an anonymous error `no-store`.
A response that sets its own `Cache-Control` keeps it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, current_app, request

from deltacrown.core import cache_front, cache_versions
from deltacrown.core.cache import cache

log = logging.getLogger(__name__)

TOURNAMENT = cache_front.TOURNAMENT  # the tournament in the path (`tournament_id`)
LISTS = cache_versions.LISTS  # every tournament list page
LEADERBOARDS = cache_versions.LEADERBOARDS  # every leaderboard page
PUBLIC = "public, max-age=15, stale-while-revalidate=60"
PRIVATE = "private, no-cache"
SENSITIVE = "private, no-store"
NO_STORE = "no-store"
PUBLIC_VARY = ("Accept", "Accept-Language", "Authorization")
SENSITIVE_PREFIXES = (
    "/api/auth/",
    "/api/me/",
    "/api/admin/",
    "/api/wallet",
    "/api/shop/purchases",
    "/api/payouts",
    "/api/notifications",
    "/api/webhooks",
)
PERSONAL_PARAMETERS = cache_front.PERSONAL_PARAMETERS
DEFAULT_SECONDS = 300


def cached_read(scope: str) -> Callable[[type], type]:
    """Mark a MethodView whose anonymous GETs are cached, versioned by `scope`."""

    def mark(view_class: type) -> type:
        view_class.cached_read = scope  # type: ignore[attr-defined]
        return view_class

    return mark


def _anonymous() -> bool:
    return "Authorization" not in request.headers


def _personal_query() -> bool:
    return any(name in request.args for name in PERSONAL_PARAMETERS)


def store_final(response: Response) -> Response:
    """Keep the final response of a cached read that missed (`cache_front` left its key and
    the versions it read in the WSGI environ): status 200, every header but those of this
    request alone, and the body as sent (compressed when it was)."""
    stored = request.environ.pop(cache_front.ENVIRON_KEY, None)
    if stored is None:
        return response
    if not _storable(response):
        return response
    key, versions = stored
    entry = (versions, cache_front.stored_headers(response.headers), response.get_data())
    timeout = int(current_app.config.get("RESPONSE_CACHE_SECONDS", DEFAULT_SECONDS))
    try:
        cache.set(key, entry, timeout=timeout)
    except Exception:
        log.exception("response cache store failed")
    return response


def _storable(response: Response) -> bool:
    if response.status_code != 200 or response.direct_passthrough or response.is_streamed:
        return False
    return "Set-Cookie" not in response.headers


def cache_control_for(status: int) -> str:
    """The `Cache-Control` of this GET's response with `status`."""
    if not _anonymous():
        return SENSITIVE if request.path.startswith(SENSITIVE_PREFIXES) else PRIVATE
    if status >= 400:
        return NO_STORE
    if _personal_query():
        return SENSITIVE
    return PUBLIC


def _cache_control(response: Response) -> Response:
    if request.method not in ("GET", "HEAD") or not request.path.startswith("/api/"):
        return response
    if "Cache-Control" in response.headers:
        return response
    value = cache_control_for(response.status_code)
    response.headers["Cache-Control"] = value
    if value == PUBLIC:
        for header in PUBLIC_VARY:
            response.vary.add(header)
    return response


def init_app(app: Flask) -> None:
    """Install the cache's front and its hooks; call it after every other extension, so the
    front sits right around Flask and `store_final` runs after every other after-request
    hook (compression included) and keeps the bytes the client received."""
    app.config.setdefault("RESPONSE_CACHE", True)
    app.config.setdefault("RESPONSE_CACHE_SECONDS", DEFAULT_SECONDS)
    cache_versions.install_listeners()
    app.after_request(_cache_control)
    # after_request hooks run in reverse order of registration: first in the list runs last.
    app.after_request_funcs.setdefault(None, []).insert(0, store_final)
    cache_front.install(app)
