"""Logging setup: JSON lines with the request id on every record (plain text under tests)."""

from __future__ import annotations

import logging
import sys

from flask import Flask, g, has_request_context
from pythonjsonlogger.json import JsonFormatter


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
