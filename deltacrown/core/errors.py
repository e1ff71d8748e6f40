"""Domain errors and RFC 9457 problem+json rendering; the one place errors become responses.

Services raise `DomainError` subclasses (each with a stable `code` and an HTTP `status`);
views never build error bodies. Every HTTP exception (Werkzeug, webargs 422, JWT failures,
rate limits) and every unexpected exception is rendered here as `application/problem+json`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, json
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from deltacrown.core.i18n import translate

PROBLEM_MIMETYPE = "application/problem+json"
PROBLEM_BASE_URL = "https://deltacrown.dev/problems/"

log = logging.getLogger(__name__)

# Default code and title per status, for errors that do not bring their own.
STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Bad request"),
    401: ("authentication_required", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    412: ("precondition_failed", "Precondition failed"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_error", "Validation error"),
    429: ("rate_limited", "Too many requests"),
    500: ("internal_error", "Internal server error"),
    503: ("service_unavailable", "Service unavailable"),
}


class DomainError(Exception):
    """A broken business rule. Subclasses set `status`, `code` and `title`."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers) if headers else {}
        self.extra = extra


class ValidationError(DomainError):
    status, code, title = 422, "validation_error", "Validation error"


class NotFoundError(DomainError):
    status, code, title = 404, "not_found", "Not found"


class PermissionDeniedError(DomainError):
    status, code, title = 403, "forbidden", "Forbidden"


class AuthenticationError(DomainError):
    status, code, title = 401, "authentication_required", "Authentication required"


class ConflictError(DomainError):
    status, code, title = 409, "conflict", "Conflict"


class InvalidTransitionError(ConflictError):
    code, title = "invalid_transition", "Invalid state transition"


class PreconditionFailedError(DomainError):
    status, code, title = 412, "precondition_failed", "Precondition failed"


class ServiceUnavailableError(DomainError):
    status, code, title = 503, "service_unavailable", "Service unavailable"


def problem(
    status: int,
    code: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    *,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Build an `application/problem+json` response."""
    default_code, default_title = STATUS_CODES.get(status, ("error", "Error"))
    code = code or default_code
    body: dict[str, Any] = {
        "type": PROBLEM_BASE_URL + code.replace("_", "-"),
        "title": translate(title or default_title),
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = translate(detail)
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# Set by `core.auth.withhold_staff_rights` when this request's staff member acts without staff
# rights: "mfa" (two-factor sign-in required and missing) or "token" (a personal access token).
STAFF_WITHHELD = "deltacrown_staff_withheld"


def handle_domain_error(error: DomainError) -> Response:
    if error.code == "forbidden" and has_request_context() and g.get(STAFF_WITHHELD) == "mfa":
        # A staff member refused only because their staff rights wait for two-factor sign-in.
        return problem(
            403,
            "mfa_required",
            "Two-factor sign-in required",
            f"{error.detail or error.title} Staff rights need two-factor sign-in first "
            "(POST /api/auth/2fa/setup/).",
        )
    return problem(
        error.status,
        error.code,
        error.title,
        error.detail,
        errors=error.errors,
        headers=error.headers,
        **error.extra,
    )


def _flatten_webargs_messages(messages: Any) -> Any:
    """webargs nests errors by location ({"json": {...}}); clients want fields at the top."""
    if (
        isinstance(messages, dict)
        and messages
        and set(messages)
        <= {
            "json",
            "query",
            "querystring",
            "form",
            "files",
            "headers",
            "view_args",
            "path",
            "cookies",
        }
    ):
        flat: dict[str, Any] = {}
        for location, fields in messages.items():
            if isinstance(fields, dict):
                flat.update(fields)
            else:
                flat[location] = fields
        return flat
    return messages


def handle_http_exception(error: HTTPException) -> Response:
    """Render any Werkzeug/webargs/limiter HTTP exception as a problem."""
    status = error.code or 500
    if status == 304:  # conditional GET: not an error, no body
        return current_app.response_class(status=304)
    data = getattr(error, "data", None) or {}
    errors = _flatten_webargs_messages(data.get("messages")) if data.get("messages") else None
    headers = dict(data.get("headers") or {})
    code = getattr(error, "problem_code", None)
    detail = data.get("message") or error.description
    if status == 422 and errors and not data.get("message"):
        detail = "The request has invalid fields; see errors."
    if status == 400 and data.get("messages") and errors:
        detail = "The request body could not be read; see errors."
    response = problem(status, code, None, detail, errors=errors, headers=headers)
    # Preserve headers the exception carries (Allow on 405, Retry-After on 429, ...).
    for key, value in error.get_headers():
        if key.lower() not in ("content-type", "content-length"):
            response.headers.setdefault(key, value)
    return response


def handle_integrity_error(error: IntegrityError) -> Response:
    """A unique or foreign-key constraint the services did not pre-check: a conflict. The unit
    of work (core.transaction) rolls back and answers with this."""
    log.info("integrity error mapped to 409: %s", error.orig)
    return problem(
        409, "conflict", "Conflict", "The request conflicts with existing data (already exists)."
    )


def handle_stale_data(error: StaleDataError) -> Response:
    """Another writer changed the row since it was read (optimistic lock): a conflict."""
    return problem(
        409, "concurrent_update", "Concurrent update", "The resource changed meanwhile; retry."
    )


# SQLSTATE classes of a database that cannot be reached or is going away: 08 connection
# exception, 57P01-57P03 shutdown / cannot connect now, 53300 too many connections.
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
RETRY_AFTER_UNAVAILABLE = "5"


def is_connection_failure(error: DBAPIError) -> bool:
    """The database could not be reached (or dropped the connection), as opposed to a query
    it refused."""
    if error.connection_invalidated:
        return True
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate:
        return str(sqlstate).startswith(_UNAVAILABLE_SQLSTATES)
    module = type(original).__module__
    if module.startswith("psycopg"):  # raised while connecting: no SQLSTATE
        return True
    return module == "sqlite3" and "unable to open database" in str(original)


def service_unavailable() -> Response:
    return problem(
        503,
        "service_unavailable",
        "Service unavailable",
        "The database cannot be reached; retry shortly.",
        headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
    )


def handle_operational_error(error: OperationalError) -> Response:
    """An unreachable database is a 503 with `Retry-After`; any other failure is a bug. The
    unit of work (core.transaction) rolls back and answers with this."""
    if not is_connection_failure(error):
        return handle_unexpected(error)
    log.warning("database unavailable: %s", error.orig)
    return service_unavailable()


def handle_unexpected(error: Exception) -> Response:
    """A bug: log it with its traceback, answer 500 without one."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled exception", exc_info=error)
    propagate = current_app.config.get("PROPAGATE_EXCEPTIONS")
    if propagate is None:
        propagate = current_app.testing
    if propagate:
        raise error
    return problem(500, "internal_error", None, "An unexpected error occurred; it was logged.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
