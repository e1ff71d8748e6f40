"""The front of the response cache: stored public answers served before Flask's request cycle.

`CacheFront` wraps the app's WSGI callable. An anonymous `GET` of a cached read
(`response_cache.cached_read`) is looked up here, in one cache round trip (the entry and the
current versions of what it shows), before Flask builds a request, runs its hooks or touches
the database. A hit is answered from the stored final response (the bytes and headers that
left the app the first time, compressed as the client's `Accept-Encoding` asked) with what
belongs to this request alone added: its `X-Request-ID`, `Date`, and the rate-limit headers
of the hit it counted. A hit whose ETag the client already has answers `304`. A miss goes on
to Flask carrying its key and the versions it read (`ENVIRON_KEY`), and
`response_cache.store_final` keeps the final response under them. Only one request rebuilds a
missed entry at a time (`core.cache_fill`): the others get the entry as it was, or wait for
the rebuilt one.

A hit does what every request does, in the same way:

* the default rate limit of the route is counted on the same counters flask-limiter uses
  (a client over its limit goes on to Flask, which answers the 429);
* one `deltacrown.access` line and the request metrics, labelled with the route;
* nothing is served to requests with `Authorization` or an invite code, nor to `HEAD`.

The key holds the endpoint, the path and query string, `Accept`, the answer's language (from
`?lang=` or `Accept-Language`, resolved as the app does) and `Accept-Encoding`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask
from limits import parse_many
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import (
    http_date,
    parse_accept_header,
    parse_etags,
    remove_entity_headers,
    unquote_etag,
)

from deltacrown.core import cache_fill, cache_versions, i18n, metrics
from deltacrown.core.cache import cache
from deltacrown.core.http import REQUEST_ID_HEADER, request_id_for
from deltacrown.core.logging import access_log, redact_query
from deltacrown.core.ratelimit import (
    COUNTED_ENVIRON_KEY,
    EXEMPT_BLUEPRINTS,
    WindowRedisStorage,
    default_limit,
    limiter,
)

log = logging.getLogger(__name__)

ENVIRON_KEY = "deltacrown.response_cache"
CLAIM_ENVIRON_KEY = "deltacrown.response_cache.claim"  # (key, token) of a claimed rebuild
KEY_PREFIX = "rc:f:"
TOURNAMENT = "tournament"
# Headers that belong to one response, never stored: added afresh to each hit.
PER_REQUEST_HEADERS = frozenset(
    {
        "x-request-id",
        "date",
        "set-cookie",
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    }
)
# Query parameters that make an answer personal (a secret the caller holds).
PERSONAL_PARAMETERS = ("invite_code",)
_LANGUAGE_MEMO_SIZE = 256

StartResponse = Callable[..., Any]
Limits = tuple[list[Any], list[str]]  # the limit items, and the identifiers they count by


class CacheFront:
    """Serves cache hits of public reads before the Flask app (see the module docstring)."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Any]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._scopes: dict[str, str | None] = {}
        self._languages: dict[tuple[str, str], str] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        try:
            answer = self._serve(environ, start_response)
        except Exception:  # the front must never fail a request the app would answer
            log.exception("response cache front failed")
            self._release_claim(environ)
            environ.pop(COUNTED_ENVIRON_KEY, None)
            answer = None
        if answer is not None:
            return answer
        counted = environ.get(COUNTED_ENVIRON_KEY)
        respond = start_response
        if counted:

            def respond(status: str, headers: list[Any], exc_info: Any = None) -> Any:
                return start_response(status, [*headers, *counted], exc_info)

        try:
            return self.wsgi_app(environ, respond)
        finally:
            self._release_claim(environ)

    def _release_claim(self, environ: dict[str, Any]) -> None:
        """Give up the rebuild this request claimed: the app has answered (and `store_final`
        kept its answer) or failed."""
        environ.pop(ENVIRON_KEY, None)
        claimed = environ.pop(CLAIM_ENVIRON_KEY, None)
        if claimed is None:
            return
        try:
            with self.app.app_context():
                cache_fill.release(*claimed)
        except Exception:
            log.exception("response cache claim release failed")

    # -- which requests ---------------------------------------------------------------------
    def _candidate(self, environ: dict[str, Any]) -> bool:
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return False
        if not environ.get("PATH_INFO", "").startswith("/api/"):
            return False
        if not self.app.config.get("RESPONSE_CACHE", True):
            return False
        query = environ.get("QUERY_STRING", "")
        return not any(
            name in query and name in dict(parse_qsl(query, keep_blank_values=True))
            for name in PERSONAL_PARAMETERS
        )

    def _match(self, environ: dict[str, Any]) -> tuple[Any, Mapping[str, Any], str] | None:
        """The route's rule, arguments and cache scope, or None when it is not a cached read."""
        try:
            adapter = self.app.url_map.bind_to_environ(environ)
            rule, view_args = adapter.match(method="GET", return_rule=True)
        except HTTPException:
            return None
        scope = self._scope_of(rule.endpoint)
        if scope is None:
            return None
        return rule, view_args, scope

    @staticmethod
    def _counts_places(environ: dict[str, Any]) -> bool:
        """Whether a list page filters on held places (registrations change its answer)."""
        query = environ.get("QUERY_STRING", "")
        return "has_slots" in query and any(
            name == "has_slots" for name, _ in parse_qsl(query, keep_blank_values=True)
        )

    def _scope_of(self, endpoint: str) -> str | None:
        if endpoint not in self._scopes:
            view = self.app.view_functions.get(endpoint)
            scope = getattr(getattr(view, "view_class", None), "cached_read", None)
            self._scopes[endpoint] = None if scope is None else str(scope)
        return self._scopes[endpoint]

    def _language(self, environ: dict[str, Any]) -> str:
        """The answer's language, chosen as the app does (`i18n.language_for`)."""
        query = environ.get("QUERY_STRING", "")
        asked = dict(parse_qsl(query)).get("lang", "") if "lang=" in query else ""
        header = environ.get("HTTP_ACCEPT_LANGUAGE", "")
        memo_key = (asked, header)
        found = self._languages.get(memo_key)
        if found is None:
            found = i18n.language_for(asked, parse_accept_header(header, LanguageAccept))
            if len(self._languages) >= _LANGUAGE_MEMO_SIZE:
                self._languages.clear()
            self._languages[memo_key] = found
        return found

    def key(self, endpoint: str, environ: dict[str, Any]) -> str:
        parts = [
            endpoint,
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
            self._language(environ),
            environ.get("HTTP_ACCEPT_ENCODING", ""),
        ]
        return KEY_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    # -- serving ----------------------------------------------------------------------------
    def _serve(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        if not self._candidate(environ):
            return None
        started = time.perf_counter()
        matched = self._match(environ)
        if matched is None:
            return None
        rule, view_args, scope = matched
        if scope == TOURNAMENT:
            scopes = [
                cache_versions.EPOCH,
                cache_versions.tournament_scope(int(view_args["tournament_id"])),
            ]
        else:  # a lists-wide scope (`lists`, `leaderboards`)
            scopes = [cache_versions.EPOCH, scope]
            if scope == cache_versions.LISTS and self._counts_places(environ):
                scopes.append(cache_versions.HELD_PLACES)
        key = self.key(rule.endpoint, environ)
        with self.app.app_context():
            limits = self._limits(rule.endpoint, environ)
            entry, found, over = self._read(key, cache_versions.keys(scopes), limits)
            versions = cache_versions.complete(scopes, found)
            if over:  # the app counts it again and answers the 429
                return None
            limit_headers = self._limit_headers(limits)
            if limits is not None:
                environ[COUNTED_ENVIRON_KEY] = limit_headers  # the app does not count it again
            served = "hit"
            if entry is None or entry[0] != versions:
                entry, served = self._while_refreshing(environ, key, versions, entry)
                if entry is None:
                    return None
        _, headers, body = entry
        rid = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        extra = [(REQUEST_ID_HEADER, rid), ("Date", http_date()), *limit_headers]
        status = "200 OK"
        etag = next((v for k, v in headers if k == "ETag"), None)
        if etag and self._client_has(environ, etag):
            status, body = "304 NOT MODIFIED", b""
            headers = list(headers)
            remove_entity_headers(headers)  # as werkzeug does for the app's own 304
        start_response(status, [*headers, *extra])
        self._record(environ, rule.rule, int(status[:3]), started, rid, served)
        return [body]

    def _while_refreshing(
        self, environ: dict[str, Any], key: str, versions: Any, entry: Any
    ) -> tuple[Any, str]:
        """A miss: claim the refresh (None: the app builds the answer and `store_final` keeps
        it), or, while another request holds the claim, the entry as it was before (`stale`)
        or the one the claimant stores (`waited`). See `core.cache_fill`."""
        config = self.app.config
        refresh = float(
            config.get("RESPONSE_CACHE_REFRESH_SECONDS", cache_fill.DEFAULT_REFRESH_SECONDS)
        )
        token = cache_fill.claim(key, refresh)
        if token is None:
            if entry is not None:
                return entry, "stale"
            wait = float(
                config.get("RESPONSE_CACHE_FILL_WAIT_SECONDS", cache_fill.DEFAULT_WAIT_SECONDS)
            )
            entry = cache_fill.wait_for(key, wait)
            if entry is not None:
                return entry, "waited"
        environ[ENVIRON_KEY] = (key, versions)
        if token is not None:
            environ[CLAIM_ENVIRON_KEY] = (key, token)
        return None, "miss"

    @staticmethod
    def _client_has(environ: dict[str, Any], etag: str) -> bool:
        sent = environ.get("HTTP_IF_NONE_MATCH")
        if not sent:
            return False
        return parse_etags(sent).contains_weak(unquote_etag(etag)[0] or "")

    # -- the cache and the rate limit in one round trip ---------------------------------------
    def _limits(self, endpoint: str, environ: dict[str, Any]) -> Limits | None:
        """The route's default limits and this client's identifiers on them, as flask-limiter
        counts them; None when no limit applies."""
        config = self.app.config
        blueprint = endpoint.rpartition(".")[0]
        if not config.get("RATELIMIT_ENABLED", True) or blueprint in EXEMPT_BLUEPRINTS:
            return None
        scope = f"{endpoint}:GET" if limiter._default_limits_per_method else endpoint
        identifiers = [f"ip:{environ.get('REMOTE_ADDR') or 'unknown'}", scope]
        if limiter._key_prefix:
            identifiers.insert(0, limiter._key_prefix)
        return sorted(parse_many(default_limit())), identifiers

    def _read(
        self, key: str, version_keys: list[str], limits: Limits | None
    ) -> tuple[Any, list[Any], bool]:
        """The entry, the versions found and whether this hit is over a limit. With Redis
        behind both the cache and the limits, it is one pipelined round trip."""
        backend: Any = cache.cache
        client = getattr(backend, "_read_client", None)
        if limits is not None and client is not None:
            storage = limiter.limiter.storage
            if isinstance(storage, WindowRedisStorage) and storage.same_server(client):
                keys = [key, *version_keys]
                return self._read_pipelined(backend, client, storage, keys, limits)
        entry, *found = cache.get_many(key, *version_keys)
        over = False
        if limits is not None:
            items, identifiers = limits
            over = not all([limiter.limiter.hit(item, *identifiers) for item in items])
        return entry, found, over

    @staticmethod
    def _read_pipelined(
        backend: Any, client: Any, storage: WindowRedisStorage, keys: list[str], limits: Limits
    ) -> tuple[Any, list[Any], bool]:
        items, identifiers = limits
        prefix = backend._get_prefix() if backend.key_prefix else ""
        pipe = client.pipeline(transaction=False)
        pipe.mget([prefix + k for k in keys])
        limit_keys = [item.key_for(*identifiers) for item in items]
        for item, limit_key in zip(items, limit_keys, strict=True):
            storage.queue_incr(pipe, limit_key, item.get_expiry())
        answers = pipe.execute(raise_on_error=False)
        if isinstance(answers[0], Exception):
            raise answers[0]
        entry, *found = [backend.serializer.loads(v) for v in answers[0]]
        over = False
        for item, limit_key, answer in zip(items, limit_keys, answers[1:], strict=True):
            if isinstance(answer, Exception):  # the script was not loaded yet
                count = storage.incr(limit_key, item.get_expiry())
            else:
                count = storage.counted(limit_key, answer)
            over = over or count > item.amount
        return entry, found, over

    def _limit_headers(self, limits: Limits | None) -> list[tuple[str, str]]:
        """The rate-limit headers of a request within its limits."""
        if limits is None:
            return []
        items, identifiers = limits
        if not items or not self.app.config.get("RATELIMIT_HEADERS_ENABLED", True):
            return []
        first = items[0]
        reset, remaining = limiter.limiter.get_window_stats(first, *identifiers)
        return [
            ("X-RateLimit-Limit", str(first.amount)),
            ("X-RateLimit-Remaining", str(remaining)),
            ("X-RateLimit-Reset", str(int(reset + 1))),
        ]

    @staticmethod
    def _record(
        environ: dict[str, Any], route: str, status: int, started: float, rid: str, served: str
    ) -> None:
        duration = time.perf_counter() - started
        metrics.HTTP_REQUESTS.labels("GET", route, metrics.status_class(status)).inc()
        metrics.HTTP_DURATION.labels("GET", route).observe(duration)
        if not access_log.isEnabledFor(logging.INFO):
            return
        fields: dict[str, Any] = {
            "method": "GET",
            "route": route,
            "status": status,
            "duration_ms": round(duration * 1000, 1),
            "user_id": None,
            "request_id": rid,
            "cache": served,
        }
        query = environ.get("QUERY_STRING", "")
        if query:
            fields["query"] = redact_query(query)
        access_log.info("GET %s %s %sms", route, status, fields["duration_ms"], extra=fields)


def stored_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a final response that every hit repeats."""
    return [(k, v) for k, v in headers if k.lower() not in PER_REQUEST_HEADERS]


def install(app: Flask) -> None:
    """Put the front right around the Flask app (inside ProxyFix, which sets the client's
    address the rate limits count by)."""
    outer = app.wsgi_app
    if hasattr(outer, "x_for") and hasattr(outer, "app"):  # werkzeug's ProxyFix
        outer.app = CacheFront(app, outer.app)
    else:
        app.wsgi_app = CacheFront(app, outer)  # type: ignore[method-assign]
