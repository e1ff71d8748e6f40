"""Logging setup: JSON lines with the request id on every record (plain text under tests).

Tokens never reach a log: websockets may carry the access token as `?token=`, so every URL
in a record (the development server's and gunicorn's access lines included) has its token
parameters replaced by `[redacted]` (`TokenRedactingFilter`), and so have Sentry events.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from flask import Flask, g, has_request_context

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
        request_id = None
        if has_request_context():
            request_id = g.get("request_id")
        record.request_id = request_id or "-"
        return True


def make_handler(*, as_json: bool) -> logging.Handler:
    """A stderr handler that stamps the request id; JSON lines or plain text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(TokenRedactingFilter())
    if as_json:
        from pythonjsonlogger.json import JsonFormatter

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
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
            logger.addFilter(TokenRedactingFilter())
