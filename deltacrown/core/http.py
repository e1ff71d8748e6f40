"""Request hygiene for every request: the X-Request-ID, body media types (415), sizes (413,
chunked bodies included) and JSON nesting (400), security headers, and the proxy setting.

`init_app` must run before the rate limiter's: the limiter reads the login name from the body,
so the body is checked first.
"""

from __future__ import annotations

import re
import secrets
import uuid

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.middleware.proxy_fix import ProxyFix

from deltacrown.core.inputs import DEFAULT_MAX_JSON_DEPTH, json_too_deep

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_for(sent: str) -> str:
    """This request's id: the client's X-Request-ID when it is safe to repeat, else a new one."""
    return sent if _VALID_REQUEST_ID.match(sent) else uuid.uuid4().hex


BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# HTML pages of our own (Swagger UI, ReDoc, the staff admin) get a content security policy.
HTML_PREFIXES = ("/admin", "/api/docs")
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Flask-Admin's own templates use inline event handlers (confirmations, filters).
ADMIN_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


class JsonTooDeep(BadRequest):
    problem_code = "json_too_deep"


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


def csp_nonce() -> str:
    """This request's nonce for inline scripts of our HTML pages."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def check_json_body() -> None:
    """Read a JSON body within its size limit (a chunked one too: 413) and refuse nesting
    deeper than MAX_JSON_DEPTH (400 `json_too_deep`) before any parser sees it."""
    limit = int(current_app.config.get("MAX_JSON_BODY_BYTES", 1024 * 1024))
    too_large = RequestEntityTooLarge(f"JSON bodies are limited to {limit} bytes.")
    if request.content_length and request.content_length > limit:
        raise too_large
    # A chunked body has no Content-Length: Werkzeug stops reading it one byte past the limit
    # (it would silently cut it at the limit itself), so that byte tells it was too large.
    request.max_content_length = limit + 1
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise too_large from None
    if len(data) > limit:
        raise too_large
    depth = int(current_app.config.get("MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))
    if json_too_deep(data, depth):
        raise JsonTooDeep(f"JSON bodies may nest arrays and objects at most {depth} deep.")


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Behind N proxies, the client is the Nth address from the right of X-Forwarded-For.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )

    @app.before_request
    def _request_id() -> None:
        g.request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER, ""))

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
        check_json_body()

    @app.after_request
    def _response_headers(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = g.get("request_id") or uuid.uuid4().hex
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        if response.status_code < 300:  # the limiter stamps one on every limited response
            headers.pop("Retry-After", None)
        if request.path.startswith(HTML_PREFIXES) and response.mimetype == "text/html":
            policy = ADMIN_CSP if request.path.startswith("/admin") else DOCS_CSP
            headers.setdefault("Content-Security-Policy", policy.format(nonce=csp_nonce()))
        if current_app.config.get("ENV_NAME") == "production":
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
