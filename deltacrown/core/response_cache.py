"""The shared cache of hot public reads, and `Cache-Control` on every GET.

A view class marked with `cached_read(scope)` has its anonymous GET responses kept in the
app's cache (Redis in server mode, memory in the embedded default). The key is made of the
endpoint, the path and query string, the `Accept` header and the answer's language; the entry
holds the versions (`core.cache_versions`) of what the response showed when it was read: the
tournament in the path (`TOURNAMENT`) or every list (`LISTS`), and the epoch. A lookup reads
the entry and the current versions in one round trip (Redis MGET) and serves the entry only
while they are equal. A write bumps the versions after its commit, so the next read misses and
stores the new bytes; the entries' timeout (`RESPONSE_CACHE_SECONDS`, 300) is only a safety
net. The versions are read before the view reads the database, so an entry can only ever be
older than its versions, never newer.

What is cached is the view's response as it left the view (status 200, headers, body): a hit
then goes through the same after-request hooks as a miss (request id, security headers,
`Cache-Control`, compression), so its bytes are those an uncached request gets. A hit whose
ETag the client already has answers 304 like the view would. Requests with credentials
(`Authorization`) and requests carrying an invite code are never served from nor stored in
the cache: their answers may depend on the caller.

`Cache-Control` on GET and HEAD: an anonymous success is `public, max-age=15,
stale-while-revalidate=60` (with `Vary: Accept, Accept-Language, Authorization`), anything
answered to credentials is `private, no-cache` (`private, no-store` under the sensitive
prefixes: account, wallet, payouts, notifications, admin), and an anonymous error `no-store`.
A response that sets its own `Cache-Control` keeps it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from flask_smorest.exceptions import NotModified
from werkzeug.http import unquote_etag

from deltacrown.core import cache_versions, i18n
from deltacrown.core.cache import cache

log = logging.getLogger(__name__)

TOURNAMENT = "tournament"  # the tournament in the path (`tournament_id`)
LISTS = cache_versions.LISTS  # every list and leaderboard page
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
# Query parameters that make an answer personal (a secret the caller holds).
PERSONAL_PARAMETERS = ("invite_code",)
DEFAULT_SECONDS = 300
_KEY_PREFIX = "rc:r:"
_SKIPPED_HEADERS = frozenset({"set-cookie"})


def cached_read(scope: str) -> Callable[[type], type]:
    """Mark a MethodView whose anonymous GETs are cached, versioned by `scope`."""

    def mark(view_class: type) -> type:
        view_class.cached_read = scope  # type: ignore[attr-defined]
        return view_class

    return mark


def _scope_of_view() -> str | None:
    if request.method != "GET" or not current_app.config.get("RESPONSE_CACHE", True):
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    scope = getattr(getattr(view, "view_class", None), "cached_read", None)
    if scope is None or not _anonymous() or _personal_query():
        return None
    return str(scope)


def _anonymous() -> bool:
    return "Authorization" not in request.headers


def _personal_query() -> bool:
    return any(name in request.args for name in PERSONAL_PARAMETERS)


def _scopes(scope: str) -> list[str]:
    if scope == TOURNAMENT:
        tournament_id = int((request.view_args or {})["tournament_id"])
        return [cache_versions.EPOCH, cache_versions.tournament_scope(tournament_id)]
    return [cache_versions.EPOCH, LISTS]


def request_key() -> str:
    """This request's cache key: what changes the bytes of the answer, versions aside."""
    parts = [
        request.endpoint or "",
        request.path,
        request.query_string.decode("latin-1"),
        request.headers.get("Accept", ""),
        i18n.select_locale(),  # the language the answer is in, however it was asked for
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return _KEY_PREFIX + digest


def _lookup() -> Response | None:
    """Serve a stored answer whose versions are still the current ones. The entry and the
    versions are read in one cache round trip; an entry stored under older versions (a write
    committed since) is a miss and is replaced."""
    scope = _scope_of_view()
    if scope is None:
        return None
    scopes = _scopes(scope)
    key = request_key()
    try:
        entry, *found = cache.get_many(key, *cache_versions.keys(scopes))
        versions = cache_versions.complete(scopes, found)
    except Exception:  # a cache that is down: answer uncached
        log.exception("response cache lookup failed")
        return None
    if entry is None or entry[0] != versions:
        g.response_cache_entry = (key, versions)
        return None
    _, status, headers, body = entry
    etag = dict(headers).get("ETag")
    if etag and request.if_none_match.contains_weak(unquote_etag(etag)[0] or ""):
        raise NotModified
    return Response(body, status=status, headers=headers)


def _store(response: Response) -> Response:
    stored = g.pop("response_cache_entry", None)
    if stored is None or response.status_code != 200 or response.direct_passthrough:
        return response
    if response.is_streamed or "Set-Cookie" in response.headers:
        return response
    key, versions = stored
    headers = [(k, v) for k, v in response.headers if k.lower() not in _SKIPPED_HEADERS]
    entry = (versions, response.status_code, headers, response.get_data())
    timeout = int(current_app.config.get("RESPONSE_CACHE_SECONDS", DEFAULT_SECONDS))
    try:
        cache.set(key, entry, timeout=timeout)
    except Exception:
        log.exception("response cache store failed")
    return response


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
    """Register the cache hooks; call it after every other hook is registered, so a hit is
    answered after the rate limits and the stored response is the view's own."""
    app.config.setdefault("RESPONSE_CACHE", True)
    app.config.setdefault("RESPONSE_CACHE_SECONDS", DEFAULT_SECONDS)
    cache_versions.install_listeners()
    app.before_request(_lookup)
    app.after_request(_cache_control)
    app.after_request(_store)  # registered last: runs first, on the view's response
