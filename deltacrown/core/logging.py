"""Logging setup: JSON lines with the request id on every record (plain text under tests), and
one access line per request on `deltacrown.access`.

The access line holds the method, the route template (`/api/tournaments/<int:tournament_id>/`,
not the id), the status, the duration in ms, the request id and the user id, plus the query
string with secrets redacted; never a header or a body. Werkzeug's own request lines (the
development server) get the same redaction.

Tokens never reach a log: websockets may carry the access token as `?token=`, so every URL
in a record (the development server's and gunicorn's access lines included) has its token
parameters replaced by `[redacted]` (`TokenRedactingFilter`), and so have Sentry events.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, g, has_request_context, request
from flask_jwt_extended import get_jwt
from pythonjsonlogger.json import JsonFormatter

access_log = logging.getLogger("deltacrown.access")
# Query parameters whose values never reach a log line.
SECRET_PARAMETER = re.compile(r"token|secret|password|signature|key|code", re.IGNORECASE)
_SECRET_IN_URL = re.compile(
    r"((?:[A-Za-z0-9_]*?(?:token|secret|password|signature|key|code)[A-Za-z0-9_]*)=)[^&\s\"]*",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def redact_query(query: str) -> str:
    """A query string with the values of secret-looking parameters replaced."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode(
        [(k, REDACTED if SECRET_PARAMETER.search(k) else v) for k, v in pairs], safe="[]"
    )


def redact_url_text(text: str) -> str:
    """Free text holding URLs (a request line) with secret-looking parameter values replaced."""
    return _SECRET_IN_URL.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """For Werkzeug's request lines: `"GET /ws/matches/1?token=…"` loses the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                redact_url_text(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redact_url_text(record.msg)
        return True


_TOKEN_PARAM = re.compile(r"(?i)([?&;](?:token|access_token|refresh_token|jwt)=)[^&\s\"'#]+")
# Loggers that write request lines: Werkzeug's development server and gunicorn.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact_tokens(text: str) -> str:
    """`text` with the value of every token query parameter replaced by `[redacted]`."""
    return _TOKEN_PARAM.sub(r"\1[redacted]", text)


class TokenRedactingFilter(logging.Filter):
    """Rewrites a record whose message holds a URL with a token parameter."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def redact_sentry_event(event: dict[str, Any], hint: Any) -> dict[str, Any]:
    """Sentry `before_send`: no token in the reported URL or query string."""
    request = event.get("request") or {}
    if isinstance(request.get("url"), str):
        request["url"] = redact_tokens(request["url"])
    if isinstance(request.get("query_string"), str):  # "a=1&token=…": no leading "?"
        request["query_string"] = redact_tokens("?" + request["query_string"])[1:]
    return event


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (from `g`, set per request) to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = getattr(record, "request_id", None)  # given by a caller outside Flask
        if has_request_context():
            request_id = g.get("request_id") or request_id
        record.request_id = request_id or "-"
        return True


def make_handler(*, as_json: bool) -> logging.Handler:
    """A stderr handler that stamps the request id; JSON lines or plain text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(TokenRedactingFilter())
    if as_json:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    return handler


def configure_logging(app: Flask) -> None:
    level = app.config.get("LOG_LEVEL", "INFO")
    handler = make_handler(as_json=bool(app.config.get("LOG_JSON", True)))
    root = logging.getLogger("deltacrown")
    # Replace our own handler on re-configuration (tests build several apps).
    for existing in list(root.handlers):
        if getattr(existing, "_deltacrown", False):
            root.removeHandler(existing)
    handler._deltacrown = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = app.testing  # pytest caplog listens on the root logger
    app.logger.handlers = [handler]
    app.logger.setLevel(level)
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactSecretsFilter) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactSecretsFilter())
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
            logger.addFilter(TokenRedactingFilter())


def _user_id() -> Any:
    try:
        return get_jwt().get("sub")
    except RuntimeError:  # no token was verified for this request
        return None


def init_access_log(app: Flask) -> None:
    """One `deltacrown.access` line per request (INFO)."""

    @app.before_request
    def _start_clock() -> None:
        g.started_at = time.perf_counter()

    @app.after_request
    def _access_line(response: Response) -> Response:
        if not access_log.isEnabledFor(logging.INFO):
            return response
        started = g.get("started_at")
        duration = (time.perf_counter() - started) * 1000 if started is not None else None
        fields: dict[str, Any] = {
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule is not None else None,
            "status": response.status_code,
            "duration_ms": round(duration, 1) if duration is not None else None,
            "user_id": _user_id(),
        }
        if request.query_string:
            fields["query"] = redact_query(request.query_string.decode("utf-8", "replace"))
        access_log.info(
            "%s %s %s %sms", request.method, fields["route"] or "-", response.status_code,
            fields["duration_ms"], extra=fields,
        )  # fmt: skip
        return response
