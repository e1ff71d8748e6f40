"""What reaches Sentry: `scrub_sentry_event`, the SDK's `before_send`.

An event keeps what finds a bug (the exception, its stack without local variables, the route,
the method, the URL with tokens redacted, the release and environment) and is tagged with the
request id (the one in the JSON logs and the `X-Request-ID` header) and the user id. It loses
everything that identifies or authenticates a person: e-mail addresses (in the user and in
any message), usernames, IP addresses, cookies, request bodies, headers other than a short
list of harmless ones, and secret-looking query parameters.
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, has_request_context
from flask_jwt_extended import get_jwt

from deltacrown.core.logging import redact_query, redact_tokens, redact_url_text

SAFE_HEADERS = frozenset({"accept", "content-type", "content-length", "user-agent", "x-request-id"})
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
EMAIL_REDACTED = "[email]"


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL.sub(EMAIL_REDACTED, redact_url_text(redact_tokens(value)))
    return value


def _current_ids() -> tuple[str | None, str | None]:
    if not has_request_context():
        return None, None
    request_id = g.get("request_id")
    try:
        user_id = get_jwt().get("sub")
    except RuntimeError:  # no token was verified for this request
        user_id = None
    return request_id, (str(user_id) if user_id is not None else None)


def _scrub_request(request: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key in ("method", "url", "query_string"):
        if key in request:
            kept[key] = request[key]
    if isinstance(kept.get("url"), str):
        kept["url"] = _text(kept["url"].split("?", 1)[0])
    if isinstance(kept.get("query_string"), str):
        kept["query_string"] = redact_query(kept["query_string"])
    headers = request.get("headers")
    if isinstance(headers, dict):
        kept["headers"] = {k: v for k, v in headers.items() if k.lower() in SAFE_HEADERS}
    return kept


def _scrub_exceptions(event: dict[str, Any]) -> None:
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = _text(exception.get("value"))
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)


def _scrub_breadcrumbs(event: dict[str, Any]) -> None:
    breadcrumbs = event.get("breadcrumbs")
    values = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    for crumb in values or []:
        crumb["message"] = _text(crumb.get("message"))
        data = crumb.get("data")
        if isinstance(data, dict):
            crumb["data"] = {k: _text(v) for k, v in data.items()}


def scrub_sentry_event(event: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    """Sentry `before_send` (and `before_send_transaction`): tag, then strip personal data."""
    request_id, user_id = _current_ids()
    tags = event.setdefault("tags", {})
    if request_id:
        tags["request_id"] = request_id
    user = event.get("user") or {}
    user_id = user_id or (str(user["id"]) if user.get("id") is not None else None)
    if user_id:
        tags["user_id"] = user_id
        event["user"] = {"id": user_id}
    else:
        event.pop("user", None)
    if isinstance(event.get("request"), dict):
        event["request"] = _scrub_request(event["request"])
    if "message" in event:
        event["message"] = _text(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry["message"] = _text(logentry.get("message"))
        if isinstance(logentry.get("params"), list):
            logentry["params"] = [_text(p) for p in logentry["params"]]
        if isinstance(logentry.get("formatted"), str):
            logentry["formatted"] = _text(logentry["formatted"])
    _scrub_exceptions(event)
    _scrub_breadcrumbs(event)
    extra = event.get("extra")
    if isinstance(extra, dict):
        event["extra"] = {k: _text(v) for k, v in extra.items()}
    return event
