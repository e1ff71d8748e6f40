"""Request hygiene for every request: the X-Request-ID, body media types (415) and sizes (413)."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def accepts_multipart(view_class: type) -> type:
    """Mark a MethodView whose writes take multipart/form-data instead of JSON."""
    view_class.accepts_multipart = True  # type: ignore[attr-defined]
    return view_class


def _view_accepts_multipart() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    return bool(getattr(view_class, "accepts_multipart", False))


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id() -> None:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = sent if _VALID_REQUEST_ID.match(sent) else uuid.uuid4().hex

    @app.before_request
    def _check_body() -> None:
        if request.method not in BODY_METHODS or not request.path.startswith("/api/"):
            return
        if not _has_body():
            return
        multipart = _view_accepts_multipart()
        if multipart and request.mimetype == "multipart/form-data":
            return
        if multipart or not request.is_json:
            expected = "multipart/form-data" if multipart else "application/json"
            raise UnsupportedMediaType(
                f"Send the body as {expected} (got {request.mimetype or 'no content type'})."
            )
        limit = int(current_app.config.get("MAX_JSON_BODY_BYTES", 1024 * 1024))
        if request.content_length and request.content_length > limit:
            raise RequestEntityTooLarge(f"JSON bodies are limited to {limit} bytes.")

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = g.get("request_id") or uuid.uuid4().hex
        return response
